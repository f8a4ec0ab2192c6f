// The sign-in link route on a real SQLite store and the hub's real authenticator: a link signs in
// once (cookie, then a redirect that drops the code), and a used, expired or forged one gets a 401
// page that says which.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthenticator } from '../auth/authenticate.js';
import { Store, type User } from '../store/store.js';
import { createHttpApp } from './app.js';
import { createSignInLink, SIGN_IN_CODE_TTL_MS } from './sign-in-link.js';

const dataDir = mkdtempSync(join(tmpdir(), 'ph-sign-in-'));
let store: Store;
let alice: User;
let app: ReturnType<typeof createHttpApp>;

beforeAll(async () => {
  store = await Store.open({ kind: 'sqlite', dataDir });
  alice = await store.createUser({ name: 'alice', passwordHash: null, admin: false });
  const auth = createAuthenticator(store);
  app = createHttpApp({ store, logger: pino({ level: 'silent' }), authenticate: auth.authenticate, sessionId: auth.sessionId, webRoot: null });
});
afterAll(async () => {
  await app.close();
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const visit = (path: string) => app.inject({ method: 'GET', url: path });
const cookieOf = (res: Awaited<ReturnType<typeof visit>>) => String(res.headers['set-cookie'] ?? '').split(';')[0]!;

describe('GET /api/sign-in', () => {
  it('signs in once: a session cookie and a redirect to the link’s page, never cached', async () => {
    const link = await createSignInLink(store, { userId: alice.id, next: '/c/acme/agents/t/abc' });
    expect(link.path).toMatch(/^\/api\/sign-in\?code=[A-Za-z0-9_-]{43}$/);
    const res = await visit(link.path);
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('/c/acme/agents/t/abc');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['set-cookie']).toMatch(/^ph_session=[A-Za-z0-9_-]+; HttpOnly; SameSite=Lax; Path=\/; Max-Age=2592000$/);
    const me = await app.inject({ method: 'GET', url: '/api/me', headers: { cookie: cookieOf(res) } });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ user: { id: alice.id, name: 'alice' } });

    const again = await visit(link.path);
    expect(again.statusCode).toBe(401);
    expect(again.headers['set-cookie']).toBeUndefined();
    expect(again.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(again.headers['content-security-policy']).toBe("default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
    expect(again.body).toContain('data-reason="used"');
    expect(again.body).toContain('This sign-in link was already used');
  });

  it('leads to / when the link names no page', async () => {
    const link = await createSignInLink(store, { userId: alice.id });
    const res = await visit(link.path);
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('/');
  });

  it('refuses an expired link', async () => {
    const link = await createSignInLink(store, { userId: alice.id, now: new Date(Date.now() - SIGN_IN_CODE_TTL_MS - 1000) });
    const res = await visit(link.path);
    expect(res.statusCode).toBe(401);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.body).toContain('data-reason="expired"');
    expect(res.body).toContain('This sign-in link has expired');
  });

  it('refuses forged, truncated and missing codes alike, and audits the refusals coalesced', async () => {
    const link = await createSignInLink(store, { userId: alice.id });
    const forged = `/api/sign-in?code=${'A'.repeat(43)}`;
    for (const path of [forged, link.path.slice(0, -5), '/api/sign-in?code=%3Cscript%3E', '/api/sign-in']) {
      const res = await visit(path);
      expect(res.statusCode, path).toBe(401);
      expect(res.headers['set-cookie'], path).toBeUndefined();
      expect(res.body, path).toContain('data-reason="unknown"');
      expect(res.body, path).not.toContain('<script>');
    }
    const refused = await store.listAudit({ limit: 100, action: 'sign_in_link_refused' });
    // The first refusal of each kind from an address at once; the 3 more unknowns in one row when their window ends.
    const address = '127.0.0.1';
    expect(refused.map((e) => e.detail)).toEqual([{ reason: 'unknown', address, count: 1 }, { reason: 'expired', address, count: 1 }, { reason: 'used', address, count: 1 }]);
    // The untouched link still works.
    expect((await visit(link.path)).statusCode).toBe(302);
  });

  it('mints links only to paths on the hub', async () => {
    for (const next of ['https://evil.example/', '//evil.example/x', '/\\evil.example', 'c/acme']) {
      await expect(createSignInLink(store, { userId: alice.id, next }), next).rejects.toThrow(/not a path on the hub/);
    }
  });
});
