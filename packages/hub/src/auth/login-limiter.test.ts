import { describe, expect, it } from 'vitest';
import { addressKey, DEFAULT_LOGIN_LIMITS, fail, LoginLimiter, waitMs } from './login-limiter.js';

const limits = DEFAULT_LOGIN_LIMITS;

describe('fail / waitMs', () => {
  it('free failures cost nothing; then 1 s, 2 s, 4 s … up to the cap; forgotten after forgetAfterMs', () => {
    let t = undefined;
    const delays: number[] = [];
    for (let i = 0; i < 8; i++) {
      t = fail(t, 1000, 3, limits);
      delays.push(waitMs(t, 1000, limits));
    }
    expect(delays).toEqual([0, 0, 0, 1000, 2000, 4000, 8000, 16000]);
    expect(fail(t, 1000, 3, { ...limits, maxDelayMs: 5000 })).toEqual({ failures: 9, lastFailureAt: 1000, closedUntil: 6000 });
    expect(waitMs(t, 1000 + limits.forgetAfterMs, limits)).toBe(0);
    expect(fail(t, 1000 + limits.forgetAfterMs, 3, limits)).toEqual({ failures: 1, lastFailureAt: 1000 + limits.forgetAfterMs, closedUntil: 1000 + limits.forgetAfterMs });
  });
});

describe('LoginLimiter', () => {
  it('closes a user name after its free failures, from any address, and a success reopens it', () => {
    let now = 0;
    const l = new LoginLimiter({ userFreeFailures: 2, addressFreeFailures: 100 }, { now: () => now });
    l.failed({ name: 'Alice', address: 'a' });
    l.failed({ name: 'alice', address: 'b' });
    expect(l.wait({ name: 'alice', address: 'c' })).toBe(0);
    l.failed({ name: 'alice', address: 'c' });
    expect(l.wait({ name: 'ALICE', address: 'd' })).toBe(1000);
    expect(l.wait({ name: 'bob', address: 'c' })).toBe(0);
    now = 400;
    expect(l.wait({ name: 'alice', address: 'd' })).toBe(600);
    l.succeeded({ name: 'alice', address: 'd' });
    expect(l.wait({ name: 'alice', address: 'd' })).toBe(0);
  });

  it('closes an address after its free failures, whatever names it tries, and a success does not reopen it', () => {
    const l = new LoginLimiter({ userFreeFailures: 100, addressFreeFailures: 3 }, { now: () => 0 });
    for (const name of ['a', 'b', 'c', 'd']) l.failed({ name, address: '10.0.0.1' });
    expect(l.wait({ name: 'e', address: '10.0.0.1' })).toBe(1000);
    expect(l.wait({ address: '10.0.0.1' })).toBe(1000);
    expect(l.wait({ name: 'e', address: '10.0.0.2' })).toBe(0);
    l.succeeded({ name: 'e', address: '10.0.0.1' });
    expect(l.wait({ address: '10.0.0.1' })).toBe(1000);
  });

  it('keeps at most maxKeys keys in backoff (and as many fresh ones), dropping the least recently failed', () => {
    const l = new LoginLimiter({ maxKeys: 4, userFreeFailures: 0 }, { now: () => 0 });
    for (const name of ['a', 'b', 'c', 'd', 'e']) l.failed({ name, address: 'x' });
    expect(l.size).toBe(5); // b..e in backoff, the address x still within its free failures
    expect(l.wait({ name: 'a', address: 'y' })).toBe(0);
    expect(l.wait({ name: 'c', address: 'y' })).toBe(1000);
  });
});

describe('the limiter under a spray', () => {
  it('a key in backoff is kept while more fresh keys than maxKeys come and go', () => {
    const now = 0;
    const l = new LoginLimiter({ userFreeFailures: 1, addressFreeFailures: 100, maxKeys: 4 }, { now: () => now });
    l.failed({ name: 'alice', address: 'a' });
    l.failed({ name: 'alice', address: 'a' });
    expect(l.wait({ name: 'alice', address: 'z' })).toBe(1000);
    for (let i = 0; i < 50; i++) l.failed({ name: `spray${i}`, address: `x${i}` });
    expect(l.wait({ name: 'alice', address: 'z' })).toBe(1000);
    expect(l.size).toBeLessThanOrEqual(8);
  });

  it('an IPv6 address counts as its /64; IPv4 and IPv4-mapped addresses as themselves', () => {
    expect(addressKey('2001:db8:0:7::1')).toBe(addressKey('2001:0db8:0000:0007:ffff:1:2:3'));
    expect(addressKey('2001:db8:0:7::1')).not.toBe(addressKey('2001:db8:0:8::1'));
    expect(addressKey('[2001:DB8:0:7::a]')).toBe('2001:db8:0:7::/64');
    expect(addressKey('::ffff:10.0.0.1')).toBe('10.0.0.1');
    expect(addressKey('10.0.0.1')).toBe('10.0.0.1');
  });
});
