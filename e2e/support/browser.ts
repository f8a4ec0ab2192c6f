// End-to-end support for the web UI: Debian's chromium driven by playwright-core (no browser
// download; `.ci/run` installs the package), the built UI (built here when missing), and the
// steps every scenario shares. Waits are DOM conditions, never sleeps.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Locator, type Page } from 'playwright-core';
import { digest, hashPassword, type RunningHub } from '@pilothouse/hub';

export const CHROMIUM = process.env.PILOTHOUSE_CHROMIUM ?? '/usr/bin/chromium';
const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SCREENSHOTS = join(repo, 'docs', 'screenshots');
/** The built web UI of this checkout, for the hubs the tests start. */
export const WEB_ROOT = join(repo, 'packages', 'web', 'dist');

export const BROWSER_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** `npm run check` builds before it tests; a lone `vitest run e2e/web-*` builds here if it must. */
export function ensureWebBuild(): void {
  if (existsSync(join(WEB_ROOT, 'index.html'))) return;
  execFileSync('npm', ['run', 'build', '-w', '@pilothouse/web'], { cwd: repo, stdio: 'inherit' });
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`No browser at ${CHROMIUM}: install Debian's chromium (apt-get install -y chromium) or set PILOTHOUSE_CHROMIUM.`);
  return chromium.launch({ executablePath: CHROMIUM, args: BROWSER_ARGS, headless: true });
}

export interface Person {
  context: BrowserContext;
  page: Page;
  /** Dialogs (alert, confirm, prompt) the page opened: an XSS that ran would show up here. */
  dialogs: string[];
  /** Errors thrown in the page. */
  errors: string[];
}

/** Screen sizes the layout is checked at; `phone` has touch like a real one. */
export const DEVICES = {
  phone: { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 },
  tablet: { viewport: { width: 768, height: 1024 }, hasTouch: true },
  desktop: { viewport: { width: 1440, height: 900 } },
} satisfies Record<string, BrowserContextOptions>;

export async function openPerson(browser: Browser, options: BrowserContextOptions = { viewport: { width: 1280, height: 820 } }): Promise<Person> {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const dialogs: string[] = [];
  const errors: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  page.on('pageerror', (err) => errors.push(err.message));
  return { context, page, dialogs, errors };
}

/** Gives the harness's users a password, so they can sign in through the page. */
export async function setPasswords(hub: RunningHub, passwords: Record<string, string>): Promise<void> {
  for (const [name, password] of Object.entries(passwords)) {
    const user = await hub.store.userByName(name);
    if (!user) throw new Error(`no user ${name}`);
    await hub.store.setPassword(user.id, await hashPassword(password));
  }
}

/** Adds an admin (the harness's alice and bob are not) with a password, a member of `channelId`. */
export async function addAdmin(hub: RunningHub, name: string, password: string, channelId: string): Promise<void> {
  const user = await hub.store.createUser({ name, passwordHash: await hashPassword(password), admin: true });
  await hub.store.addMember(channelId, user.id);
}

export async function signIn(page: Page, name: string, password: string): Promise<void> {
  await page.fill('input[name=name]', name);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
}

/** Ends the page's session in the hub's store, as 30 days (or an admin) would. */
export async function expireSession(hub: RunningHub, context: BrowserContext): Promise<void> {
  const cookie = (await context.cookies()).find((c) => c.name === 'ph_session');
  if (!cookie) throw new Error('the page has no session cookie');
  await hub.store.deleteSession(digest(cookie.value));
}

/**
 * Saves docs/screenshots/NAME.png when PILOTHOUSE_SCREENSHOTS is set (they show temp paths and
 * times, so an ordinary test run leaves the committed ones alone).
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (!process.env.PILOTHOUSE_SCREENSHOTS) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

/** Anything executable that reached the DOM under `scope`: script-like elements, on* handlers, javascript: URLs. */
export function executableInDom(page: Page, scope = '.rows'): Promise<string[]> {
  return page.evaluate((sel) => {
    interface El {
      tagName: string;
      getAttributeNames(): string[];
      getAttribute(name: string): string | null;
      querySelectorAll(selector: string): Iterable<El>;
    }
    const doc = (globalThis as unknown as { document: El }).document;
    const found: string[] = [];
    for (const root of doc.querySelectorAll(sel)) {
      for (const el of root.querySelectorAll('*')) {
        const tag = el.tagName.toLowerCase();
        if (['script', 'iframe', 'object', 'embed', 'svg', 'math', 'form', 'base', 'meta', 'link', 'style'].includes(tag)) found.push(`<${tag}>`);
        for (const attr of el.getAttributeNames()) {
          const value = el.getAttribute(attr) ?? '';
          if (attr.startsWith('on')) found.push(`${tag}[${attr}]`);
          if (['href', 'src', 'action', 'formaction', 'xlink:href'].includes(attr) && /^\s*(javascript|vbscript|data):/i.test(value)) found.push(`${tag}[${attr}=${value}]`);
        }
      }
    }
    return found;
  }, scope);
}

/** For each element the locator matches, in order: what `read` gives for it. */
export async function each<T>(locator: Locator, read: (element: Locator) => Promise<T>): Promise<T[]> {
  return Promise.all((await locator.all()).map(read));
}

/**
 * A control sent by hand over the page's own socket (as a script on the page could), past any
 * disabled button: resolves with the hub's phx_reply payload `{status, response}`.
 */
export function forcedControl(page: Page, threadId: string, action: Record<string, unknown>): Promise<{ status: string; response: { code?: string } }> {
  return forcedPush(page, 'control', { client_id: `forced-${Math.random().toString(36).slice(2)}`, thread_id: threadId, action });
}

/** A push made from the page with the person's own session cookie, past whatever the UI shows or hides. */
export function forcedPush(page: Page, event: string, payload: Record<string, unknown>): Promise<{ status: string; response: { code?: string; message?: string } }> {
  return page.evaluate(
    async ({ event, payload }) => {
      interface Ws {
        onopen: (() => void) | null;
        onerror: ((e: unknown) => void) | null;
        onmessage: ((e: { data: string }) => void) | null;
        send(text: string): void;
        close(): void;
      }
      const w = globalThis as unknown as { WebSocket: new (url: string) => Ws; location: { host: string } };
      const ws = new w.WebSocket(`ws://${w.location.host}/socket/websocket?vsn=2.0.0`);
      await new Promise<void>((resolve, reject) => {
        ws.onopen = () => resolve();
        ws.onerror = reject;
      });
      const waiting = new Map<string, (payload: unknown) => void>();
      ws.onmessage = (e) => {
        const [, ref, , event, payload] = JSON.parse(e.data) as [string | null, string | null, string, string, unknown];
        if (event === 'phx_reply' && ref !== null) waiting.get(ref)?.(payload);
      };
      const call = (ref: string, event: string, payload: object) =>
        new Promise<unknown>((resolve) => {
          waiting.set(ref, resolve);
          ws.send(JSON.stringify(['1', ref, 'channel:acme/agents', event, payload]));
        });
      await call('1', 'phx_join', {});
      const reply = await call('2', event, payload);
      ws.close();
      return reply as { status: string; response: { code?: string; message?: string } };
    },
    { event, payload },
  );
}
