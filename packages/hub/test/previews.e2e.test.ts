// Previews end to end: a real hub, a runner made of the real hub client and tunnel client, and a
// real dev server (http + ws). The browser is played by node requests to 127.0.0.1 carrying the
// preview's Host header.

import { Agent } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { PREVIEW_COOKIE, PREVIEW_GRANT_PATH, type PreviewGrantReply } from '@pilothouse/protocol';
import { startDevServer, type DevServer } from './dev-server.js';
import { digest, newToken } from '../src/auth/secrets.js';
import { bounceTarget, cookieValue, previewId, startRunner, startWorld, type FakeRunner, type World } from './preview-world.js';

let world: World;
let dev: DevServer;
let runner: FakeRunner;
let id: string;
let cookie: string;
const cleanups: (() => Promise<void> | void)[] = [];

const browser = (extra: Record<string, string> = {}) => ({ Host: world.hostOf(id), Cookie: `${PREVIEW_COOKIE}=${cookie}`, ...extra });

beforeAll(async () => {
  world = await startWorld();
  dev = await startDevServer();
  runner = await startRunner(world);
  id = previewId();
  const opened = await runner.openPreview(id, dev.port);
  expect(opened).toEqual({ preview_id: id, url: `${world.originOf(id)}/` });
  cookie = await world.signIn(id, 'alice');
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(async () => {
  await runner.close();
  await dev.close();
  await world.close();
});

function openSocket(path: string, headers: Record<string, string>, protocols: string[] = ['vite-hmr']): Promise<{ ws: WebSocket; messages: string[]; next: () => Promise<string> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${world.hub.port}${path}`, protocols, { headers });
    const messages: string[] = [];
    let waiters: ((m: string) => void)[] = [];
    ws.on('message', (data) => {
      const text = (data as Buffer).toString('utf8');
      const w = waiters.shift();
      if (w) w(text);
      else messages.push(text);
    });
    const next = () => (messages.length > 0 ? Promise.resolve(messages.shift()!) : new Promise<string>((r) => (waiters = [...waiters, r])));
    ws.once('open', () => resolve({ ws, messages, next }));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    ws.once('error', reject);
    cleanups.push(() => ws.terminate());
  });
}

/** The status an upgrade is refused with. */
function refusedUpgrade(path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${world.hub.port}${path}`, ['vite-hmr'], { headers });
    ws.once('open', () => reject(new Error('the upgrade was accepted')));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += String(c)));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.once('error', () => {});
  });
}

describe('grant flow', () => {
  it('a member gets a one-time link; the code becomes a host-only HttpOnly SameSite=Strict cookie and a same-origin bounce to next', async () => {
    const granted = await world.grant(id, 'bob', '/app/page?x=1');
    expect(granted.status).toBe(200);
    expect(granted.headers['cache-control']).toBe('no-store');
    const reply = JSON.parse(granted.body) as PreviewGrantReply;
    const url = new URL(reply.url);
    expect(`${url.protocol}//${url.host}`).toBe(world.originOf(id));
    expect(url.pathname).toBe(PREVIEW_GRANT_PATH);
    expect(url.searchParams.get('next')).toBe('/app/page?x=1');
    expect(url.searchParams.get('code')!.length).toBeGreaterThanOrEqual(43); // 256 bits, base64url
    expect(Date.parse(reply.expires_at) - Date.now()).toBeGreaterThan(50_000);

    const exchanged = await world.send({ path: url.pathname + url.search, headers: { Host: url.host } });
    expect(exchanged.status).toBe(200);
    expect(bounceTarget(exchanged)).toBe('/app/page?x=1');
    expect(exchanged.headers['content-security-policy']).toBe("default-src 'none'");
    expect(exchanged.headers['referrer-policy']).toBe('no-referrer');
    const setCookie = exchanged.headers['set-cookie']!;
    expect(setCookie).toHaveLength(1);
    expect(setCookie[0]).toMatch(new RegExp(`^${PREVIEW_COOKIE}=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=/; Max-Age=43200$`));
    expect(setCookie[0]).not.toMatch(/domain/i);
    expect(exchanged.body).not.toContain(url.searchParams.get('code'));

    // single use
    const again = await world.send({ path: url.pathname + url.search, headers: { Host: url.host, Accept: 'application/json' } });
    expect(again.status).toBe(401);
    expect(JSON.parse(again.body)).toMatchObject({ code: 'grant_invalid' });
    // the cookie works
    const page = await world.send({ path: '/hi', headers: { Host: world.hostOf(id), Cookie: `${PREVIEW_COOKIE}=${cookieValue(setCookie)!}` } });
    expect(page).toMatchObject({ status: 200, body: 'hello GET /hi' });
  });

  it('forged codes, another preview\'s code and unsafe next values are refused or neutralised', async () => {
    const forged = await world.send({ path: `${PREVIEW_GRANT_PATH}?code=${'A'.repeat(43)}&next=/`, headers: { Host: world.hostOf(id) } });
    expect(forged.status).toBe(401);
    expect(forged.headers['content-type']).toMatch(/text\/html/);
    expect(forged.body).toContain('grant_invalid');
    expect(forged.headers['set-cookie']).toBeUndefined();
    const missing = await world.send({ path: PREVIEW_GRANT_PATH, headers: { Host: world.hostOf(id) } });
    expect(missing.status).toBe(401);

    // a code for preview A presented on preview B's host is refused (and spent)
    const other = previewId();
    await runner.openPreview(other, dev.port);
    cleanups.push(() => runner.closePreview(other));
    const forA = new URL((JSON.parse((await world.grant(id, 'alice')).body) as PreviewGrantReply).url);
    const onB = await world.send({ path: forA.pathname + forA.search, headers: { Host: world.hostOf(other) } });
    expect(onB.status).toBe(401);
    expect((await world.send({ path: forA.pathname + forA.search, headers: { Host: forA.host } })).status).toBe(401);

    for (const next of ['//evil.example/x', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)']) {
      const granted = await world.grant(id, 'alice', next);
      const url = new URL((JSON.parse(granted.body) as PreviewGrantReply).url);
      expect(url.searchParams.get('next')).toBe('/');
      // a hand-edited next is neutralised at the exchange as well
      url.searchParams.set('next', next);
      const exchanged = await world.send({ path: url.pathname + url.search, headers: { Host: url.host } });
      expect(exchanged.status).toBe(200);
      expect(bounceTarget(exchanged)).toBe('/');
    }
  });

  it('a next path with non-ASCII characters bounces percent-encoded (a raw one cannot be a header value)', async () => {
    const granted = await world.grant(id, 'alice', '/café/ü?q=€');
    expect(granted.status).toBe(200);
    const url = new URL((JSON.parse(granted.body) as PreviewGrantReply).url);
    const exchanged = await world.send({ path: url.pathname + url.search, headers: { Host: url.host } });
    expect(exchanged.status).toBe(200);
    expect(bounceTarget(exchanged)).toBe('/caf%C3%A9/%C3%BC?q=%E2%82%AC');
    expect(cookieValue(exchanged.headers['set-cookie'])).not.toBeNull();
    // a lone surrogate has no UTF-8 form: home instead
    const lone = new URL((JSON.parse((await world.grant(id, 'alice', '/a\ud800b')).body) as PreviewGrantReply).url);
    expect(bounceTarget(await world.send({ path: lone.pathname + lone.search, headers: { Host: lone.host } }))).toBe('/');
  });

  it('refuses a grant to a non-member (403 not_member), without credentials (401) and for unknown ids (404)', async () => {
    const carol = await world.grant(id, 'carol');
    expect(carol.status).toBe(403);
    expect(JSON.parse(carol.body)).toMatchObject({ code: 'not_member' });
    const anonymous = await world.send({ method: 'POST', path: `/api/previews/${id}/grant` });
    expect(anonymous.status).toBe(401);
    expect((await world.grant('zzzzzzzz9', 'alice')).status).toBe(404);
    expect((await world.grant('NOT_AN_ID', 'alice')).status).toBe(404);
  });

  it('answers 401 without a valid cookie, for HTTP and for WebSocket upgrades', async () => {
    const none = await world.send({ path: '/', headers: { Host: world.hostOf(id), Accept: 'application/json' } });
    expect(none.status).toBe(401);
    expect(JSON.parse(none.body)).toMatchObject({ code: 'grant_invalid' });
    const forged = await world.send({ path: '/', headers: { Host: world.hostOf(id), Cookie: `${PREVIEW_COOKIE}=forged` } });
    expect(forged.status).toBe(401);
    expect(forged.body).toContain('<code>grant_invalid</code>');
    expect(forged.headers['content-security-policy']).toBe("default-src 'none'; style-src 'unsafe-inline'");
    expect((await refusedUpgrade('/', { Host: world.hostOf(id) })).status).toBe(401);
    expect((await refusedUpgrade('/', { Host: world.hostOf(id), Cookie: `${PREVIEW_COOKIE}=forged` })).status).toBe(401);
    // a cookie of another preview does not open this one
    const other = previewId();
    await runner.openPreview(other, dev.port);
    cleanups.push(() => runner.closePreview(other));
    const otherCookie = await world.signIn(other, 'alice');
    expect((await world.send({ path: '/', headers: { Host: world.hostOf(id), Cookie: `${PREVIEW_COOKIE}=${otherCookie}` } })).status).toBe(401);
  });
});

describe('membership on every request', () => {
  it('a person removed from the channel loses the preview, cookie or not (403 not_member)', async () => {
    const channel = (await world.hub.store.channelByRef({ workspace: 'acme', channel: 'agents' }))!;
    // Carol joins, is let in, and is removed before her first request reaches the preview.
    await world.hub.store.addMember(channel.id, world.users.carol!);
    cleanups.push(async () => void (await world.hub.store.removeMember(channel.id, world.users.carol!)));
    const carolCookie = await world.signIn(id, 'carol');
    expect(await world.hub.store.removeMember(channel.id, world.users.carol!)).toBe(true);
    const refused = await world.send({ path: '/', headers: { Host: world.hostOf(id), Cookie: `${PREVIEW_COOKIE}=${carolCookie}`, Accept: 'application/json' } });
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body)).toMatchObject({ code: 'not_member' });
    expect((await refusedUpgrade('/', { Host: world.hostOf(id), Cookie: `${PREVIEW_COOKIE}=${carolCookie}` })).status).toBe(403);
    // Alice, still a member, is served meanwhile.
    expect(await world.send({ path: '/still', headers: browser() })).toMatchObject({ status: 200, body: 'hello GET /still' });
  });
});

describe('HTTP through the preview', () => {
  it('GET and POST with a body, query strings kept; the dev server sees Host localhost:<port>, its own cookies and no other', async () => {
    const jar = (await world.send({ path: '/cookies', headers: browser() })).headers['set-cookie']!.map((c) => c.split(';')[0]).join('; ');
    const from = dev.seen.length;
    const get = await world.send({ path: '/page?a=1&b=two%20words', headers: browser({ Cookie: `app=planted; ${jar}; ${PREVIEW_COOKIE}=${cookie}; ph_session=hub-secret; planted=1` }) });
    expect(get).toMatchObject({ status: 200, body: 'hello GET /page?a=1&b=two%20words' });
    const body = 'x'.repeat(200_000);
    const post = await world.send({ method: 'POST', path: '/echo?q=1', headers: browser({ 'Content-Type': 'text/plain', Origin: world.originOf(id) }), body });
    expect(post.status).toBe(200);
    expect(post.headers['x-seen-method']).toBe('POST');
    expect(post.body).toBe(body);
    const put = await world.send({ method: 'PUT', path: '/echo', headers: browser({ Origin: 'http://other.example' }), body: 'put body' });
    expect(put.body).toBe('put body');

    const [seenGet, seenPost, seenPut] = dev.seen.slice(from);
    expect(seenGet!.url).toBe('/page?a=1&b=two%20words');
    expect(seenGet!.headers.host).toBe(`localhost:${dev.port}`);
    expect(seenGet!.headers.cookie).toBe('app=1; theme=dark');
    expect(seenGet!.headers['x-forwarded-host']).toBe(world.hostOf(id));
    expect(seenGet!.headers['x-forwarded-proto']).toBe('http');
    expect(seenGet!.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(seenPost).toMatchObject({ method: 'POST', url: '/echo?q=1', body });
    expect(seenPost!.headers.origin).toBe(`http://localhost:${dev.port}`);
    expect(seenPost!.headers.cookie).toBeUndefined();
    expect(seenPut!.headers.origin).toBe('http://other.example');
    for (const s of dev.seen) expect(JSON.stringify(s.headers)).not.toContain(cookie);
  });

  it("a cookie another preview planted for the parent domain reaches the dev server only from a browser it set that name for", async () => {
    // The dev server sets theme (not HttpOnly) for alice's browser ...
    expect((await world.send({ path: '/cookies', headers: browser() })).status).toBe(200);
    // ... and bob's browser, which never got it here, carries theme=… that a page of another preview
    // set with document.cookie = "theme=…; Domain=preview.localhost" (Chromium keeps such a cookie).
    const bob = await world.signIn(id, 'bob');
    const from = dev.seen.length;
    const page = await world.send({ path: '/page', headers: { Host: world.hostOf(id), Cookie: `theme=planted-by-preview-a; ${PREVIEW_COOKIE}=${bob}` } });
    expect(page.status).toBe(200);
    expect(dev.seen[from]!.headers.cookie).toBeUndefined();
    // Once the dev server set theme for bob's browser too, his own theme reaches it as before.
    const jar = (await world.send({ path: '/cookies', headers: { Host: world.hostOf(id), Cookie: `${PREVIEW_COOKIE}=${bob}` } })).headers['set-cookie']!.map((c) => c.split(';')[0]).join('; ');
    const next = dev.seen.length;
    await world.send({ path: '/page', headers: { Host: world.hostOf(id), Cookie: `${jar}; ${PREVIEW_COOKIE}=${bob}` } });
    expect(dev.seen[next]!.headers.cookie).toBe('app=1; theme=dark');
  });

  it('a preview cookie stops working once the token (or session) that asked for its grant is revoked (or signed out)', async () => {
    const user = (await world.hub.store.userByName('bob'))!;
    const secret = newToken();
    const tokenId = await world.hub.store.createToken({ userId: user.id, tokenHash: digest(secret), label: 'laptop' });
    world.tokens['bob-laptop'] = secret;
    const preview = await world.signIn(id, 'bob-laptop');
    const get = () => world.send({ path: '/page', headers: { Host: world.hostOf(id), Cookie: `${PREVIEW_COOKIE}=${preview}` } });
    expect((await get()).status).toBe(200);
    await world.hub.store.revokeToken(tokenId);
    await vi.waitFor(async () => expect((await get()).status).toBe(401), { timeout: 15_000, interval: 200 });
  }, 20_000);

  it('a preview cookie granted to a browser session stops working once that session signs out', async () => {
    const hubHost = `127.0.0.1:${world.hub.port}`;
    const login = await world.send({ method: 'POST', path: '/api/login', headers: { Host: hubHost, 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'bob', password: 'pw' }) });
    const session = String(login.headers['set-cookie']![0]).split(';')[0]!;
    const granted = await world.send({ method: 'POST', path: `/api/previews/${id}/grant`, headers: { Host: hubHost, Cookie: session, Origin: `http://${hubHost}` } });
    expect(granted.status).toBe(200);
    const url = new URL((JSON.parse(granted.body) as PreviewGrantReply).url);
    const exchanged = await world.send({ path: `${url.pathname}${url.search}`, headers: { Host: world.hostOf(id) } });
    const preview = cookieValue(exchanged.headers['set-cookie'])!;
    const get = () => world.send({ path: '/page', headers: { Host: world.hostOf(id), Cookie: `${PREVIEW_COOKIE}=${preview}` } });
    expect((await get()).status).toBe(200);
    expect((await world.send({ method: 'POST', path: '/api/logout', headers: { Host: hubHost, Cookie: session, Origin: `http://${hubHost}` } })).status).toBe(200);
    await vi.waitFor(async () => expect((await get()).status).toBe(401), { timeout: 15_000, interval: 200 });
  }, 20_000);

  it("one member signing in to a preview over and over does not push another member's preview cookie out", async () => {
    const alice = await world.signIn(id, 'alice');
    const get = (c: string) => world.send({ path: '/page', headers: { Host: world.hostOf(id), Cookie: `${PREVIEW_COOKIE}=${c}` } });
    expect((await get(alice)).status).toBe(200);
    // More cookies than a preview keeps (1,000), all bob's.
    for (let i = 0; i < 1010; i += 10) await Promise.all(Array.from({ length: 10 }, () => world.signIn(id, 'bob')));
    expect((await get(alice)).status).toBe(200);
  }, 60_000);

  it('a streaming response arrives chunk by chunk', async () => {
    const res = await world.open({ path: '/stream', headers: browser() });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream');
    const chunks: string[] = [];
    const nextChunk = () => new Promise<string>((resolve) => res.once('data', (c: Buffer) => resolve(String(c))));
    chunks.push(await nextChunk());
    expect(chunks).toEqual(['data: chunk 1\n\n']);
    dev.release();
    chunks.push(await nextChunk());
    dev.release();
    chunks.push(await nextChunk());
    dev.release();
    await new Promise((resolve) => res.once('end', resolve));
    expect(chunks).toEqual(['data: chunk 1\n\n', 'data: chunk 2\n\n', 'data: chunk 3\n\n']);
  });

  it('keep-alive: many requests ride fewer tunnel streams than requests', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 3 });
    cleanups.push(() => agent.destroy());
    const before = dev.connections();
    for (let round = 0; round < 5; round++) {
      const replies = await Promise.all([1, 2, 3].map((i) => world.send({ path: `/r${round}-${i}`, headers: browser(), agent })));
      expect(replies.map((r) => r.body)).toEqual([1, 2, 3].map((i) => `hello GET /r${round}-${i}`));
    }
    const used = dev.connections() - before;
    expect(used).toBeGreaterThan(0);
    expect(used).toBeLessThanOrEqual(6);
  });

  it('the dev server closing idle keep-alive connections does not strand the next requests', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 2 });
    cleanups.push(() => agent.destroy());
    for (let round = 0; round < 3; round++) {
      const replies = await Promise.all([1, 2].map((i) => world.send({ path: `/idle${round}-${i}`, headers: browser(), agent })));
      expect(replies.map((r) => r.body)).toEqual([1, 2].map((i) => `hello GET /idle${round}-${i}`));
      await dev.closeIdle();
      // the dev server's close travels back through the runner: no stream is left half-open
      await vi.waitFor(() => expect(runner.tunnel.stats().open).toBe(0));
    }
  });

  it('Set-Cookie from the dev server: the preview cookie name is dropped, Domain is removed, HttpOnly values tagged; Location to itself points at the preview', async () => {
    const res = await world.send({ path: '/cookies', headers: browser() });
    const [app, theme, ...rest] = res.headers['set-cookie']!;
    // the HttpOnly cookie carries the preview's tag (see cookie-scope.ts), invisible to page scripts
    expect(app).toMatch(/^app=1~ph1\.[A-Za-z0-9_-]{22}; Path=\/; HttpOnly$/);
    expect([theme, ...rest]).toEqual(['theme=dark']);
    const redirect = await world.send({ path: '/redirect', headers: browser() });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.location).toBe(`${world.originOf(id)}/echo?from=redirect`);
  });

  it('only exact preview hosts reach a preview; other hosts are the hub', async () => {
    const from = dev.seen.length;
    for (const host of ['evil.example', `evil.example:${world.hub.port}`, `${id}.preview.localhost.evil.example:${world.hub.port}`, `${id}.preview.localhost:1`, `x.${id}.preview.localhost:${world.hub.port}`, `${id}.preview.localhost`]) {
      const res = await world.send({ path: '/healthz', headers: { Host: host, Cookie: `${PREVIEW_COOKIE}=${cookie}` } });
      expect(res.body, host).toBe('{"ok":true}');
    }
    expect(dev.seen.length).toBe(from);
    // and an upgrade to a foreign host never reaches the dev server either (the hub's Host allow-list refuses it)
    expect((await refusedUpgrade('/', { Host: 'evil.example', Cookie: `${PREVIEW_COOKIE}=${cookie}` })).status).toBe(421);
    expect(dev.seen.length).toBe(from);
    // an unknown (well-formed) preview id is 404
    const unknown = await world.send({ path: '/', headers: { Host: world.hostOf('nosuchpreview1'), Accept: 'application/json' } });
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body)).toMatchObject({ code: 'preview_not_found' });
  });
});

describe('WebSockets through the preview', () => {
  it('passes the vite-hmr subprotocol, the query string and the extensions; echoes both ways', async () => {
    const from = dev.seen.length;
    const { ws, next } = await openSocket('/?token=abc&v=2', browser({ Origin: world.originOf(id) }));
    expect(ws.protocol).toBe('vite-hmr');
    expect(ws.extensions).toContain('permessage-deflate');
    expect(await next()).toBe('hello from dev');
    for (const text of ['ping', 'x'.repeat(100_000), 'ünïcødé']) {
      ws.send(text);
      expect(await next()).toBe(`echo:${text}`);
    }
    const upgrade = dev.seen.slice(from).find((s) => s.method === 'UPGRADE')!;
    expect(upgrade.url).toBe('/?token=abc&v=2');
    expect(upgrade.headers.host).toBe(`localhost:${dev.port}`);
    expect(upgrade.headers['sec-websocket-protocol']).toBe('vite-hmr');
    expect(upgrade.headers.origin).toBe(`http://localhost:${dev.port}`);
    expect(upgrade.headers.cookie).toBeUndefined();
    // the server can push on its own
    for (const s of dev.sockets) s.send('full-reload');
    expect(await next()).toBe('full-reload');
  });

  it('an upgrade the dev server declines reaches the browser as the dev server answered it', async () => {
    const refused = await refusedUpgrade('/refuse?x=1', browser());
    expect(refused).toEqual({ status: 418, body: 'No Socket Here' });
    expect(dev.seen.some((s) => s.url === '/refuse?x=1')).toBe(false); // ws declines before 'connection'
    expect((await world.send({ path: '/after', headers: browser() })).body).toBe('hello GET /after');
  });
});

describe('lifecycle', () => {
  it('preview_close: 410 with the reason, open WebSockets closed, other previews and the API unaffected', async () => {
    const doomed = previewId();
    const other = previewId();
    await runner.openPreview(doomed, dev.port);
    await runner.openPreview(other, dev.port);
    cleanups.push(() => runner.closePreview(other));
    const doomedCookie = await world.signIn(doomed, 'alice');
    const otherCookie = await world.signIn(other, 'alice');
    const { ws, next } = await openSocket('/', { Host: world.hostOf(doomed), Cookie: `${PREVIEW_COOKIE}=${doomedCookie}` });
    expect(await next()).toBe('hello from dev');
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    await runner.client.push('preview_close', { preview_id: doomed, reason: 'process_exited' });
    expect(await closed).toBe(1006);
    const gone = await world.send({ path: '/', headers: { Host: world.hostOf(doomed), Cookie: `${PREVIEW_COOKIE}=${doomedCookie}`, Accept: 'application/json' } });
    expect(gone.status).toBe(410);
    expect(JSON.parse(gone.body)).toMatchObject({ code: 'preview_closed', details: { reason: 'process_exited' } });
    expect((await world.grant(doomed, 'alice')).status).toBe(410);
    expect((await refusedUpgrade('/', { Host: world.hostOf(doomed), Cookie: `${PREVIEW_COOKIE}=${doomedCookie}` })).status).toBe(410);
    // closing again is fine; others keep working
    await runner.client.push('preview_close', { preview_id: doomed, reason: 'process_exited' });
    expect((await world.send({ path: '/still', headers: { Host: world.hostOf(other), Cookie: `${PREVIEW_COOKIE}=${otherCookie}` } })).body).toBe('hello GET /still');
    expect((await world.send({ path: '/healthz' })).body).toBe('{"ok":true}');
  });

  it('preview_close sent right after preview_open (not awaited) leaves the preview closed', async () => {
    const pid = previewId();
    runner.approved.set(pid, dev.port);
    const opening = runner.client.push('preview_open', { preview_id: pid, port: dev.port, thread_id: runner.threadId });
    const closing = runner.client.push('preview_close', { preview_id: pid, reason: 'process_exited' });
    await Promise.allSettled([opening, closing]);
    runner.approved.delete(pid);
    const res = await world.send({ path: '/', headers: { Host: world.hostOf(pid), Accept: 'application/json' } });
    expect(res.status).toBe(410);
    expect((await world.grant(pid, 'alice')).status).toBe(410);
  });

  it('another user cannot open or close an id that is not theirs', async () => {
    const bob = await startRunner(world, 'bob');
    cleanups.push(() => bob.close());
    await expect(bob.openPreview(id, dev.port)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(bob.client.push('preview_close', { preview_id: id, reason: 'revoked' })).rejects.toMatchObject({ code: 'forbidden' });
    expect((await world.send({ path: '/ok', headers: browser() })).status).toBe(200);
  });

  it('dev server down: 502 upstream_refused; a revoked port: 403; back up: served again', async () => {
    const down = await startDevServer();
    const port = down.port;
    await down.close();
    const pid = previewId();
    await runner.openPreview(pid, port);
    cleanups.push(() => runner.closePreview(pid));
    const c = await world.signIn(pid, 'alice');
    const res = await world.send({ path: '/', headers: { Host: world.hostOf(pid), Cookie: `${PREVIEW_COOKIE}=${c}` } });
    expect(res.status).toBe(502);
    expect(res.body).toContain('<code>upstream_refused</code>');
    expect((await refusedUpgrade('/', { Host: world.hostOf(pid), Cookie: `${PREVIEW_COOKIE}=${c}` })).status).toBe(502);
    runner.approved.set(pid, port + 1); // the runner no longer approves this port
    const revoked = await world.send({ path: '/', headers: { Host: world.hostOf(pid), Cookie: `${PREVIEW_COOKIE}=${c}`, Accept: 'application/json' } });
    expect(revoked.status).toBe(403);
    expect(JSON.parse(revoked.body)).toMatchObject({ code: 'forbidden' });
  });

  it('a dev server listening on ::1 only is reached through the IPv6 fallback', async () => {
    const v6 = await startDevServer('::1');
    cleanups.push(() => v6.close());
    const pid = previewId();
    await runner.openPreview(pid, v6.port);
    cleanups.push(() => runner.closePreview(pid));
    const c = await world.signIn(pid, 'alice');
    const res = await world.send({ path: '/six', headers: { Host: world.hostOf(pid), Cookie: `${PREVIEW_COOKIE}=${c}` } });
    expect(res).toMatchObject({ status: 200, body: 'hello GET /six' });
  });
});

describe('runner offline', () => {
  it('503 while the runner is away, WebSockets closed; served again once it re-opens the preview', async () => {
    const away = await startRunner(world, 'alice', 'runner-away');
    const pid = previewId();
    await away.openPreview(pid, dev.port);
    const c = await world.signIn(pid, 'alice');
    const headers = { Host: world.hostOf(pid), Cookie: `${PREVIEW_COOKIE}=${c}` };
    const { ws, next } = await openSocket('/', headers);
    expect(await next()).toBe('hello from dev');
    const closed = new Promise((resolve) => ws.once('close', resolve));
    await away.client.close();
    await closed;
    const offline = await world.send({ path: '/', headers: { ...headers, Accept: 'application/json' } });
    expect(offline.status).toBe(503);
    expect(JSON.parse(offline.body)).toMatchObject({ code: 'preview_unavailable', message: 'The runner for this preview is offline.' });
    expect((await refusedUpgrade('/', headers)).status).toBe(503);
    // a new runner process of the same user re-opens it (same id): the cookie still works
    const back = await startRunner(world, 'alice', 'runner-away');
    cleanups.push(() => back.close());
    await back.openPreview(pid, dev.port);
    expect((await world.send({ path: '/back', headers })).body).toBe('hello GET /back');
    // the normal API is served throughout
    expect((await world.send({ path: '/api/me', headers: { Authorization: `Bearer ${world.tokens.alice!}` } })).status).toBe(200);
  });
});
