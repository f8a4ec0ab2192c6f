import { describe, expect, it } from 'vitest';
import { KeyedBuckets, fullBucket, take, type Rate } from './token-bucket.js';

const rate: Rate = { perSecond: 10, burst: 3 };

describe('take', () => {
  it('allows a burst, then refuses with the time until the next token', () => {
    let b = fullBucket(rate, 0);
    for (let i = 0; i < 3; i++) {
      const r = take(b, rate, 0);
      expect(r.ok).toBe(true);
      b = r.bucket;
    }
    expect(take(b, rate, 0)).toEqual({ ok: false, bucket: { tokens: 0, at: 0 }, retryAfterMs: 100 });
    expect(take(b, rate, 40)).toEqual({ ok: false, bucket: { tokens: 0.4, at: 40 }, retryAfterMs: 60 });
    expect(take(b, rate, 100)).toEqual({ ok: true, bucket: { tokens: 0, at: 100 } });
  });

  it('refills no further than the burst', () => {
    expect(take({ tokens: 0, at: 0 }, rate, 60_000)).toEqual({ ok: true, bucket: { tokens: 2, at: 60_000 } });
  });

  it('treats a clock that went backwards as no time passing', () => {
    expect(take({ tokens: 0.5, at: 1000 }, rate, 900)).toEqual({ ok: false, bucket: { tokens: 0.5, at: 900 }, retryAfterMs: 50 });
  });
});

describe('KeyedBuckets', () => {
  it('keeps one bucket per key and forgets refilled ones on sweep', () => {
    let now = 0;
    const buckets = new KeyedBuckets(rate, { now: () => now });
    expect([buckets.take('a'), buckets.take('a'), buckets.take('a'), buckets.take('a')]).toEqual([null, null, null, 100]);
    expect(buckets.take('b')).toBeNull();
    now = 200;
    buckets.sweep();
    expect(buckets.size).toBe(2);
    now = 300;
    buckets.sweep();
    expect(buckets.size).toBe(0);
    expect(buckets.take('a')).toBeNull();
  });
});
