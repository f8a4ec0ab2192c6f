import { describe, expect, it } from 'vitest';
import { CookieScopes } from './cookie-scope.js';

describe('CookieScopes', () => {
  it('Set-Cookie: host-only, the hub cookie names dropped, HttpOnly values tagged', () => {
    const b = new CookieScopes().of('bbbbbbbb', 'browser-1');
    expect(b.outbound('pilothouse_preview=overwrite; Path=/')).toBeNull();
    expect(b.outbound('ph_session=x')).toBeNull();
    expect(b.outbound('theme=dark; Domain=preview.localhost; Path=/')).toBe('theme=dark; Path=/');
    expect(b.outbound('sid=s1; Domain=localhost; Path=/; HttpOnly')).toMatch(/^sid=s1~ph1\.[A-Za-z0-9_-]{22}; Path=\/; HttpOnly$/);
  });

  it('Cookie: only what this preview’s dev server set reaches it, untagged; planted, duplicated and hub cookies stay out', () => {
    const scopes = new CookieScopes();
    const b = scopes.of('bbbbbbbb', 'browser-1');
    const a = scopes.of('aaaaaaaa', 'browser-1');
    const sid = b.outbound('sid=s1; HttpOnly')!.split(';')[0]!;
    b.outbound('theme=dark');
    expect(b.inbound(`${sid}; theme=dark; pilothouse_preview=t; ph_session=h; planted=1`)).toBe('sid=s1; theme=dark');
    // a planted sid (no tag, a forged tag, or A's own tagged sid) never passes; a second theme means neither is B's for sure
    const aSid = a.outbound('sid=s1; HttpOnly')!.split(';')[0]!;
    expect(b.inbound(`sid=evil; sid=evil~ph1.AAAAAAAAAAAAAAAAAAAAAA; ${aSid}; theme=light; theme=dark`)).toBeNull();
    expect(b.inbound(`sid=evil; ${sid}`)).toBe('sid=s1');
    expect(a.inbound('theme=dark')).toBeNull();
    scopes.forget('bbbbbbbb');
    expect(b.inbound(sid)).toBeNull();
  });

  it('a name the dev server set (not HttpOnly) passes only from a browser it was set for: one planted in another browser stays out', () => {
    const scopes = new CookieScopes();
    const alice = scopes.of('bbbbbbbb', 'browser-alice');
    const bob = scopes.of('bbbbbbbb', 'browser-bob');
    alice.outbound('theme=dark');
    expect(alice.inbound('theme=dark')).toBe('theme=dark');
    expect(bob.inbound('theme=planted')).toBeNull();
    bob.outbound('theme=light');
    expect(bob.inbound('theme=light')).toBe('theme=light');
  });
});
