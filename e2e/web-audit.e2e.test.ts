// Decisions on the record, in Chromium against a real hub, runner, Codex and the scripted model:
// bob (a member who may not steer alice's session) forces an interrupt over his own socket and is
// refused; an admin opens the audit log from the sidebar and finds bob's refused attempt with its
// code, filters to refused attempts or one action, pages older entries, and retries a failed
// load. A non-admin has no link, and /audit tells him it is for admins. On a phone the link is in
// the drawer.

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PageGlobals } from './support/page-globals.js';
import { startSessionHarness, type SessionHarness } from './support/session-harness.js';
import { addAdmin, DEVICES, each, ensureWebBuild, forcedControl, launchBrowser, openPerson, setPasswords, signIn, type Person } from './support/browser.js';

const PASSWORD = 'correct horse battery';

let h: SessionHarness;
let browser: Browser;
let bob: Person;
let carol: Person;

beforeAll(async () => {
  ensureWebBuild();
  [h, browser] = await Promise.all([startSessionHarness(), launchBrowser()]);
  await setPasswords(h.hub, { alice: PASSWORD, bob: PASSWORD });
  // The harness's alice and bob are members, not admins; carol administers the hub.
  await addAdmin(h.hub, 'carol', PASSWORD, h.channelId);
  [bob, carol] = await Promise.all([openPerson(browser), openPerson(browser)]);
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

async function signInAs(page: Page, name: string): Promise<void> {
  await page.goto(h.hub.url);
  await signIn(page, name, PASSWORD);
  await page.locator('nav.sidebar').waitFor();
}

const auditRows = (page: Page) => page.locator('.audit-table tbody tr');
const ids = (page: Page) => each(auditRows(page), async (r) => Number(await r.getAttribute('data-audit-id')));

describe('the audit log', () => {
  it('a member may not steer: his forced interrupt is refused; he has no link and /audit is for admins', async () => {
    await signInAs(bob.page, 'bob');
    const reply = await forcedControl(bob.page, h.runner.threadId, { type: 'interrupt' });
    expect(reply).toMatchObject({ status: 'error', response: { code: 'sender_not_allowed' } });

    expect(await bob.page.locator('.sidebar a', { hasText: 'Audit log' }).count()).toBe(0);
    expect(await bob.page.locator('.sidebar a').count()).toBeGreaterThan(0);
    await bob.page.goto(`${h.hub.url}/audit`);
    const refused = bob.page.locator('.audit [data-audit-error=forbidden]');
    await refused.waitFor();
    expect(await refused.textContent()).toBe('The audit log is for admins.');
    expect(await bob.page.locator('.view-head h1').textContent()).toBe('Audit log');
    expect(await auditRows(bob.page).count()).toBe(0);
    expect(bob.errors).toEqual([]);
  });

  it('the admin opens it from the sidebar and sees bob’s refused attempt with its code, newest first', async () => {
    // A permitted control by alice afterwards: on the record, not refused, and newer than bob's.
    await h.control(h.alice, { type: 'interrupt' });
    await signInAs(carol.page, 'carol');
    const link = carol.page.locator('.sidebar a', { hasText: 'Audit log' });
    await link.click();
    await carol.page.waitForURL(`${h.hub.url}/audit`);
    expect(await link.getAttribute('aria-current')).toBe('page');

    const bobs = carol.page.locator('.audit-table tr[data-action=control_refused]');
    await bobs.waitFor();
    expect(await bobs.locator('.audit-who').textContent()).toBe('bob');
    expect(await bobs.locator('.audit-channel').textContent()).toBe('acme/agents');
    expect(await bobs.getAttribute('data-refused')).toBe('true');
    const chip = bobs.locator('.audit-refused');
    expect(await chip.getAttribute('data-code')).toBe('sender_not_allowed');
    // Read as "refused: sender_not_allowed"; the word is for screen readers, the chip's colour says it.
    expect(await chip.textContent()).toBe('refused: sender_not_allowed');
    expect(await bobs.locator('.audit-detail').textContent()).toContain('action interrupt');
    // The time is the row's clock time, the full date and time on hover.
    const time = bobs.locator('.audit-time time');
    expect(await time.textContent()).toMatch(/^\d{1,2}:\d\d( [AP]M)?$/);
    expect(await time.getAttribute('title')).toMatch(/\d{4}/);

    const alices = carol.page.locator('.audit-table tr[data-action=control]');
    expect(await alices.locator('.audit-who').textContent()).toBe('alice');
    expect(await alices.getAttribute('data-refused')).toBe('false');
    expect(await alices.locator('.audit-outcome').textContent()).toBe('done');
    const shown = await ids(carol.page);
    expect(shown).toEqual([...shown].sort((a, b) => b - a));
    expect(shown.indexOf(Number(await alices.getAttribute('data-audit-id')))).toBeLessThan(shown.indexOf(Number(await bobs.getAttribute('data-audit-id'))));
  });

  it('filters to refused attempts, or to one action (the hub filters)', async () => {
    const { page } = carol;
    await page.getByLabel('Refused only').check();
    await page.locator('.audit-table tr[data-action=control]').waitFor({ state: 'detached' });
    expect(await each(auditRows(page), (r) => r.getAttribute('data-refused'))).toEqual(['true']);
    await page.getByLabel('Refused only').uncheck();
    await page.locator('.audit-table tr[data-action=control]').waitFor();

    await page.getByLabel('Action', { exact: true }).selectOption('control');
    // The list starts over with the hub's answer for that action alone.
    await page.locator('.audit[aria-busy=false] .audit-table tr[data-action=control]').waitFor();
    expect(await each(auditRows(page), (r) => r.getAttribute('data-action'))).toEqual(['control']);
    await page.getByLabel('Action', { exact: true }).selectOption('');
    await page.locator('.audit-table tr[data-action=control_refused]').waitFor();
  });

  it('pages older entries with "Load older" until there are none', async () => {
    const { page } = carol;
    const carolUser = await h.hub.store.userByName('carol');
    // 120 newer entries put bob's refusal on the second page.
    for (let i = 0; i < 120; i++) await h.hub.store.audit({ actor: { id: carolUser!.id, name: 'carol' }, action: 'preview_close', channel: 'acme/agents', detail: { preview_id: `p${i}`, reason: 'closed' } });
    await page.reload();
    await auditRows(page).first().waitFor();
    expect(await auditRows(page).count()).toBe(100);
    expect(await page.locator('.audit-table tr[data-action=control_refused]').count()).toBe(0);
    await page.getByRole('button', { name: 'Load older' }).click();
    await page.locator('.audit-table tr[data-action=control_refused]').waitFor();
    const shown = await ids(page);
    expect(shown.length).toBeGreaterThan(120);
    expect(new Set(shown).size).toBe(shown.length);
    expect(shown).toEqual([...shown].sort((a, b) => b - a));
    // The second page was short: nothing older.
    await page.getByRole('button', { name: 'Load older' }).waitFor({ state: 'detached' });
  });

  it('a failed load says why and Retry loads it', async () => {
    const { page } = carol;
    await page.route('**/api/audit?*', (route) => route.abort('connectionrefused'));
    await page.reload();
    const failed = page.locator('.audit-failed');
    await failed.waitFor();
    expect(await failed.locator('span').textContent()).toBe('The hub cannot be reached.');
    await page.unroute('**/api/audit?*');
    await failed.getByRole('button', { name: 'Retry' }).click();
    await auditRows(page).first().waitFor();
    await failed.waitFor({ state: 'detached' });
    expect(await auditRows(page).count()).toBe(100);
    expect(carol.errors).toEqual([]);
  });

  it('on a phone the link is in the drawer, and the entries fit the width', async () => {
    const phone = await openPerson(browser, { ...DEVICES.phone, reducedMotion: 'reduce' });
    await phone.page.goto(h.hub.url);
    await signIn(phone.page, 'carol', PASSWORD);
    await phone.page.locator('.view-head').first().waitFor();
    await phone.page.getByRole('button', { name: 'Channels' }).first().click();
    await phone.page.locator('.shell[data-drawer=open]').waitFor();
    await phone.page.locator('.sidebar a', { hasText: 'Audit log' }).click();
    await phone.page.waitForURL(`${h.hub.url}/audit`);
    await phone.page.locator('.shell[data-drawer=closed]').waitFor();
    await auditRows(phone.page).first().waitFor();
    const overflow = await phone.page.evaluate(() => {
      const g = globalThis as unknown as PageGlobals;
      return (g.document.documentElement.scrollWidth as number) - (g.window.innerWidth as number);
    });
    expect(overflow).toBe(0);
    // Stacked rows: the action sits below who and when, not beside them.
    const row = auditRows(phone.page).first();
    const [who, action] = await Promise.all([row.locator('.audit-who').boundingBox(), row.locator('.audit-action').boundingBox()]);
    expect(action!.y).toBeGreaterThanOrEqual(who!.y + who!.height);
    expect(phone.errors).toEqual([]);
  });
});
