// Channel membership after the join: checked on every push, periodically for every joined topic,
// and on every preview request (a cookie outlives its grant), so a person removed from a channel
// loses it within `ttlMs`. The store is asked at most once per `ttlMs` per (channel, user); the
// answer, and a question in flight, are shared.

/** Milliseconds since the epoch; injectable for tests. */
export interface Clock {
  now(): number;
}

export const MEMBERSHIP_TTL_MS = 10_000;
const MAX_ENTRIES = 10_000;

export class MembershipCache {
  readonly #ask: (channelId: string, userId: string) => Promise<boolean>;
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #known = new Map<string, { member: boolean; until: number }>();
  readonly #asking = new Map<string, Promise<boolean>>();

  constructor(ask: (channelId: string, userId: string) => Promise<boolean>, clock: Clock, ttlMs = MEMBERSHIP_TTL_MS) {
    this.#ask = ask;
    this.#clock = clock;
    this.#ttlMs = ttlMs;
  }

  /** The cached answer while fresh, else undefined (call `check`). */
  cached(channelId: string, userId: string): boolean | undefined {
    const hit = this.#known.get(`${channelId}\n${userId}`);
    return hit !== undefined && hit.until > this.#clock.now() ? hit.member : undefined;
  }

  check(channelId: string, userId: string): Promise<boolean> {
    const key = `${channelId}\n${userId}`;
    const fresh = this.cached(channelId, userId);
    if (fresh !== undefined) return Promise.resolve(fresh);
    let asking = this.#asking.get(key);
    if (asking === undefined) {
      asking = this.#ask(channelId, userId).then(
        (member) => {
          this.#asking.delete(key);
          if (this.#known.size >= MAX_ENTRIES) this.#known.delete(this.#known.keys().next().value!);
          this.#known.delete(key);
          this.#known.set(key, { member, until: this.#clock.now() + this.#ttlMs });
          return member;
        },
        (err: unknown) => {
          this.#asking.delete(key);
          throw err;
        },
      );
      this.#asking.set(key, asking);
    }
    return asking;
  }
}
