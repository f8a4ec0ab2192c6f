// The notification centre and its settings, in Chromium against a real hub, runner, Codex and the
// scripted model: Codex asks alice to approve a command; her bell says so, the centre lists it
// newest first, choosing it marks it read and opens the thread; once she approves, the item reads
// as settled, and what comes next shows up without a reload; from a background tab a new item
// raises one browser notification; "Mark all read" empties the count. The settings save whole,
// and a bad email shows the hub's own message. No serious axe finding in light or dark; with
// PILOTHOUSE_SCREENSHOTS, both views at phone and desktop size, light and dark, go to
// docs/screenshots/.

import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PageGlobals } from './support/page-globals.js';
import { hasState } from './support/rows.js';
import { startSessionHarness, type SessionHarness } from './support/session-harness.js';
import { DEVICES, ensureWebBuild, launchBrowser, openPerson, screenshot, setPasswords, signIn, type Person } from './support/browser.js';

const PASSWORD = 'correct horse battery';
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const DESKTOP = { viewport: { width: 1280, height: 800 } };

let h: SessionHarness;
let browser: Browser;
let alice: Person;
let threadPath: string;

beforeAll(async () => {
  ensureWebBuild();
  [h, browser] = await Promise.all([startSessionHarness(), launchBrowser()]);
  await setPasswords(h.hub, { alice: PASSWORD });
  threadPath = `/c/acme/agents/t/${h.runner.threadId}`;
  h.model.enqueue({ type: 'exec', cmd: 'npm install --save-dev vitest', escalated: 'Needs the network to install a package', login: false }, { type: 'text', chunks: ['Installed.'] });
  const id = await h.say(h.alice, 'Add vitest to the project');
  await h.waitFor(hasState(id, 'processing', 'awaiting approval'), 'approval prompt');
  alice = await openPerson(browser, { ...DESKTOP, reducedMotion: 'reduce', bypassCSP: true });
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

async function signInAs(page: Page, name: string): Promise<void> {
  await page.goto(h.hub.url);
  await signIn(page, name, PASSWORD);
  await page.locator('nav.sidebar').waitFor({ state: 'attached' });
}

async function violations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    const { axe } = globalThis as unknown as PageGlobals;
    const result = (await axe.run({ resultTypes: ['violations'] })) as { violations: { id: string; impact: string; nodes: { target: string[] }[] }[] };
    return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`));
  });
}

const overflow = (page: Page) =>
  page.evaluate(() => {
    const g = globalThis as unknown as PageGlobals;
    return (g.document.documentElement.scrollWidth as number) - (g.window.innerWidth as number);
  });

const bell = (page: Page) => page.locator('.sidebar button.bell');
const items = (page: Page) => page.locator('.bell-panel li.notification');

describe('the notification centre', () => {
  it('the bell counts the waiting approval; the centre lists it; choosing it marks it read and opens the thread', async () => {
    const { page } = alice;
    await signInAs(page, 'alice');
    await page.getByRole('button', { name: 'Notifications, 1 unread' }).waitFor();
    expect(await bell(page).locator('.bell-count').textContent()).toBe('1');

    await bell(page).click();
    const panel = page.getByRole('region', { name: 'Notifications' });
    await panel.waitFor();
    const item = items(page).first();
    await item.waitFor();
    expect(await item.getAttribute('data-kind')).toBe('approval_requested');
    expect(await item.getAttribute('data-read')).toBe('false');
    expect(await item.getAttribute('data-resolved')).toBe('false');
    expect(await item.locator('.notification-channel').textContent()).toBe('acme/agents');
    expect(await item.locator('.notification-title-text').textContent()).toMatch(/npm install --save-dev vitest/);
    expect(await item.locator('time').textContent()).toMatch(/now|min ago/);
    expect(await item.locator('a').getAttribute('href')).toBe(threadPath);

    await item.locator('a').click();
    await page.waitForURL(`${h.hub.url}${threadPath}`);
    await panel.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Notifications, 0 unread' }).waitFor();
    await page.locator('section.approval').waitFor();
    // The hub has it read, too.
    await page.reload();
    await page.getByRole('button', { name: 'Notifications, 0 unread' }).waitFor();
    expect(alice.errors).toEqual([]);
  });

  it('once alice approves, the item reads as settled; what the turn brings next shows up by itself', async () => {
    const { page } = alice;
    await page.goto(`${h.hub.url}${threadPath}`);
    await page.locator('section.approval button.primary').first().click();
    await page.locator('section.approval').waitFor({ state: 'detached' });
    // The finished turn notifies her: the bell updates after the channel's events, no reload.
    await page.getByRole('button', { name: /^Notifications, [1-9]\d* unread$/ }).waitFor();
    await bell(page).click();
    await page.locator('.bell-panel li.notification[data-kind=approval_requested][data-resolved=true] .notification-settled').waitFor();
    await page.keyboard.press('Escape');
    await page.locator('.bell-panel').waitFor({ state: 'detached' });
    expect(alice.errors).toEqual([]);
  });

  it('screenshots and axe: the centre open, light and dark', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const p = await openPerson(browser, { ...DESKTOP, colorScheme, reducedMotion: 'reduce', bypassCSP: true });
      await signInAs(p.page, 'alice');
      await p.page.goto(`${h.hub.url}${threadPath}`);
      await p.page.locator('.rows').first().waitFor();
      await bell(p.page).click();
      await items(p.page).first().waitFor();
      await screenshot(p.page, `notifications-desktop-${colorScheme}`);
      expect(await violations(p.page)).toEqual([]);

      const phone = await openPerson(browser, { ...DEVICES.phone, colorScheme, reducedMotion: 'reduce' });
      await signInAs(phone.page, 'alice');
      await phone.page.locator('.view-head').first().waitFor();
      await phone.page.getByRole('link', { name: /^Notifications, \d+ unread$/ }).click();
      await phone.page.waitForURL(`${h.hub.url}/notifications`);
      await phone.page.locator('.notifications-view li.notification').first().waitFor();
      expect(await overflow(phone.page)).toBe(0);
      await screenshot(phone.page, `notifications-phone-${colorScheme}`);
      expect([...p.errors, ...phone.errors]).toEqual([]);
      await Promise.all([p.context.close(), phone.context.close()]);
    }
  });

});

describe('notification settings', () => {
  it('open from the centre; save whole; a bad email shows the hub’s message', async () => {
    const { page } = alice;
    await bell(page).click();
    await page.locator('.bell-panel').getByRole('link', { name: 'Notification settings' }).click();
    await page.waitForURL(`${h.hub.url}/settings/notifications`);
    await page.locator('.prefs-form').waitFor();
    expect(await page.locator('.view-head h1').textContent()).toBe('Notification settings');

    const email = page.getByLabel('Email address');
    const finishedByEmail = page.getByLabel('A turn finished: Email');
    expect(await finishedByEmail.isChecked()).toBe(false);
    await finishedByEmail.check();
    await email.fill('alice@example.com');
    await page.getByLabel('Also tell me about turns I can’t steer').check();
    await page.getByLabel(/Hold push and email during quiet hours/).check();
    const tz = await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
    expect(await page.getByLabel('Time zone').inputValue()).toBe(tz);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    const saved = await page.evaluate(async () => {
      const res = await fetch('/api/notifications/prefs');
      return ((await res.json()) as { prefs: unknown }).prefs;
    });
    expect(saved).toMatchObject({ email: 'alice@example.com', watch_turns: true, digest: true, quiet: { start: '22:00', end: '07:00', tz }, media: { turn_finished: { page: true, push: true, email: true } } });

    await email.fill('not an email');
    await page.getByRole('button', { name: 'Save' }).click();
    const error = page.locator('[data-prefs-error]');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/^email: /);
    // The hub has a push key and this browser has push: it may be turned on here (headless
    // Chromium has no push service to subscribe with, so it is not).
    await page.locator('.prefs-push-row[data-push=off]').getByRole('button', { name: 'Turn on push in this browser' }).waitFor();
    expect(alice.errors).toEqual([]);
  });

  it('screenshots and axe: the settings, light and dark, phone and desktop', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      for (const [device, options] of [
        ['desktop', DESKTOP],
        ['phone', DEVICES.phone],
      ] as const) {
        const p = await openPerson(browser, { ...options, colorScheme, reducedMotion: 'reduce', bypassCSP: true });
        await signInAs(p.page, 'alice');
        await p.page.goto(`${h.hub.url}/settings/notifications`);
        await p.page.locator('.prefs-form').waitFor();
        await p.page.locator('.prefs-push p, .prefs-push-row').first().waitFor();
        expect(await overflow(p.page)).toBe(0);
        await screenshot(p.page, `notification-settings-${device}-${colorScheme}`);
        expect(await violations(p.page)).toEqual([]);
        expect(p.errors).toEqual([]);
        await p.context.close();
      }
    }
  });
});

describe('alerts from a background tab', () => {
  it('a new unread item raises one browser notification, tagged by its prompt; what was there at load does not', async () => {
    // The page is "hidden" and may notify; the Notification constructor records what it is given.
    const p = await openPerson(browser, { ...DESKTOP, reducedMotion: 'reduce' });
    await p.page.addInitScript(() => {
      const g = globalThis as unknown as { document: object; alerts: { title: string; tag: string | undefined }[]; Notification: unknown };
      g.alerts = [];
      Object.defineProperty(g.document, 'visibilityState', { get: () => 'hidden' });
      g.Notification = class {
        static permission = 'granted';
        onclick: (() => void) | null = null;
        constructor(title: string, options: { tag?: string }) {
          g.alerts.push({ title, tag: options.tag });
        }
        close(): void {}
      };
    });
    await signInAs(p.page, 'alice');
    await p.page.getByRole('button', { name: /^Notifications, \d+ unread$/ }).waitFor();
    const before = await bell(p.page).getAttribute('data-unread');

    h.model.enqueue({ type: 'exec', cmd: 'npm run lint', escalated: 'Needs the network', login: false }, { type: 'text', chunks: ['Linted.'] });
    const id = await h.say(h.alice, 'Lint the project');
    const thread = await h.waitFor(hasState(id, 'processing', 'awaiting approval'), 'second approval prompt');
    const requestId = thread.find((m) => m.id === id)!.state!.approval!.request_id;
    await p.page.locator(`.sidebar button.bell:not([data-unread="${before}"])`).waitFor();
    const alerts = await p.page.waitForFunction(() => {
      const a = (globalThis as unknown as { alerts: unknown[] }).alerts;
      return a.length > 0 ? a : null;
    });
    expect(await alerts.jsonValue()).toEqual([{ title: expect.stringMatching(/^Approval needed: .*npm run lint/) as unknown, tag: `prompt:${requestId}` }]);

    // "Mark all read" empties the count, here and at the hub.
    await bell(p.page).click();
    await p.page.getByRole('button', { name: 'Mark all read' }).click();
    await p.page.getByRole('button', { name: 'Notifications, 0 unread' }).waitFor();
    expect(await p.page.locator('.bell-panel li.notification[data-read=false]').count()).toBe(0);
    await p.page.reload();
    await p.page.getByRole('button', { name: 'Notifications, 0 unread' }).waitFor();
    expect(p.errors).toEqual([]);
    await p.context.close();
  });
});
