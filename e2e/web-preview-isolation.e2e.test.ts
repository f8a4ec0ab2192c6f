// Preview origins isolated from each other, in Chromium: all `*.preview.localhost` hosts are one
// site, so the browser itself lets preview A's page send B's SameSite cookie to B and plant cookies
// for the parent domain. The victim holds grants for both; A's page tries a credentialed fetch, a
// no-cors fetch, an image, an iframe and a WebSocket to B, and plants `Domain=preview.localhost`
// cookies (one new name, two of B's own names). Asserted at B's dev server: none of A's requests
// arrived, and B's next request carries only the cookie B can prove it set. Waits are on the page.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { PreviewGrantReply } from '@pilothouse/protocol';
import { launchBrowser } from './support/browser.js';
import { previewId, startDevServer, startFakeRunner, startWorld, type DevServer, type FakeRunner, type World } from '@pilothouse/hub/testing';

const A = previewId();
const B = previewId();
let world: World;
let runner: FakeRunner;
let devB: DevServer;
let attacker: Server;
let browser: Browser;
let context: BrowserContext;
let page: Page;

/** A's dev server: one page that attacks B from A's origin and reports what each attempt did. */
function attackPage(b: string): string {
  const ws = b.replace(/^http/, 'ws');
  return `<!doctype html><meta charset="utf-8"><title>A</title><body><script>
const settle = (p) => p.then((v) => v, () => 'error');
const tries = {
  fetch: settle(fetch('${b}/from-a/fetch', { method: 'POST', credentials: 'include', body: 'steal' }).then((r) => 'status ' + r.status)),
  nocors: settle(fetch('${b}/from-a/nocors', { credentials: 'include', mode: 'no-cors' }).then(() => 'opaque')),
  image: new Promise((res) => { const i = new Image(); i.onload = () => res('loaded'); i.onerror = () => res('error'); i.src = '${b}/from-a/image'; }),
  frame: new Promise((res) => { const f = document.createElement('iframe'); f.onload = () => res('loaded'); f.src = '${b}/from-a/frame'; document.body.append(f); }),
  socket: new Promise((res) => { const s = new WebSocket('${ws}/from-a/socket'); s.onopen = () => res('open'); s.onerror = () => res('error'); }),
};
for (const name of ['planted', 'theme', 'app']) document.cookie = name + '=from-a; Domain=preview.localhost; Path=/';
window.__partial = {};
Promise.all(Object.entries(tries).map(([k, p]) => p.then((v) => (window.__partial[k] = v, [k, v])))).then((r) => { window.__results = Object.fromEntries(r); });
</script></body>`;
}

/** Signs the victim in to a preview the way the web UI does: from a hub page, to the grant link. */
async function grantFromHub(id: string): Promise<void> {
  const reply = await world.grant(id, 'alice');
  expect(reply.status).toBe(200);
  const { url } = JSON.parse(reply.body) as PreviewGrantReply;
  await page.goto(`${world.hub.url}/healthz`);
  await page.evaluate((u) => ((globalThis as unknown as { location: { href: string } }).location.href = u), url);
  await page.waitForURL(`${world.originOf(id)}/`);
}

beforeAll(async () => {
  [world, browser, devB] = await Promise.all([startWorld(), launchBrowser(), startDevServer()]);
  attacker = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end(attackPage(world.originOf(B)));
  });
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  runner = await startFakeRunner(world, 'alice');
  await runner.openPreview(A, (attacker.address() as AddressInfo).port);
  await runner.openPreview(B, devB.port);
  context = await browser.newContext();
  page = await context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await runner?.close();
  attacker?.close();
  await devB?.close();
  await world?.close();
});

it('a page of preview A reaches nothing of preview B, and B receives none of A’s cookies', async () => {
  await grantFromHub(B);
  // B's own cookies: one HttpOnly (app=1) and one readable by its pages (theme=dark)
  await page.goto(`${world.originOf(B)}/cookies`);
  await grantFromHub(A);
  expect(await page.title()).toBe('A');
  await page.waitForFunction(() => (globalThis as { __results?: unknown }).__results !== undefined, undefined, { timeout: 10_000 }).catch(async (err: unknown) => {
    throw new Error(`A's attempts did not settle: ${JSON.stringify(await page.evaluate(() => (globalThis as { __partial?: unknown }).__partial))}`, { cause: err });
  });
  const results = (await page.evaluate(() => (globalThis as { __results?: unknown }).__results)) as Record<string, string>;
  // the planted cookies are in the browser: the hub cannot stop that, only keep them from B
  expect(await page.evaluate(() => (globalThis as unknown as { document: { cookie: string } }).document.cookie)).toContain('planted=from-a');

  await page.goto(`${world.originOf(B)}/after`);
  const fromA = devB.seen.filter((s) => s.url.startsWith('/from-a'));
  expect(fromA, `A's attempts ${JSON.stringify(results)}`).toEqual([]);
  expect(results.socket).toBe('error');
  const after = devB.seen.find((s) => s.url === '/after')!;
  // theme now exists twice in the browser (B's and A's planted one): neither can be attributed
  expect(after.headers.cookie).toBe('app=1');
  for (const s of devB.seen) expect(s.headers.cookie ?? '').not.toContain('from-a');
});
