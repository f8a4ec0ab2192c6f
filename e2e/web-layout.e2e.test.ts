// The page's frame at every size, end to end (real hub, runner, Codex and scripted model in
// Debian's chromium): on a phone (390×844) the channel list is a drawer and the thread and
// composer take the full width; a tablet (768×1024) keeps both side by side without overflow.
// An allowed user on a phone approves a command and interrupts a turn with taps only.

import { basename } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSessionHarness, type SessionHarness } from './support/session-harness.js';
import type { PageGlobals } from './support/page-globals.js';
import { DEVICES, ensureWebBuild, launchBrowser, openPerson, setPasswords, signIn, type Person } from './support/browser.js';

const PASSWORD = 'correct horse battery';

let h: SessionHarness;
let browser: Browser;
let phone: Person;
let threadUrl: string;

beforeAll(async () => {
  ensureWebBuild();
  [h, browser] = await Promise.all([startSessionHarness(), launchBrowser()]);
  await setPasswords(h.hub, { alice: PASSWORD, bob: PASSWORD });
  phone = await openPerson(browser, DEVICES.phone);
  threadUrl = `${h.hub.url}/c/acme/agents/t/${h.runner.threadId}`;
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

/** How many lines the element's text is laid out on. */
const lines = (page: Page, selector: string) =>
  page.locator(selector).evaluate((el) => {
    const range = (globalThis as unknown as PageGlobals).document.createRange();
    range.selectNodeContents(el);
    return new Set([...range.getClientRects()].filter((r: { width: number }) => r.width > 0).map((r: { top: number }) => Math.round(r.top))).size;
  });

/** Width of the document beyond the viewport (a horizontal scrollbar), in px. */
const overflowX = (page: Page) =>
  page.evaluate(() => {
    const g = globalThis as unknown as PageGlobals;
    return (g.document.documentElement.scrollWidth as number) - (g.window.innerWidth as number);
  });

/** The sidebar's box on screen, or null when it is hidden or entirely off the left edge. */
const sidebarOnScreen = (page: Page) =>
  page.locator('nav.sidebar').evaluate((el) => {
    const r = el.getBoundingClientRect();
    const visible = (globalThis as unknown as PageGlobals).getComputedStyle(el).visibility !== 'hidden' && r.width > 0 && r.right > 0;
    return visible ? { x: r.x, width: r.width } : null;
  });

describe('layout on a phone (390×844)', () => {
  it('gives the thread and composer the full width, the title one line, the channel list a drawer', async () => {
    const { page } = phone;
    await page.goto(h.hub.url);
    await signIn(page, 'alice', PASSWORD);
    await page.locator('.main').waitFor();
    await page.goto(threadUrl);
    await page.locator('article.row[data-kind=session]').waitFor();

    // The tab says which session, never the folder's absolute path.
    expect(await page.title()).toBe(`Codex session in ${basename(h.workspace)} · acme/agents · Pilothouse`);
    expect(await sidebarOnScreen(page)).toBeNull();
    expect((await page.locator('.main').boundingBox())!.width).toBeGreaterThanOrEqual(389);
    expect((await page.locator('.thread textarea').boundingBox())!.width).toBeGreaterThanOrEqual(300);
    expect(await lines(page, '.view-head h1')).toBe(1);
    expect(await overflowX(page)).toBeLessThanOrEqual(0);

    // The menu button opens the drawer; Esc closes it.
    const menu = page.getByRole('button', { name: 'Channels' });
    await menu.tap();
    expect(await menu.getAttribute('aria-expanded')).toBe('true');
    // It slides in over the view.
    await page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector('nav.sidebar')?.getBoundingClientRect().x === 0);
    expect(await sidebarOnScreen(page)).toEqual({ x: 0, width: expect.any(Number) });
    expect((await sidebarOnScreen(page))!.width).toBeGreaterThanOrEqual(280);
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector('.shell')?.getAttribute('data-drawer') === 'closed');
    expect(await menu.getAttribute('aria-expanded')).toBe('false');

    // A tap outside closes it.
    await menu.tap();
    await page.locator('.drawer-scrim').tap({ position: { x: 370, y: 400 } });
    await page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector('.shell')?.getAttribute('data-drawer') === 'closed');

    // Choosing a channel closes it and goes there (to its live session); the back link leads to its list.
    await page.goto(`${h.hub.url}/c/acme/agents`);
    await page.locator('.channel textarea').waitFor();
    await menu.tap();
    await page.locator('nav.sidebar li[data-channel="acme/agents"] a').tap();
    await page.waitForURL(`**/c/acme/agents/t/${h.runner.threadId}`);
    await page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector('.shell')?.getAttribute('data-drawer') === 'closed');
    await page.locator('.view-head a.back').tap();
    await page.waitForURL('**/c/acme/agents');
    expect(await lines(page, '.view-head h1')).toBe(1);
    expect((await page.locator('.channel textarea').boundingBox())!.width).toBeGreaterThanOrEqual(300);
    expect(await overflowX(page)).toBeLessThanOrEqual(0);
  });

  it('shows the header details on demand', async () => {
    const { page } = phone;
    await page.goto(threadUrl);
    const presence = page.locator('.view-head .presence');
    await page.locator('.view-head').waitFor();
    expect(await presence.isVisible()).toBe(false);
    const details = page.getByRole('button', { name: 'Details' });
    await details.tap();
    await presence.waitFor();
    expect(await details.getAttribute('aria-expanded')).toBe('true');
    await details.tap();
    await presence.waitFor({ state: 'hidden' });
  });
});

describe('layout on a tablet (768×1024)', () => {
  it('keeps the channel list beside a full thread, without horizontal overflow', async () => {
    const tablet = await openPerson(browser, DEVICES.tablet);
    const { page } = tablet;
    await page.goto(h.hub.url);
    await signIn(page, 'alice', PASSWORD);
    await page.locator('.main').waitFor();
    await page.goto(threadUrl);
    await page.locator('article.row[data-kind=session]').waitFor();
    const side = await sidebarOnScreen(page);
    expect(side?.x).toBe(0);
    expect(await page.getByRole('button', { name: 'Channels' }).isVisible()).toBe(false);
    expect((await page.locator('.thread textarea').boundingBox())!.width).toBeGreaterThanOrEqual(400);
    expect(await lines(page, '.view-head h1')).toBe(1);
    expect(await overflowX(page)).toBeLessThanOrEqual(0);
    await tablet.context.close();
  });
});

describe('steering by touch on a phone', () => {
  it('approves a command and interrupts a turn with taps only', async () => {
    const { page } = phone;
    await page.goto(threadUrl);
    await page.locator('article.row[data-kind=session]').waitFor();
    const tapSend = async (text: string) => {
      await page.locator('.thread textarea').tap();
      await page.keyboard.type(text);
      await page.locator('.thread .composer button[type=submit]').tap();
      await page.locator('article.row[data-kind=text]', { hasText: text }).waitFor();
    };

    h.model.enqueue({ type: 'exec', cmd: "printf 'tapped\\n'", escalated: 'Needs to write outside the sandbox', login: false }, { type: 'text', chunks: ['Ran it.'] });
    await tapSend('Run the tap check');
    const approve = page.locator('section.approval button[data-choice=approve]');
    await approve.waitFor();
    // Large enough for a finger.
    for (const b of await page.locator('section.approval button').all()) expect((await b.boundingBox())!.height).toBeGreaterThanOrEqual(44);
    await approve.tap();
    await page.locator('article.row[data-kind=command] .exit[data-exit="0"]').waitFor();
    await page.locator('article.row[data-kind=text]', { hasText: 'Run the tap check' }).locator('.badge[data-state=processed]').waitFor();

    h.model.enqueue({ type: 'hang', chunks: ['Working on it'] });
    await tapSend('Take your time');
    const interrupt = page.locator('.controls button.danger', { hasText: 'Interrupt' });
    await page.locator('article.row[data-kind=assistant]', { hasText: 'Working on it' }).waitFor();
    expect((await interrupt.boundingBox())!.height).toBeGreaterThanOrEqual(44);
    await interrupt.tap();
    await page.locator('article.row[data-kind=text]', { hasText: 'Take your time' }).locator('.badge[data-state=processed]', { hasText: 'interrupted by alice' }).waitFor();
    await interrupt.waitFor({ state: 'detached' });
    expect(phone.errors).toEqual([]);
  });
});
