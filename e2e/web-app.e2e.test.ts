// The page as an installable app, and its colour theme, in Debian's chromium against a real hub:
// the manifest is linked and valid with its icons; the service worker registers, controls the
// page after a reload and opens the app shell offline; it never caches the API. The theme follows
// the system, and a chosen one is remembered and applied before the first frame.

import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSessionHarness, type SessionHarness } from './support/session-harness.js';
import type { PageGlobals } from './support/page-globals.js';
import { ensureWebBuild, launchBrowser, openPerson, setPasswords, signIn } from './support/browser.js';

const PASSWORD = 'correct horse battery';

let h: SessionHarness;
let browser: Browser;

beforeAll(async () => {
  ensureWebBuild();
  [h, browser] = await Promise.all([startSessionHarness({ start: false }), launchBrowser()]);
  await setPasswords(h.hub, { alice: PASSWORD });
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

/** Width and height from a PNG's IHDR chunk. */
const pngSize = (png: Buffer) => ({ width: png.readUInt32BE(16), height: png.readUInt32BE(20) });

/** Records the theme the page had when its first frame was drawn (rAF runs before the first paint). */
async function recordFirstFrameTheme(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const g = globalThis as unknown as PageGlobals;
    g.window.requestAnimationFrame(() => {
      g.window.__firstFrameTheme = g.document.documentElement.dataset.theme ?? null;
    });
  });
}
const firstFrameTheme = async (page: Page) => {
  await page.waitForFunction(() => (globalThis as unknown as PageGlobals).window.__firstFrameTheme !== undefined);
  return page.evaluate(() => (globalThis as unknown as PageGlobals).window.__firstFrameTheme as string | null);
};
const theme = (page: Page) => page.evaluate(() => (globalThis as unknown as PageGlobals).document.documentElement.dataset.theme as string);
const background = (page: Page) => page.evaluate(() => (globalThis as unknown as PageGlobals).getComputedStyle((globalThis as unknown as PageGlobals).document.documentElement).backgroundColor as string);

describe('installable app', () => {
  it('links a valid manifest with 192, 512 and maskable PNG icons, and a favicon', async () => {
    const { page, context } = await openPerson(browser);
    await page.goto(h.hub.url);
    const href = await page.locator('link[rel=manifest]').getAttribute('href');
    const res = await page.request.get(new URL(href!, h.hub.url).href);
    expect([res.status(), res.headers()['content-type']]).toEqual([200, 'application/manifest+json']);
    const manifest = (await res.json()) as { name: string; short_name: string; start_url: string; display: string; theme_color: string; background_color: string; icons: { src: string; sizes: string; type: string; purpose: string }[] };
    expect(manifest).toMatchObject({ name: 'Pilothouse', short_name: 'Pilothouse', start_url: '/', display: 'standalone', theme_color: expect.stringMatching(/^#/), background_color: expect.stringMatching(/^#/) });
    const pngs = [];
    for (const icon of manifest.icons.filter((i) => i.type === 'image/png')) {
      const file = await page.request.get(new URL(icon.src, h.hub.url).href);
      expect([icon.src, file.status(), file.headers()['content-type']]).toEqual([icon.src, 200, 'image/png']);
      const { width, height } = pngSize(await file.body());
      expect(`${width}x${height}`).toBe(icon.sizes);
      pngs.push(`${icon.sizes} ${icon.purpose}`);
    }
    expect(pngs.sort()).toEqual(['192x192 any', '512x512 any', '512x512 maskable']);
    const favicon = await page.locator('link[rel=icon]').first().getAttribute('href');
    const icon = await page.request.get(new URL(favicon!, h.hub.url).href);
    expect([icon.status(), icon.headers()['content-type']]).toEqual([200, 'image/svg+xml']);
    await context.close();
  });

  it('registers a service worker that controls the page and opens the app shell offline', async () => {
    const { page, context, errors } = await openPerson(browser);
    await page.goto(h.hub.url);
    await signIn(page, 'alice', PASSWORD);
    await page.locator('nav.sidebar').waitFor();
    // Installed and active (the shell is in the cache once `ready` resolves).
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).navigator.serviceWorker.ready.then((r: { active: { scriptURL: string } }) => r.active.scriptURL) as Promise<string>)).toBe(`${h.hub.url}/sw.js`);
    await page.goto(`${h.hub.url}/c/acme/agents`);
    await page.locator('.channel').waitFor();
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).navigator.serviceWorker.controller?.scriptURL as string | undefined)).toBe(`${h.hub.url}/sw.js`);

    // Offline: an app address still opens, from the cache; the page says the hub is unreachable.
    await context.setOffline(true);
    await page.goto(`${h.hub.url}/c/acme/agents/t/anything`);
    await page.getByRole('status').filter({ hasText: 'The hub cannot be reached' }).waitFor();
    expect(await page.locator('input[name=name]').isVisible()).toBe(true);
    await context.setOffline(false);

    // What the cache holds: the shell, never live data.
    const cached = await page.evaluate(async () => {
      const { caches } = (globalThis as unknown as PageGlobals).window;
      const paths: string[] = [];
      for (const name of await caches.keys()) for (const req of await (await caches.open(name)).keys()) paths.push(new URL(req.url as string).pathname);
      return paths;
    });
    expect(cached).toContain('/');
    expect(cached).toContain('/manifest.webmanifest');
    expect(cached.some((p) => p.startsWith('/assets/') && p.endsWith('.js'))).toBe(true);
    expect(cached.filter((p) => /^\/(api|socket|healthz)/.test(p))).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('colour theme', () => {
  it('follows the system before the first frame, and live', async () => {
    const { page, context } = await openPerson(browser, { viewport: { width: 1280, height: 820 }, colorScheme: 'dark' });
    await recordFirstFrameTheme(context);
    await page.goto(h.hub.url);
    expect(await firstFrameTheme(page)).toBe('dark');
    await page.locator('input[name=name]').waitFor();
    expect(await background(page)).toBe('rgb(14, 17, 22)');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.documentElement.dataset.theme === 'light');
    expect(await background(page)).toBe('rgb(246, 247, 249)');
    await context.close();
  });

  it('remembers a chosen theme and applies it before the first frame of the next load', async () => {
    const { page, context } = await openPerson(browser, { viewport: { width: 1280, height: 820 }, colorScheme: 'light' });
    await recordFirstFrameTheme(context);
    await page.goto(h.hub.url);
    await signIn(page, 'alice', PASSWORD);
    const toggle = page.getByRole('group', { name: 'Theme' });
    expect(await toggle.getByRole('radio', { name: 'System' }).isChecked()).toBe(true);
    await toggle.getByRole('radio', { name: 'Dark' }).check();
    expect(await theme(page)).toBe('dark');
    expect(await page.locator('meta[name=theme-color]').getAttribute('content')).toBe('#161a21');

    await page.reload();
    expect(await firstFrameTheme(page)).toBe('dark');
    await page.getByRole('group', { name: 'Theme' }).getByRole('radio', { name: 'Dark' }).waitFor();
    expect(await page.getByRole('group', { name: 'Theme' }).getByRole('radio', { name: 'Dark' }).isChecked()).toBe(true);

    await page.getByRole('group', { name: 'Theme' }).getByRole('radio', { name: 'Light' }).check();
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await theme(page)).toBe('light');
    await page.getByRole('group', { name: 'Theme' }).getByRole('radio', { name: 'System' }).check();
    expect(await theme(page)).toBe('dark');
    await context.close();
  });
});

describe('the first connection', () => {
  it('a returning page opens one socket as it loads and joins on it; the sign-in page opens none', async () => {
    const { page, context, errors } = await openPerson(browser);
    const sockets: { url: string; joined: boolean }[] = [];
    // The order the page's code asks for things in: the socket before the answer to /api/me.
    await context.addInitScript(() => {
      const w = (globalThis as unknown as PageGlobals).window;
      const asked: string[] = (w.__asked = []);
      const NativeSocket = w.WebSocket;
      w.WebSocket = class extends NativeSocket {
        constructor(...args: unknown[]) {
          super(...args);
          asked.push('socket');
        }
      };
      const nativeFetch = w.fetch.bind(w) as (input: unknown, init?: unknown) => Promise<{ url: string }>;
      w.fetch = (input: unknown, init?: unknown) =>
        nativeFetch(input, init).then((res) => {
          if (new URL(res.url).pathname === '/api/me') asked.push('me answered');
          return res;
        });
    });
    page.on('websocket', (ws) => {
      const s = { url: ws.url(), joined: false };
      sockets.push(s);
      ws.on('framesent', (f) => {
        if (String(f.payload).includes('"phx_join"')) s.joined = true;
      });
    });
    await page.goto(h.hub.url);
    await page.locator('input[name=name]').waitFor();
    // Never signed in here: no socket is tried.
    expect(sockets).toEqual([]);
    await signIn(page, 'alice', PASSWORD);
    await page.locator('nav.sidebar').waitFor();
    await page.goto(`${h.hub.url}/c/acme/agents`);
    await page.locator('.channel').waitFor();
    const before = sockets.length;
    // Reloaded: the socket opened while the page's code loaded is the one phoenix joins on.
    await page.reload();
    await page.locator('.channel').waitFor();
    await expect.poll(() => sockets.slice(before).some((s) => s.joined)).toBe(true);
    const opened = sockets.slice(before);
    expect(opened).toHaveLength(1);
    expect(opened[0]!.url).toBe(`${h.hub.url.replace('http', 'ws')}/socket/websocket?vsn=2.0.0`);
    expect((await page.evaluate(() => (globalThis as unknown as PageGlobals).window.__asked as string[])).slice(0, 2)).toEqual(['socket', 'me answered']);
    expect(errors).toEqual([]);
    await context.close();
  });
});
