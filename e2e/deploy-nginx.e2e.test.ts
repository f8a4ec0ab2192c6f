// The nginx recipe (deploy/nginx/pilothouse.conf), as written: only its ports, certificate paths
// and upstream are changed for the test. Debian's nginx terminates TLS with a self-signed
// certificate for the hub's name and the wildcard preview host, in front of a real `pilothouse hub`
// (--public-url, --trust-proxy, --preview-origin, --metrics-token). Chromium resolves both names to
// 127.0.0.1 and trusts exactly that certificate's key. Through nginx: sign-in with a Secure cookie,
// the thread live over the WebSocket both ways, a preview on its own wildcard host with its own
// WebSocket; /metrics never, whatever the path's spelling or the Host games; HTTP redirects to
// HTTPS; unknown names get no TLS handshake. Waits are on the page, on events or on nginx's log.

import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelEvent } from '@pilothouse/protocol';
import { connectHub, createTunnelClient, memoryCursor, type HubClient, type TunnelClient } from '@pilothouse/runner';
import { cleanupDir, previewId, seed, startDevServer, startHubProcess, type DevServer, type HubProcess } from '@pilothouse/hub/testing';
import { BROWSER_ARGS, CHROMIUM, ensureWebBuild, openPerson, signIn, type Person } from './support/browser.js';
import { freePort } from './support/dev-server.js';
import { selfSignedCert, startNginx, type Cert, type Nginx } from './support/nginx.js';

const RECIPE = join(import.meta.dirname, '..', 'deploy', 'nginx', 'pilothouse.conf');
const HUB_NAME = 'pilothouse.example.com';
const PREVIEW_DOMAIN = 'preview.example.net';
const METRICS_TOKEN = `metrics-${randomUUID()}`;
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

let dir: string;
let dataDir: string;
let cert: Cert;
let httpsPort: number;
let httpPort: number;
let hub: HubProcess;
let nginx: Nginx;
let dev: DevServer;
let browser: Browser;
let alice: Person;
let runner: { client: HubClient; tunnel: TunnelClient; threadId: string; events: ChannelEvent[]; approved: Map<string, number> };
const eventWaiters: (() => void)[] = [];
let hubOrigin: string;

/** Replaces `from` (it must occur) everywhere: a recipe that changed shape fails here, not later. */
function replaceAll(text: string, from: string | RegExp, to: string): string {
  const found = typeof from === 'string' ? text.includes(from) : from.test(text);
  if (!found) throw new Error(`the recipe no longer contains ${String(from)}`);
  return typeof from === 'string' ? text.split(from).join(to) : text.replace(new RegExp(from.source, `${from.flags.replace('g', '')}g`), to);
}

/** The recipe with the test's ports, certificate and hub; nothing else changes. */
function templated(hubPort: number): string {
  let conf = readFileSync(RECIPE, 'utf8');
  conf = replaceAll(conf, 'server 127.0.0.1:4860;', `server 127.0.0.1:${hubPort};`);
  conf = replaceAll(conf, '/etc/ssl/pilothouse/fullchain.pem', cert.certFile);
  conf = replaceAll(conf, '/etc/ssl/pilothouse/privkey.pem', cert.keyFile);
  conf = replaceAll(conf, /^\s*listen \[::\]:.*$\n/m, ''); // loopback IPv4 only
  conf = replaceAll(conf, /listen 443 /, `listen 127.0.0.1:${httpsPort} `);
  conf = replaceAll(conf, /listen 80;/, `listen 127.0.0.1:${httpPort};`);
  return conf;
}

async function nextEvent(pred: (e: ChannelEvent) => boolean): Promise<ChannelEvent> {
  for (;;) {
    const found = runner.events.find(pred);
    if (found) return found;
    await new Promise<void>((resolve) => eventWaiters.push(resolve));
  }
}

/** A runner as `pilothouse run` wires its hub client and tunnel, on the hub's loopback address. */
async function startRunner(token: string): Promise<typeof runner> {
  const events: ChannelEvent[] = [];
  const approved = new Map<string, number>();
  const tunnel = createTunnelClient({ hubUrl: hub.url, token, logger: quiet, isApproved: (id, port) => approved.get(id) === port });
  const runnerId = `runner-${randomUUID().slice(0, 8)}`;
  const client = await connectHub({
    url: hub.url,
    token,
    channel: 'acme/agents',
    cursor: memoryCursor(),
    runner: { runner_id: runnerId, instance_id: randomUUID(), name: 'laptop', cwd: '/work', agent: { name: 'codex', version: '0.0.0' }, capabilities: [] },
    logger: quiet,
    onEvent: (e) => {
      events.push(e);
      for (const wake of eventWaiters.splice(0)) wake();
    },
    onDirective: (d) => {
      if (d.type === 'tunnel_open') tunnel.handle(d.payload);
    },
  });
  const root = await client.push('post_row', { client_id: `root-${runnerId}`, kind: 'session', body: 'Session behind nginx' });
  return { client, tunnel, threadId: root.thread_id, events, approved };
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request to nginx over TLS, as a client that trusts exactly the test's certificate. */
function viaNginx(path: string, opts: { name?: string; host?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  const name = opts.name ?? HUB_NAME;
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port: httpsPort, servername: name, ca: cert.pem, path, agent: false, headers: { Host: opts.host ?? `${name}:${httpsPort}`, ...opts.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.once('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.once('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  ensureWebBuild();
  dir = mkdtempSync(join(tmpdir(), 'ph-nginx-'));
  cert = selfSignedCert(dir, [HUB_NAME, `*.${PREVIEW_DOMAIN}`]);
  [httpsPort, httpPort] = await Promise.all([freePort(), freePort()]);
  hubOrigin = `https://${HUB_NAME}:${httpsPort}`;
  const seeded = await seed(['alice', 'bob']);
  dataDir = seeded.dataDir;
  [hub, dev, browser] = await Promise.all([
    startHubProcess(dataDir, {
      args: ['--public-url', hubOrigin, '--trust-proxy', '--preview-origin', `https://{id}.${PREVIEW_DOMAIN}:${httpsPort}`, '--metrics-token', METRICS_TOKEN],
    }),
    startDevServer(),
    chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [...BROWSER_ARGS, `--host-resolver-rules=MAP ${HUB_NAME} 127.0.0.1, MAP *.${PREVIEW_DOMAIN} 127.0.0.1`, `--ignore-certificate-errors-spki-list=${cert.spki}`],
    }),
  ]);
  nginx = await startNginx(dir, templated(hub.port));
  runner = await startRunner(seeded.tokens.alice!);
  alice = await openPerson(browser);
});

afterAll(async () => {
  await browser?.close();
  runner?.tunnel.closeAll();
  await runner?.client.close();
  await dev?.close();
  await nginx?.stop();
  await hub?.stop();
  if (dataDir) cleanupDir(dataDir);
  if (dir) cleanupDir(dir);
});

describe('the nginx recipe in front of a real hub', () => {
  let page: Page;
  const sockets: string[] = [];

  it('signs in over TLS with a Secure session cookie', async () => {
    page = alice.page;
    page.on('websocket', (ws) => sockets.push(ws.url()));
    await page.goto(hubOrigin);
    await signIn(page, 'alice', 'pw');
    await page.locator('nav.sidebar li[data-channel="acme/agents"]').waitFor();
    const session = (await alice.context.cookies(hubOrigin)).find((c) => c.name === 'ph_session');
    // Secure: the hub believed nginx's X-Forwarded-Proto (--trust-proxy)
    expect(session).toMatchObject({ secure: true, httpOnly: true, domain: HUB_NAME });
  });

  it('shows the thread live: the runner’s rows arrive and a reply reaches the runner, over a WebSocket through nginx', async () => {
    await page.goto(`${hubOrigin}/c/acme/agents/t/${runner.threadId}`);
    await page.locator('article.row[data-kind=session]', { hasText: 'Session behind nginx' }).waitFor();
    await runner.client.push('post_row', { client_id: `a-${randomUUID()}`, thread_id: runner.threadId, item_key: 'turn1:answer', kind: 'assistant', body: 'Streamed through the proxy' });
    await page.locator('article.row[data-kind=assistant]', { hasText: 'Streamed through the proxy' }).waitFor();
    await runner.client.push('append', { item_key: 'turn1:answer', offset: 'Streamed through the proxy'.length, text: ', live.' });
    await page.locator('article.row[data-kind=assistant]', { hasText: 'Streamed through the proxy, live.' }).waitFor();

    await page.fill('.thread textarea', 'hello through nginx');
    await page.press('.thread textarea', 'Enter');
    const posted = await nextEvent((e) => e.type === 'message' && e.payload.message.body === 'hello through nginx');
    expect(posted.type === 'message' && posted.payload.message.thread_id).toBe(runner.threadId);
    expect(sockets.filter((u) => u.startsWith(`wss://${HUB_NAME}:${httpsPort}/socket/websocket?`))).not.toEqual([]);
    expect(alice.errors).toEqual([]);
  });

  it('opens a preview on its wildcard host, its own WebSocket included', async () => {
    const id = previewId();
    runner.approved.set(id, dev.port);
    const opened = await runner.client.push('preview_open', { preview_id: id, port: dev.port, thread_id: runner.threadId });
    const origin = `https://${id}.${PREVIEW_DOMAIN}:${httpsPort}`;
    expect(opened.url).toBe(`${origin}/`);
    // What "Open preview" does: a one-time link from the hub's origin, then the preview's origin.
    const grant = await page.evaluate(async (path) => {
      const res = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
      return (await res.json()) as { url: string };
    }, `/api/previews/${id}/grant`);
    expect(grant.url.startsWith(`${origin}/`)).toBe(true);
    await page.evaluate((u) => ((globalThis as unknown as { location: { href: string } }).location.href = u), grant.url);
    await page.waitForURL(`${origin}/`);
    expect(await page.textContent('body')).toBe('hello GET /');
    const previewCookies = await alice.context.cookies(origin);
    expect(previewCookies.length).toBeGreaterThan(0);
    for (const c of previewCookies) expect(c).toMatchObject({ secure: true, httpOnly: true });

    const echoed = await page.evaluate(
      () =>
        new Promise<string[]>((resolve, reject) => {
          const g = globalThis as unknown as { location: { host: string }; WebSocket: new (url: string, protocol: string) => { onmessage: ((e: { data: string }) => void) | null; onerror: (() => void) | null; send(t: string): void; close(): void } };
          const ws = new g.WebSocket(`wss://${g.location.host}/hmr`, 'vite-hmr');
          const got: string[] = [];
          ws.onerror = () => reject(new Error('the preview socket failed'));
          ws.onmessage = (e) => {
            got.push(e.data);
            if (got.length === 1) ws.send('ping');
            else {
              ws.close();
              resolve(got);
            }
          };
        }),
    );
    expect(echoed).toEqual(['hello from dev', 'echo:ping']);
    // The dev server got the preview's traffic, never the hub's session.
    const hubSession = (await alice.context.cookies(hubOrigin)).find((c) => c.name === 'ph_session')!;
    expect(dev.seen.map((s) => `${s.method} ${s.url}`)).toEqual(expect.arrayContaining(['GET /', 'UPGRADE /hmr']));
    for (const s of dev.seen) expect(s.headers.cookie ?? '').not.toContain(hubSession.value);
  });

  it('never serves /metrics through nginx, even with the scrape token', async () => {
    const bearer = { Authorization: `Bearer ${METRICS_TOKEN}` };
    // The hub does serve it to that token on its own address: what nginx refuses is real.
    const direct = await fetch(`${hub.url}/metrics`, { headers: bearer });
    expect([direct.status, (await direct.text()).includes('# HELP')]).toEqual([200, true]);

    for (const path of ['/metrics', '/metrics/', '/metrics?x=1', '//metrics', '/%6detrics', '/metrics;x', '/METRICS', '/./metrics']) {
      const res = await viaNginx(path, { headers: bearer });
      expect([path, res.status, res.body.includes('# HELP')]).toEqual([path, 404, false]);
    }
    // A request line naming one server and a Host naming the other is refused outright.
    const mixed = await viaNginx(`https://x.${PREVIEW_DOMAIN}:${httpsPort}/metrics`, { name: `x.${PREVIEW_DOMAIN}`, host: `${HUB_NAME}:${httpsPort}`, headers: bearer });
    expect([mixed.status, mixed.body.includes('# HELP')]).toEqual([421, false]);
    // On a preview host /metrics is the dev server's own path, never the hub's.
    const id = previewId();
    runner.approved.set(id, dev.port);
    await runner.client.push('preview_open', { preview_id: id, port: dev.port, thread_id: runner.threadId });
    const onPreview = await viaNginx('/metrics', { name: `${id}.${PREVIEW_DOMAIN}`, headers: bearer });
    expect(onPreview.body.includes('# HELP')).toBe(false);
    expect(onPreview.status).toBe(401); // no preview grant: the hub's preview proxy asks for one
  });

  it('answers health probes, redirects plain HTTP to HTTPS, and refuses the handshake for other names', async () => {
    const health = await viaNginx('/healthz');
    expect([health.status, health.body]).toEqual([200, '{"ok":true}']);
    const ready = await viaNginx('/readyz');
    expect([ready.status, ready.body]).toEqual([200, '{"ok":true}']);

    const redirect = await new Promise<Reply>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: httpPort, path: '/c/acme/agents?x=1', agent: false, headers: { Host: `${HUB_NAME}:${httpPort}` } }, (res) => {
        res.resume();
        res.once('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '' }));
      });
      req.once('error', reject);
      req.end();
    });
    expect([redirect.status, redirect.headers.location]).toEqual([301, `https://${HUB_NAME}/c/acme/agents?x=1`]);

    const refused = await new Promise<string>((resolve) => {
      const socket = tlsConnect({ host: '127.0.0.1', port: httpsPort, servername: 'evil.example', ca: cert.pem });
      socket.once('secureConnect', () => {
        socket.destroy();
        resolve('handshake completed');
      });
      socket.once('error', (err) => resolve(err.message));
    });
    expect(refused).toMatch(/unrecognized name/);
    expect(nginx.log.filter((l) => /\[(emerg|alert|crit)\]/.test(l))).toEqual([]);
  });
});
