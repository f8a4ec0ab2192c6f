// Sign-in throttling (POST /api/login, GET /api/sign-in): failures are counted per user name and per
// client address; past a few free failures each further one closes that key for an exponentially
// longer time (1 s, 2 s, 4 s … capped), and a key is forgotten a while after its last failure.
// An attempt while any of its keys is closed is refused before any password is checked. The state
// per key is plain data moved by pure functions; LoginLimiter keeps the bounded map over a clock.

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
  /** Keys kept at most (oldest dropped first): the memory bound under a spray of names. */
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

const keysOf = (a: Attempt, limits: LoginLimits): [string, number][] => [
  [`addr:${a.address}`, limits.addressFreeFailures],
  ...(a.name !== undefined ? ([[`user:${a.name.toLowerCase()}`, limits.userFreeFailures]] as [string, number][]) : []),
];

export class LoginLimiter {
  readonly #keys = new Map<string, Throttle>();
  readonly limits: LoginLimits;
  readonly #clock: Clock;

  constructor(limits: Partial<LoginLimits>, clock: Clock) {
    this.limits = { ...DEFAULT_LOGIN_LIMITS, ...limits };
    this.#clock = clock;
  }

  /** 0 when the attempt may go on, else the milliseconds until it may. */
  wait(a: Attempt): number {
    const now = this.#clock.now();
    return Math.max(0, ...keysOf(a, this.limits).map(([k]) => waitMs(this.#keys.get(k), now, this.limits)));
  }

  failed(a: Attempt): void {
    const now = this.#clock.now();
    for (const [k, free] of keysOf(a, this.limits)) {
      const next = fail(this.#keys.get(k), now, free, this.limits);
      this.#keys.delete(k); // re-inserted last: the map's order is the order of last failure
      if (this.#keys.size >= this.limits.maxKeys) this.#keys.delete(this.#keys.keys().next().value!);
      this.#keys.set(k, next);
    }
  }

  /** A right password clears the user's failures; the address keeps its own (one account must not unlock another's guessing). */
  succeeded(a: Attempt): void {
    if (a.name !== undefined) this.#keys.delete(`user:${a.name.toLowerCase()}`);
  }

  get size(): number {
    return this.#keys.size;
  }
}
