import { describe, expect, it } from 'vitest';
import { PreviewGrants } from './grants.js';

const clockAt = (t: number) => ({ t, now() { return this.t; } });

describe('preview grants', () => {
  it('a code is single use, bound to its preview, and expires after its TTL', () => {
    const clock = clockAt(1000);
    const grants = new PreviewGrants(clock);
    const a = grants.issueCode('preview1', 'u1');
    expect(a.code).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.expiresAt.getTime()).toBe(61_000);
    expect(grants.redeemCode('preview1', a.code)).toBe('u1');
    expect(grants.redeemCode('preview1', a.code)).toBeNull();

    const b = grants.issueCode('preview1', 'u1');
    expect(grants.redeemCode('preview2', b.code)).toBeNull(); // wrong preview: refused, and spent
    expect(grants.redeemCode('preview1', b.code)).toBeNull();

    const c = grants.issueCode('preview1', 'u1');
    clock.t += 60_000;
    expect(grants.redeemCode('preview1', c.code)).toBeNull();
    expect(grants.redeemCode('preview1', 'forged')).toBeNull();
  });

  it('cookies: bound to (preview, user), expire, die with their preview, and only digests are kept', () => {
    const clock = clockAt(0);
    const grants = new PreviewGrants(clock);
    const token = grants.issueCookie('preview1', 'u1');
    expect(grants.checkCookie('preview1', ['nope', token])).toBe('u1');
    expect(grants.checkCookie('preview2', [token])).toBeNull();
    expect(JSON.stringify([...Object.values(grants)])).not.toContain(token);
    clock.t = 12 * 3600_000;
    expect(grants.checkCookie('preview1', [token])).toBeNull();
    grants.sweep();
    expect(grants.stats()).toEqual({ codes: 0, cookies: 0 });

    const live = grants.issueCookie('preview1', 'u1');
    grants.issueCode('preview1', 'u1');
    grants.revokePreview('preview1');
    expect(grants.checkCookie('preview1', [live])).toBeNull();
    expect(grants.stats()).toEqual({ codes: 0, cookies: 0 });
  });

  it('is bounded: the oldest cookies of a preview and the oldest codes give way', () => {
    const grants = new PreviewGrants(clockAt(0), { codeTtlMs: 60_000, cookieTtlMs: 1000, maxCodes: 3, maxCookies: 5, maxCookiesPerPreview: 2, maxPerUser: 100 });
    const first = grants.issueCookie('p1', 'u');
    grants.issueCookie('p1', 'u');
    const third = grants.issueCookie('p1', 'u');
    expect(grants.checkCookie('p1', [first])).toBeNull();
    expect(grants.checkCookie('p1', [third])).toBe('u');
    for (let i = 0; i < 10; i++) grants.issueCookie(`q${i}`, 'u');
    expect(grants.stats().cookies).toBe(5);
    const codes = [0, 1, 2, 3].map(() => grants.issueCode('p1', 'u').code);
    expect(grants.redeemCode('p1', codes[0]!)).toBeNull();
    expect(grants.redeemCode('p1', codes[3]!)).toBe('u');
  });

  it("one user's cookies and codes give way to their own newer ones first, never to push out another user's", () => {
    const grants = new PreviewGrants(clockAt(0), { codeTtlMs: 60_000, cookieTtlMs: 60_000, maxCodes: 100, maxCookies: 100, maxCookiesPerPreview: 10, maxPerUser: 3 });
    const alice = grants.issueCookie('p1', 'alice');
    const aliceCode = grants.issueCode('p1', 'alice').code;
    const bobs = Array.from({ length: 50 }, () => grants.issueCookie('p1', 'bob'));
    for (let i = 0; i < 50; i++) grants.issueCode('p1', 'bob');
    expect(grants.checkCookie('p1', [alice])).toBe('alice');
    expect(bobs.filter((c) => grants.checkCookie('p1', [c]) === 'bob')).toEqual(bobs.slice(-3));
    expect(grants.stats().codes).toBe(4);
    expect(grants.redeemCode('p1', aliceCode)).toBe('alice');
  });
});
