// Sign-in and request hygiene against a real hub process (issue 11, findings 7, 8 and 10): no
// credential in the hub's log, login backoff per user name and per address (429 + Retry-After),
// refusals alike for known and unknown names and audited coalesced, a Host allow-list on HTTP and
// on the WebSocket upgrade (preview hosts still reach the previews), a malformed cookie ignored,
// cross-origin sign-out refused, and the Secure cookie behind a trusted proxy only.

import { connect as tcp } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../src/store/store.js';
import { cleanupDir, seed, startHubProcess, type HubProcess, type Seeded } from './hub-process.js';

let seeded: Seeded;
let hub: HubProcess;

beforeAll(async () => {
  seeded = await seed();
  hub = await startHubProcess(seeded.dataDir, { args: ['--trust-proxy', '--allowed-host', 'pilothouse.example.com'] });
});
afterAll(async () => {
  if (hub.child.exitCode === null && hub.child.signalCode === null) await hub.stop();
  cleanupDir(seeded.dataDir);
});

const login = (name: string, password: string, headers: Record<string, string> = {}) =>
  fetch(`${hub.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ name, password }) });

/** The status line of a raw request (fetch cannot send a foreign Host or an upgrade). */
function rawStatus(lines: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tcp({ host: '127.0.0.1', port: hub.port });
    let got = '';
    s.on('data', (d: Buffer) => {
      got += d.toString();
      if (got.includes('\r\n')) {
        s.destroy();
        resolve(got.split('\r\n')[0]!);
      }
    });
    s.on('error', reject);
    s.write(`${lines.join('\r\n')}\r\n\r\n`);
  });
}
const upgrade = (host: string) =>
  rawStatus([
    `GET /socket/websocket?vsn=2.0.0&token=${seeded.tokens.alice} HTTP/1.1`,
    `Host: ${host}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Version: 13',
  ]);

describe('tokens in logs', () => {
  it('a refused ?token= request is logged without the token', async () => {
    const token = seeded.tokens.bob!;
    const res = await fetch(`${hub.url}/api/audit?token=${token}&limit=5`);
    expect(res.status).toBe(403);
    const line = await hub.waitForLog((l) => l.includes('/api/audit'));
    expect(line).toContain('token=[redacted]');
    expect((await fetch(`${hub.url}/api/me`, { headers: { authorization: `Bearer ${token}x` } })).status).toBe(401);
    await hub.waitForLog((l) => l.includes('"code":"unauthorized"'));
    expect(hub.stderr.join('\n')).not.toContain(token);
  });
  it('a credential whose parameter name is percent-encoded (the hub reads ?tok%65n= as ?token=) is logged without it', async () => {
    const secret = 'not-a-ph-shaped-but-secret-value-0123456789';
    expect((await fetch(`${hub.url}/api/audit?tok%65n=${secret}`)).status).toBe(401);
    expect((await fetch(`${hub.url}/api/audit?x=1&%74oken=${seeded.tokens.bob!}`)).status).toBe(403);
    await hub.waitForLog((l) => l.includes('%74oken='));
    expect(hub.stderr.join('\n')).not.toContain(secret);
  });
});

describe('login backoff', () => {
  it('a user name gets 429 with Retry-After after a few failures, from any address, even with the right password', async () => {
    for (let i = 0; i < 6; i++) expect((await login('alice', 'wrong', { 'x-forwarded-for': `10.1.0.${i}` })).status).toBe(401);
    const limited = await login('alice', 'pw', { 'x-forwarded-for': '10.1.0.99' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(await limited.json()).toEqual({ code: 'rate_limited', message: 'Too many failed sign-ins; retry in 1 s.', details: { retry_after_ms: 1000 } });
  });

  it('an address gets 429 after a run of failures, whatever names it tries', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 30 && statuses.at(-1) !== 429; i++) statuses.push((await login(`user${i}`, 'wrong', { 'x-forwarded-for': '10.2.0.1' })).status);
    expect(statuses.length).toBeLessThanOrEqual(22);
    expect(statuses.at(-1)).toBe(429);
    // Another address and another name are not affected.
    expect((await login('bob', 'pw', { 'x-forwarded-for': '10.2.0.2' })).status).toBe(200);
  });

  it('an unknown name and a wrong password are refused alike', async () => {
    const known = await login('bob', 'wrong', { 'x-forwarded-for': '10.3.0.1' });
    const unknown = await login('nobody', 'wrong', { 'x-forwarded-for': '10.3.0.2' });
    expect([known.status, await known.json()]).toEqual([401, { code: 'unauthorized', message: 'Wrong user name or password.' }]);
    expect([unknown.status, await unknown.json()]).toEqual([401, { code: 'unauthorized', message: 'Wrong user name or password.' }]);
  });
});

describe('Host allow-list', () => {
  it('refuses a foreign Host on HTTP (421) but answers localhost names, configured names and /healthz', async () => {
    expect(await rawStatus([`GET /api/me HTTP/1.1`, `Host: rebind.evil.example:${hub.port}`])).toBe('HTTP/1.1 421 Misdirected Request');
    expect(await rawStatus([`GET /api/me HTTP/1.1`, `Host: localhost:${hub.port}`])).toBe('HTTP/1.1 401 Unauthorized');
    expect(await rawStatus([`GET /api/me HTTP/1.1`, `Host: [::1]:${hub.port}`])).toBe('HTTP/1.1 401 Unauthorized');
    expect(await rawStatus([`GET /api/me HTTP/1.1`, 'Host: pilothouse.example.com'])).toBe('HTTP/1.1 401 Unauthorized');
    expect(await rawStatus([`GET /healthz HTTP/1.1`, `Host: 10.9.9.9:${hub.port}`])).toBe('HTTP/1.1 200 OK');
    const res = await fetch(`${hub.url}/api/login`, { method: 'POST' });
    expect(res.status).not.toBe(421);
  });

  it('refuses a foreign Host on the WebSocket upgrade, accepts localhost', async () => {
    expect(await upgrade(`rebind.evil.example:${hub.port}`)).toBe('HTTP/1.1 421 Misdirected Request');
    expect(await upgrade(`localhost:${hub.port}`)).toBe('HTTP/1.1 101 Switching Protocols');
  });

  it('still hands preview hosts to the preview proxy', async () => {
    expect(await rawStatus([`GET / HTTP/1.1`, `Host: p1234567890abcdef.preview.localhost:${hub.port}`])).not.toBe('HTTP/1.1 421 Misdirected Request');
  });
});

describe('cookies and sign-out', () => {
  it('a malformed cookie is ignored, not a 500', async () => {
    expect((await fetch(`${hub.url}/api/me`, { headers: { cookie: 'ph_session=%' } })).status).toBe(401);
    expect((await fetch(`${hub.url}/api/me`, { headers: { cookie: 'ph_session=%; x=%E0%A4%A', authorization: `Bearer ${seeded.tokens.bob}` } })).status).toBe(200);
  });

  it('refuses a cross-origin sign-out, accepts a same-origin one', async () => {
    const cross = await fetch(`${hub.url}/api/logout`, { method: 'POST', headers: { origin: 'http://evil.example' } });
    expect(cross.status).toBe(403);
    expect(cross.headers.get('set-cookie')).toBeNull();
    const same = await fetch(`${hub.url}/api/logout`, { method: 'POST', headers: { origin: hub.url } });
    expect(same.status).toBe(200);
  });

  it('marks the session cookie Secure when the trusted proxy says https, not otherwise', async () => {
    const https = await login('carol', 'pw', { 'x-forwarded-proto': 'https', 'x-forwarded-for': '10.4.0.1' });
    expect(https.headers.get('set-cookie')).toMatch(/; Secure$/);
    const http = await login('carol', 'pw', { 'x-forwarded-for': '10.4.0.1' });
    expect(http.headers.get('set-cookie')).not.toContain('Secure');
  });
});

describe('audit of refusals', () => {
  it('coalesces refusals: one row at once per name and address, the rest counted when the window ends (here: at shutdown)', async () => {
    const before = await (await fetch(`${hub.url}/api/audit?token=${seeded.tokens.alice}&action=login_refused&limit=1000`)).json() as { entries: { detail: { name: string } }[] };
    expect(before.entries.filter((e) => e.detail.name === 'alice')).toHaveLength(6); // 6 addresses, one row each
    for (let i = 0; i < 6; i++) await login('bob', 'wrong', { 'x-forwarded-for': '10.5.0.1' });
    await hub.stop();
    const store = await Store.open({ kind: 'sqlite', dataDir: seeded.dataDir });
    try {
      const rows = (await store.listAudit({ limit: 1000, action: 'login_refused' })).filter((e) => (e.detail as { address: string }).address === '10.5.0.1');
      expect(rows.map((e) => e.detail)).toEqual([
        { name: 'bob', address: '10.5.0.1', count: 4, window_ms: 60_000 },
        { name: 'bob', address: '10.5.0.1', count: 1 },
      ]);
      const limited = await store.listAudit({ limit: 1000, action: 'sign_in_rate_limited' });
      expect(limited.map((e) => (e.detail as { count: number }).count).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(2);
    } finally {
      await store.close();
    }
  });
});

describe('without --trust-proxy', () => {
  it('ignores X-Forwarded-Proto and X-Forwarded-For', async () => {
    const plain = await startHubProcess(seeded.dataDir);
    try {
      const res = await fetch(`${plain.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' }, body: JSON.stringify({ name: 'carol', password: 'pw' }) });
      expect(res.status).toBe(200);
      expect(res.headers.get('set-cookie')).not.toContain('Secure');
    } finally {
      await plain.stop();
    }
  });
});
