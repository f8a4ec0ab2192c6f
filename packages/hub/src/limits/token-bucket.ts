// Token buckets (the classic rate limiter: `burst` tokens, refilled at `perSecond`): a pure step over
// plain values, and a keyed set of buckets over an injected clock that forgets idle keys, so the
// memory it keeps is bounded by the keys active within one refill time.

export interface Rate {
  /** Sustained requests per second. */
  perSecond: number;
  /** Requests allowed at once after an idle spell (the bucket's size). */
  burst: number;
}

export interface Bucket {
  tokens: number;
  /** Clock time of `tokens`, in ms. */
  at: number;
}

export type Take = { ok: true; bucket: Bucket } | { ok: false; bucket: Bucket; retryAfterMs: number };

export const fullBucket = (rate: Rate, now: number): Bucket => ({ tokens: rate.burst, at: now });

/** Refills `bucket` up to `now` and takes one token; when none is left, says how long until one is. */
export function take(bucket: Bucket, rate: Rate, now: number): Take {
  const elapsed = Math.max(0, now - bucket.at);
  const tokens = Math.min(rate.burst, bucket.tokens + (elapsed * rate.perSecond) / 1000);
  if (tokens >= 1) return { ok: true, bucket: { tokens: tokens - 1, at: now } };
  return { ok: false, bucket: { tokens, at: now }, retryAfterMs: Math.ceil(((1 - tokens) * 1000) / rate.perSecond) };
}

export interface Clock {
  now(): number;
}

/** One bucket per key. A key whose bucket would be full again is dropped (sweep), since a new full bucket is the same. */
export class KeyedBuckets {
  readonly #buckets = new Map<string, Bucket>();

  constructor(
    private readonly rate: Rate,
    private readonly clock: Clock,
  ) {}

  /** Takes a token for `key`: null when allowed, else the ms until a retry can succeed. */
  take(key: string): number | null {
    const now = this.clock.now();
    const r = take(this.#buckets.get(key) ?? fullBucket(this.rate, now), this.rate, now);
    this.#buckets.set(key, r.bucket);
    return r.ok ? null : r.retryAfterMs;
  }

  forget(key: string): void {
    this.#buckets.delete(key);
  }

  /** Drops every bucket that has refilled completely by now. */
  sweep(): void {
    const now = this.clock.now();
    const refillMs = (this.rate.burst * 1000) / this.rate.perSecond;
    for (const [key, b] of this.#buckets) if (now - b.at >= refillMs) this.#buckets.delete(key);
  }

  get size(): number {
    return this.#buckets.size;
  }
}
