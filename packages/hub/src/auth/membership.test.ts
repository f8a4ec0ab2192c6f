import { describe, expect, it } from 'vitest';
import { MembershipCache } from './membership.js';

describe('MembershipCache', () => {
  it('asks the store once per ttl per (channel, user), shares a question in flight, and asks again once stale', async () => {
    let now = 0;
    const asked: string[] = [];
    let member = true;
    const cache = new MembershipCache(async (c, u) => (asked.push(`${c}/${u}`), member), { now: () => now }, 1000);
    expect(cache.cached('c', 'u')).toBeUndefined();
    expect(await Promise.all([cache.check('c', 'u'), cache.check('c', 'u')])).toEqual([true, true]);
    expect(asked).toEqual(['c/u']);
    expect(cache.cached('c', 'u')).toBe(true);
    member = false;
    now = 999;
    expect(await cache.check('c', 'u')).toBe(true);
    now = 1000;
    expect(cache.cached('c', 'u')).toBeUndefined();
    expect(await cache.check('c', 'u')).toBe(false);
    expect(asked).toEqual(['c/u', 'c/u']);
    expect(await cache.check('c', 'v')).toBe(false);
    expect(asked).toEqual(['c/u', 'c/u', 'c/v']);
  });

  it('a failed question is not cached', async () => {
    let fail = true;
    const cache = new MembershipCache(async () => {
      if (fail) throw new Error('store down');
      return true;
    }, { now: () => 0 });
    await expect(cache.check('c', 'u')).rejects.toThrow('store down');
    fail = false;
    expect(await cache.check('c', 'u')).toBe(true);
  });
});
