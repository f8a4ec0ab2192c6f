import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { PilothouseError } from '@pilothouse/protocol';
import type { Store } from '../store/store.js';
import { createHttpApp } from './app.js';
import { isAppPath } from './static.js';

const root = mkdtempSync(join(tmpdir(), 'ph-web-'));
mkdirSync(join(root, 'assets'));
writeFileSync(join(root, 'index.html'), '<!doctype html><div id="root"></div>');
writeFileSync(join(root, 'assets', 'index-abc.js'), 'console.log(1)');
// The installable app's fixed-name files (packages/web/public, build/classic-scripts.ts).
writeFileSync(join(root, 'sw.js'), 'self.addEventListener("fetch", () => {})');
writeFileSync(join(root, 'manifest.webmanifest'), '{"name":"Pilothouse"}');
mkdirSync(join(root, 'icons'));
writeFileSync(join(root, 'icons', 'icon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
writeFileSync(join(root, 'icons', 'icon-192.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
// A copy one level down, with a secret beside it, for the traversal test.
mkdirSync(join(root, 'web', 'assets'), { recursive: true });
writeFileSync(join(root, 'web', 'index.html'), '<!doctype html><div id="root"></div>');
writeFileSync(join(root, 'secret.txt'), 'TOP SECRET');
afterAll(() => rmSync(root, { recursive: true, force: true }));

const appWith = (webRoot: string | null) =>
  createHttpApp({
    store: {} as Store,
    logger: pino({ level: 'silent' }),
    authenticate: () => Promise.reject(new PilothouseError('unauthorized')),
    sessionId: () => null,
    webRoot,
  });

describe('web UI static serving', () => {
  it('serves the page with its security headers at / and at any app address', async () => {
    const app = appWith(root);
    for (const url of ['/', '/c/acme/agents', '/c/acme/agents/t/5f0c?x=1']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
      expect(res.body).toContain('<div id="root">');
    }
    await app.close();
  });

  it('serves hashed assets as immutable, and never the page for the API, the socket or files', async () => {
    const app = appWith(root);
    const js = await app.inject({ method: 'GET', url: '/assets/index-abc.js' });
    expect([js.statusCode, js.headers['content-type'], js.headers['cache-control']]).toEqual([200, 'application/javascript; charset=utf-8', 'public, max-age=31536000, immutable']);
    for (const url of ['/api/nope', '/socket/x', '/assets/missing.js', '/favicon.ico']) {
      const res = await app.inject({ method: 'GET', url });
      expect([url, res.statusCode, res.json<{ code: string }>().code]).toEqual([url, 404, 'not_found']);
    }
    expect((await app.inject({ method: 'GET', url: '/api/me' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ ok: true });
    await app.close();
  });

  it('serves the service worker, manifest and icons with their types, revalidated on every use', async () => {
    const app = appWith(root);
    const got: [string, number, unknown, unknown, unknown][] = [];
    for (const url of ['/sw.js', '/manifest.webmanifest', '/icons/icon.svg', '/icons/icon-192.png']) {
      const res = await app.inject({ method: 'GET', url });
      got.push([url, res.statusCode, res.headers['content-type'], res.headers['cache-control'], res.headers['x-content-type-options']]);
    }
    expect(got).toEqual([
      ['/sw.js', 200, 'application/javascript; charset=utf-8', 'no-cache', 'nosniff'],
      ['/manifest.webmanifest', 200, 'application/manifest+json', 'no-cache', 'nosniff'],
      ['/icons/icon.svg', 200, 'image/svg+xml', 'no-cache', 'nosniff'],
      ['/icons/icon-192.png', 200, 'image/png', 'no-cache', 'nosniff'],
    ]);
    await app.close();
  });

  it('never serves a file from outside the root, however the path climbs', async () => {
    const app = appWith(join(root, 'web'));
    const urls = ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/assets/%2e%2e/%2e%2e/secret.txt', '/..%5csecret.txt'];
    for (const url of urls) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.body, url).not.toContain('TOP SECRET');
      // Either refused as a missing file, or resolved to an app address inside (the page).
      expect([404, 200], url).toContain(res.statusCode);
    }
    await app.close();
  });

  it('says how to build the UI when there is no build', async () => {
    const app = appWith(join(root, 'nope'));
    const res = await app.inject({ method: 'GET', url: '/c/acme/agents' });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('npm run build');
    expect((await app.inject({ method: 'GET', url: '/api/x' })).statusCode).toBe(404);
    await app.close();
  });

  it('tells app addresses from reserved paths and file names', () => {
    expect(isAppPath('GET', '/c/acme/agents/t/1')).toBe(true);
    expect(isAppPath('HEAD', '/')).toBe(true);
    expect(isAppPath('POST', '/c/acme/agents')).toBe(false);
    expect(isAppPath('GET', '/api')).toBe(false);
    expect(isAppPath('GET', '/socket/websocket')).toBe(false);
    expect(isAppPath('GET', '/healthz')).toBe(false);
    expect(isAppPath('GET', '/robots.txt')).toBe(false);
  });
});
