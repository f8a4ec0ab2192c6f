// A long thread in the web UI (issue 13, "long threads stay fast"): 10,000 rows with large command
// outputs, seeded through the protocol as a runner writes them. The page opens on the newest rows,
// keeps only the rows near the view in the DOM, loads older history page by page as the reader
// scrolls up until the thread's first row, and still shows a live row (behind a "new messages"
// button while the reader is up in the history, then following it at the bottom). Functional, not
// timed: bench/web-threads.ts measures the speed.

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { push } from '@pilothouse/hub/testing';
import { startSessionHarness, type SessionHarness } from './support/session-harness.js';
import { ensureWebBuild, launchBrowser, openPerson, screenshot, setPasswords, signIn, type Person } from './support/browser.js';
import { rowLabel, seedingRunner, seedLongThread, type SeedingRunner } from './support/long-thread.js';
import { scrollToThreadStart } from './support/thread-scroll.js';

const ROWS = 10_000;
const PASSWORD = 'long thread pw';
/** Far fewer rows than the thread holds: what a virtual list keeps around the view. */
const DOM_ROWS_MAX = 150;

let h: SessionHarness;
let browser: Browser;
let runner: SeedingRunner;
let alice: Person;
let threadId: string;

beforeAll(async () => {
  ensureWebBuild();
  [h, browser] = await Promise.all([startSessionHarness({ start: false }), launchBrowser()]);
  await setPasswords(h.hub, { alice: PASSWORD });
  runner = await seedingRunner(h.hub.url, h.alice.token, 'long-runner');
  ({ threadId } = await seedLongThread(runner, ROWS, 'long'));
  alice = await openPerson(browser);
}, 180_000);

afterAll(async () => {
  runner?.close();
  await browser?.close();
  await h?.close();
});

const row = (page: Page, text: string) => page.locator('article.row', { hasText: text });

/** Whether the element is wholly inside the thread's scrolled view. */
function inView(page: Page, text: string): Promise<boolean> {
  return row(page, text).evaluate((el) => {
    const box = el.getBoundingClientRect();
    const view = el.closest('[data-testid=thread-rows]')!.getBoundingClientRect();
    return box.top >= view.top - 1 && box.bottom <= view.bottom + 1;
  });
}

describe('a 10,000-row thread in the web UI', () => {
  it('opens on the newest rows, loads older history up to the first row on scrolling up, keeps the DOM small, and shows a live row', async () => {
    const { page, errors } = alice;
    await page.goto(`${h.hub.url}/c/acme/agents/t/${threadId}`);
    await signIn(page, 'alice', PASSWORD);

    // The newest row is in view at once; the oldest is not rendered at all.
    await row(page, rowLabel(ROWS)).waitFor();
    expect(await inView(page, rowLabel(ROWS))).toBe(true);
    expect(await row(page, rowLabel(1)).count()).toBe(0);
    expect(await page.locator('article.row').count()).toBeLessThan(DOM_ROWS_MAX);
    await screenshot(page, 'long-thread-desktop');

    // Scrolling to the top loads the next older page, again and again, until the thread's start.
    await scrollToThreadStart(page);
    await page.locator('article.row[data-kind=session]', { hasText: 'Long thread long' }).waitFor();
    await row(page, rowLabel(1)).waitFor();
    expect(await row(page, rowLabel(ROWS)).count()).toBe(0);
    expect(await page.locator('article.row').count()).toBeLessThan(DOM_ROWS_MAX);

    // Up in the history, a live row does not pull the reader down: a button says it came.
    const jump = page.locator('button.jump-latest');
    await jump.filter({ hasText: 'Jump to latest' }).waitFor();
    await push(runner.channel, 'post_row', { client_id: 'live-1', thread_id: threadId, item_key: 'live:1', kind: 'assistant', body: 'A live row arrives', status: 'streaming' });
    await jump.filter({ hasText: '1 new message' }).waitFor();
    await row(page, rowLabel(1)).waitFor();
    await screenshot(page, 'long-thread-jump-desktop');

    // The button brings the reader to the newest row, which then follows the stream.
    await jump.click();
    await row(page, 'A live row arrives').waitFor();
    await jump.waitFor({ state: 'detached' });
    await push(runner.channel, 'append', { item_key: 'live:1', offset: 'A live row arrives'.length, text: ' and grows\n\n' + 'more text\n\n'.repeat(30) + 'the end of the live row' });
    await row(page, 'the end of the live row').waitFor();
    await page.waitForFunction(() => {
      const el = (globalThis as unknown as { document: { querySelector(s: string): { scrollHeight: number; scrollTop: number; clientHeight: number } } }).document.querySelector('[data-testid=thread-rows]');
      return el.scrollHeight - el.scrollTop - el.clientHeight < 2;
    });
    expect(await page.locator('article.row').count()).toBeLessThan(DOM_ROWS_MAX);
    expect(errors).toEqual([]);
  });

  it('on a phone: opens on the newest rows, and offers the jump back once scrolled up', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, storageState: await alice.context.storageState(), isMobile: true, hasTouch: true });
    try {
      const page = await phone.newPage();
      await page.goto(`${h.hub.url}/c/acme/agents/t/${threadId}`);
      await row(page, 'the end of the live row').waitFor();
      expect(await page.locator('article.row').count()).toBeLessThan(DOM_ROWS_MAX);
      await screenshot(page, 'long-thread-phone');
      await page.locator('[data-testid=thread-rows]').evaluate((el) => (el as unknown as { scrollBy(x: number, y: number): void }).scrollBy(0, -3000));
      await page.locator('button.jump-latest').waitFor();
      await screenshot(page, 'long-thread-jump-phone');
    } finally {
      await phone.close();
    }
  });
});
