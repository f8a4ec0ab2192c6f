// Sign-in throttling (POST /api/login, GET /api/sign-in): failures are counted per user name and per
// client address; past a few free failures each further one closes that key for an exponentially
// longer time (1 s, 2 s, 4 s … capped), and a key is forgotten a while after its last failure.
// An attempt while any of its keys is closed is refused before any password is checked. The state
// per key is plain data moved by pure functions; LoginLimiter keeps the bounded maps over a clock.
// Two things an attacker would use to get around it are closed here:
// - forgetting: the keys are bounded, so a spray of new names or addresses drops old keys. Keys still
//   within their free failures are kept apart from keys in backoff, each bounded on its own, so a
//   spray of one-off names only ever drops other one-off keys, never a backoff it wants reset.
// - IPv6: one network hands out 2^64 addresses; an IPv6 address counts as its /64 (as nginx
//   deployments and fail2ban commonly do), an IPv4 (or IPv4-mapped) address as itself.

import type { Clock } from './membership.js';

export interface LoginLimits {
  /** Failures allowed per user name before backoff starts (a person mistyping). */
  userFreeFailures: number;
  /** Failures allowed per address before backoff (many people can share one NAT address). */
  addressFreeFailures: number;
  /** The first closed interval; doubled on each further failure. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A key is forgotten this long after its last failure. */
  forgetAfterMs: number;
  /**
   * Keys kept at most in each of two maps (oldest dropped first): keys within their free failures,
   * and keys in backoff. The memory bound under a spray of names; a spray of fresh keys never
   * drops a key in backoff.
   */
  maxKeys: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  userFreeFailures: 5,
  addressFreeFailures: 20,
  baseDelayMs: 1000,
  maxDelayMs: 15 * 60_000,
  forgetAfterMs: 15 * 60_000,
  maxKeys: 10_000,
};

export interface Throttle {
  readonly failures: number;
  readonly lastFailureAt: number;
  readonly closedUntil: number;
}

/** The key's state at `now`: forgotten (undefined) once `forgetAfterMs` passed since its last failure. */
export function current(t: Throttle | undefined, now: number, limits: LoginLimits): Throttle | undefined {
  return t !== undefined && now - t.lastFailureAt < limits.forgetAfterMs ? t : undefined;
}

/** One more failure at `now` for a key allowed `free` failures. */
export function fail(t: Throttle | undefined, now: number, free: number, limits: LoginLimits): Throttle {
  const failures = (current(t, now, limits)?.failures ?? 0) + 1;
  const over = failures - free;
  const delay = over <= 0 ? 0 : Math.min(limits.maxDelayMs, limits.baseDelayMs * 2 ** Math.min(over - 1, 30));
  return { failures, lastFailureAt: now, closedUntil: now + delay };
}

/** How long until `t` lets an attempt through; 0 when it does. */
export const waitMs = (t: Throttle | undefined, now: number, limits: LoginLimits): number => Math.max(0, (current(t, now, limits)?.closedUntil ?? now) - now);

export interface Attempt {
  /** The user name tried, if any (a sign-in link has none). */
  name?: string;
  address: string;
}

/** The part of an address that one client controls: an IPv6 address's /64, anything else as is. */
export function addressKey(address: string): string {
  const text = address.trim().toLowerCase().replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (!text.includes(':')) return text;
  const mapped = /^(?:0*:)*:?ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (mapped) return mapped[1]!;
  const [head = '', tail] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

const keysOf = (a: Attempt, limits: LoginLimits): [string, number][] => [
  [`addr:${addressKey(a.address)}`, limits.addressFreeFailures],
  ...(a.name !== undefined ? ([[`user:${a.name.toLowerCase()}`, limits.userFreeFailures]] as [string, number][]) : []),
];

export class LoginLimiter {
  /** Keys within their free failures, in the order of their last failure. */
  readonly #fresh = new Map<string, Throttle>();
  /** Keys past their free failures (in backoff, or remembered until forgotten), same order. */
  readonly #backoff = new Map<string, Throttle>();
  readonly limits: LoginLimits;
  readonly #clock: Clock;

  constructor(limits: Partial<LoginLimits>, clock: Clock) {
    this.limits = { ...DEFAULT_LOGIN_LIMITS, ...limits };
    this.#clock = clock;
  }

  #get(key: string): Throttle | undefined {
    return this.#backoff.get(key) ?? this.#fresh.get(key);
  }

  /** 0 when the attempt may go on, else the milliseconds until it may. */
  wait(a: Attempt): number {
    const now = this.#clock.now();
    return Math.max(0, ...keysOf(a, this.limits).map(([k]) => waitMs(this.#get(k), now, this.limits)));
  }

  failed(a: Attempt): void {
    const now = this.#clock.now();
    for (const [k, free] of keysOf(a, this.limits)) {
      const next = fail(this.#get(k), now, free, this.limits);
      // Re-inserted last: each map's order is the order of last failure.
      this.#fresh.delete(k);
      this.#backoff.delete(k);
      const into = next.failures > free ? this.#backoff : this.#fresh;
      if (into.size >= this.limits.maxKeys) into.delete(into.keys().next().value!);
      into.set(k, next);
    }
  }

  /** A right password clears the user's failures; the address keeps its own (one account must not unlock another's guessing). */
  succeeded(a: Attempt): void {
    if (a.name === undefined) return;
    const key = `user:${a.name.toLowerCase()}`;
    this.#fresh.delete(key);
    this.#backoff.delete(key);
  }

  get size(): number {
    return this.#fresh.size + this.#backoff.size;
  }
}
