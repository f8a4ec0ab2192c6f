// Who may make another request now: per-user and per-socket token buckets for each class of
// request (joins, a person's writes, reads, a registered runner's writes). A refusal is a
// `rate_limited` error whose details carry `retry_after_ms`. Defaults are set so that normal use —
// the web UI, a runner streaming hundreds of appends a second, `npm run bench` — never meets them,
// while a flood is cut off after the burst (docs/security.md §4 gives the reasons).

import { PilothouseError } from '@pilothouse/protocol/lite';
import { KeyedBuckets, type Clock, type Rate } from './token-bucket.js';

export type RequestClass = 'join' | 'write' | 'read' | 'runner' | 'presence';

export type RateLimits = Record<RequestClass, { user: Rate; socket: Rate }>;

export const DEFAULT_RATE_LIMITS: RateLimits = {
  // A browser joins one channel per tab and rejoins after reconnects; a runner one channel.
  join: { user: { perSecond: 20, burst: 200 }, socket: { perSecond: 10, burst: 100 } },
  // Messages and controls typed by people: far above any typist, far below a script.
  write: { user: { perSecond: 20, burst: 500 }, socket: { perSecond: 20, burst: 500 } },
  // Thread lists, thread pages and body slices: a page load reads a few pages.
  read: { user: { perSecond: 50, burst: 500 }, socket: { perSecond: 50, burst: 500 } },
  // A registered runner streams appends (default flush every 150 ms per item, several items) and
  // the fan-out bench pipelines 6,000: the writes are bounded by group commit, not by this.
  runner: { user: { perSecond: 5000, burst: 20_000 }, socket: { perSecond: 5000, burst: 20_000 } },
  // `watch` and `typing` (ephemeral presence): a page watches on each navigation and refreshes its
  // typing mark every TYPING_REFRESH_MS (2 s); each one may be fanned out to every member.
  presence: { user: { perSecond: 10, burst: 60 }, socket: { perSecond: 2, burst: 20 } },
};

/** Every rate multiplied by `factor` (a hub flag scales them all); 0 or Infinity turns limits off. */
export function scaleRateLimits(limits: RateLimits, factor: number): RateLimits | null {
  if (factor === 0 || !Number.isFinite(factor)) return null;
  const scale = (r: Rate): Rate => ({ perSecond: r.perSecond * factor, burst: Math.max(1, Math.round(r.burst * factor)) });
  const out = {} as RateLimits;
  for (const [cls, l] of Object.entries(limits) as [RequestClass, RateLimits[RequestClass]][]) out[cls] = { user: scale(l.user), socket: scale(l.socket) };
  return out;
}

export class Admission {
  readonly #user: Record<RequestClass, KeyedBuckets>;
  readonly #socket: Record<RequestClass, KeyedBuckets>;

  constructor(limits: RateLimits, clock: Clock) {
    const make = (pick: 'user' | 'socket') =>
      Object.fromEntries((Object.keys(limits) as RequestClass[]).map((c) => [c, new KeyedBuckets(limits[c][pick], clock)])) as Record<RequestClass, KeyedBuckets>;
    this.#user = make('user');
    this.#socket = make('socket');
  }

  /** Throws `rate_limited` when the socket or the user has no token left for `cls`. */
  admit(cls: RequestClass, userId: string, socketId: string): void {
    const wait = this.#socket[cls].take(socketId) ?? this.#user[cls].take(userId);
    if (wait !== null) {
      throw new PilothouseError('rate_limited', `Too many ${cls} requests; retry in ${wait} ms.`, { retry_after_ms: wait });
    }
  }

  socketClosed(socketId: string): void {
    for (const b of Object.values(this.#socket)) b.forget(socketId);
  }

  /** Forgets every bucket that has refilled (call from one periodic timer). */
  sweep(): void {
    for (const b of [...Object.values(this.#user), ...Object.values(this.#socket)]) b.sweep();
  }
}
