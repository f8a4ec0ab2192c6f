// Sessions started from the browser (issue: start sessions from the web), in Debian's chromium
// against the real hub, `pilothouse machine` as a process, its runners, real Codex and the scripted
// model, and real git. alice (the machine's owner) and bob (whom she allows) each start a session
// in a worktree from "New session", both run at once; each Changes view shows its own file; alice
// merges hers, bob discards his (after a confirmation); a third runs in a plain folder. dave, who
// only watches, has no New session button and his forced start is refused by the hub. With
// PILOTHOUSE_SCREENSHOTS set, the machines list, the dialog and the Changes view are saved at
// phone and desktop size, light and dark.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVICES, ensureWebBuild, forcedPush, launchBrowser, openPerson, screenshot, setPasswords, signIn, type Person } from './support/browser.js';
import { git, machineWorld, type MachineWorld } from './support/machine-world.js';

const PASSWORD = 'correct horse battery';

let w: MachineWorld;
let browser: Browser;
let alice: Person;
let bob: Person;
let dave: Person;

beforeAll(async () => {
  ensureWebBuild();
  [w, browser] = await Promise.all([machineWorld(), launchBrowser()]);
  await setPasswords(w.hub, { alice: PASSWORD, bob: PASSWORD, dave: PASSWORD });
  await w.startDaemon();
  await w.waitUntil(() => w.machine()?.online, 'the machine online');
  [alice, bob, dave] = await Promise.all([openPerson(browser), openPerson(browser, DEVICES.phone), openPerson(browser)]);
  for (const [p, name] of [[alice, 'alice'], [bob, 'bob'], [dave, 'dave']] as const) {
    await p.page.goto(w.hub.url);
    await signIn(p.page, name, PASSWORD);
    await p.page.locator('nav.sidebar').waitFor({ state: 'attached' });
    await p.page.goto(`${w.hub.url}/c/acme/agents`);
  }
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await w?.close();
});

const machineRow = (page: Page) => page.locator('[data-testid=machine][data-machine=devbox]');

/** Opens the sidebar on a phone (a drawer there), no-op on a desktop. */
async function showSidebar(page: Page): Promise<void> {
  const menu = page.getByRole('button', { name: 'Channels' });
  await machineRow(page).or(menu).filter({ visible: true }).first().waitFor();
  if (await machineRow(page).isVisible()) return;
  await menu.click();
  await machineRow(page).waitFor();
}

/** Fills "New session" and submits it; resolves with the session thread's id once the page opened it. */
async function startFromPage(page: Page, opts: { instruction: string; folder?: string; worktree?: boolean; slug?: string }): Promise<string> {
  await showSidebar(page);
  await machineRow(page).locator('[data-testid=new-session]').click();
  const dialog = page.locator('[data-testid=new-session-dialog]');
  await dialog.waitFor();
  if (opts.folder) await dialog.getByLabel('Folder').selectOption(opts.folder);
  if (opts.worktree !== undefined && (await dialog.getByLabel('In a new worktree').isEnabled())) await dialog.getByLabel('In a new worktree').setChecked(opts.worktree);
  await dialog.getByLabel('First instruction').fill(opts.instruction);
  if (opts.slug) await dialog.getByLabel('Branch name (optional)').fill(opts.slug);
  const before = page.url();
  await dialog.locator('[data-testid=new-session-submit]').click();
  await page.waitForURL((url) => url.href !== before && /\/t\/[^/]+$/.test(url.pathname), { timeout: 60_000 });
  return /\/t\/([^/]+)$/.exec(page.url())![1]!;
}

/** The agent's answer row in the open thread. */
const answered = (page: Page, file: string) => page.locator('article.row', { hasText: `Wrote ${file}.` }).first().waitFor({ timeout: 90_000 });

describe('sessions from the web', () => {
  it('two people start two worktree sessions at once; each Changes view shows its file; merge one, discard the other', async () => {
    await showSidebar(alice.page);
    await expect.poll(() => machineRow(alice.page).getAttribute('data-online')).toBe('true');
    await screenshot(alice.page, 'machines-desktop-light');

    const [aliceThread, bobThread] = await Promise.all([
      startFromPage(alice.page, { instruction: 'write a.txt alpha' }),
      startFromPage(bob.page, { instruction: 'write b.txt beta', slug: 'bobs-change' }),
    ]);
    expect(aliceThread).not.toBe(bobThread);
    await Promise.all([answered(alice.page, 'a.txt'), answered(bob.page, 'b.txt')]);
    // The machine's row shows both sessions running.
    await expect.poll(() => machineRow(alice.page).locator('[data-testid=machine-session][data-state=running]').count()).toBe(2);

    const a = w.machine()!.sessions.find((s) => s.thread_id === aliceThread)!;
    const b = w.machine()!.sessions.find((s) => s.thread_id === bobThread)!;
    expect(b.branch).toBe('pilothouse/bobs-change');

    // Changes: each session its own file and diff.
    await alice.page.locator('[data-testid=session-tab-changes]').click();
    const aFile = alice.page.locator('[data-testid=changed-file][data-path="a.txt"]');
    await aFile.waitFor();
    await expect.poll(() => aFile.textContent()).toContain('alpha');
    expect(await alice.page.locator('[data-testid=changed-file]').count()).toBe(1);
    await screenshot(alice.page, 'session-changes-desktop-light');
    // The next turn's changes arrive by themselves (no Refresh): alice steers from the same view.
    await alice.page.fill('.thread textarea', 'write a2.txt more');
    await alice.page.press('.thread textarea', 'Enter');
    await alice.page.locator('[data-testid=changed-file][data-path="a2.txt"]').waitFor({ timeout: 60_000 });
    expect(await alice.page.locator('[data-testid=changed-file]').count()).toBe(2);
    await bob.page.locator('[data-testid=session-tab-changes]').click();
    await bob.page.locator('[data-testid=changed-file][data-path="b.txt"]').waitFor();
    await screenshot(bob.page, 'session-changes-phone-light');

    // alice merges hers: main has a.txt, committed.
    await alice.page.locator('[data-testid=session-end-merge]').click();
    const merged = alice.page.locator('[data-testid=session-result][data-outcome=ok]');
    await merged.waitFor({ timeout: 60_000 });
    expect(await merged.textContent()).toMatch(/fast-forwarded/);
    expect(readFileSync(join(w.repo, 'a.txt'), 'utf8')).toBe('alpha\n');
    expect(readFileSync(join(w.repo, 'a2.txt'), 'utf8')).toBe('more\n');
    expect(git(w.repo, 'status', '--porcelain')).toBe('');

    // bob discards his, after the confirmation: the worktree and the branch are gone.
    await bob.page.locator('[data-testid=session-end-discard]').click();
    await bob.page.locator('[data-testid=discard-dialog]').waitFor();
    await bob.page.locator('[data-testid=discard-confirm]').click();
    await bob.page.locator('[data-testid=session-result][data-outcome=ok]').waitFor({ timeout: 60_000 });
    expect(existsSync(b.worktree!)).toBe(false);
    expect(git(w.repo, 'branch', '--list', 'pilothouse/bobs-change')).toBe('');
    await bob.page.locator('[data-testid=session-bar][data-ending=discarded]').waitFor();
    expect(a.worktree).not.toBeNull();
  });

  it('starts a third session in a plain folder (no worktree there)', async () => {
    const thread = await startFromPage(alice.page, { instruction: 'write c.txt gamma', folder: w.plain, worktree: false });
    await answered(alice.page, 'c.txt');
    const c = w.machine()!.sessions.find((s) => s.thread_id === thread)!;
    expect(c.worktree).toBeNull();
    expect(readFileSync(join(w.plain, 'c.txt'), 'utf8')).toBe('gamma\n');
    await alice.page.locator('[data-testid=session-end-keep]').click();
    await alice.page.locator('[data-testid=session-bar][data-ending=kept]').waitFor({ timeout: 60_000 });
  });

  it('shows a refusal in the dialog (a branch that exists), with nothing created', async () => {
    git(w.repo, 'branch', 'pilothouse/taken');
    const before = w.machine()!.sessions.length;
    await showSidebar(alice.page);
    await machineRow(alice.page).locator('[data-testid=new-session]').click();
    const dialog = alice.page.locator('[data-testid=new-session-dialog]');
    await dialog.getByLabel('First instruction').fill('write t.txt taken');
    await dialog.getByLabel('Branch name (optional)').fill('taken');
    await dialog.locator('[data-testid=new-session-submit]').click();
    const refusal = dialog.locator('[data-testid=new-session-refusal][data-code=branch_exists]');
    await refusal.waitFor({ timeout: 30_000 });
    expect(await refusal.textContent()).toContain('pilothouse/taken');
    await screenshot(alice.page, 'new-session-refused-desktop-light');
    expect(w.machine()!.sessions.length).toBe(before);
    expect(existsSync(join(w.home, 'worktrees')) ? readdirSync(join(w.home, 'worktrees')).filter((d) => d.startsWith('write-t-txt')) : []).toEqual([]);
    await alice.page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    git(w.repo, 'branch', '-D', 'pilothouse/taken');
  });

  it("a watcher gets no New session button, and the hub refuses the start he forces", async () => {
    await showSidebar(dave.page);
    await machineRow(dave.page).waitFor();
    expect(await machineRow(dave.page).locator('[data-testid=new-session]').count()).toBe(0);
    const forced = await forcedPush(dave.page, 'session_start', { ...w.ref(), client_id: 'dave-forced', folder: w.repo, agent: 'codex', worktree: true, instruction: 'write d.txt no' });
    expect(forced.status).toBe('error');
    expect(forced.response.code).toBe('start_not_allowed');
    expect(git(w.repo, 'branch', '--list', 'pilothouse/*')).not.toContain('write-d-txt');
  });

  it('fits the machines list and the dialog on a phone and a desktop, light and dark', async () => {
    const overflow = (page: Page) => page.evaluate(() => {
      const g = globalThis as unknown as { document: { documentElement: { scrollWidth: number } }; window: { innerWidth: number } };
      return g.document.documentElement.scrollWidth - g.window.innerWidth;
    });
    for (const [device, options] of [['phone', DEVICES.phone], ['desktop', DEVICES.desktop]] as const)
      for (const colorScheme of ['light', 'dark'] as const) {
        const v = await openPerson(browser, { ...options, colorScheme, reducedMotion: 'reduce' });
        await v.page.goto(w.hub.url);
        await signIn(v.page, 'alice', PASSWORD);
        await v.page.locator('nav.sidebar').waitFor({ state: 'attached' });
        await v.page.goto(`${w.hub.url}/c/acme/agents`);
        await showSidebar(v.page);
        expect(`${device}-${colorScheme} machines overflow ${await overflow(v.page)}`).toBe(`${device}-${colorScheme} machines overflow 0`);
        await screenshot(v.page, `machines-${device}-${colorScheme}`);
        await machineRow(v.page).locator('[data-testid=new-session]').click();
        const dialog = v.page.locator('[data-testid=new-session-dialog]');
        await dialog.getByLabel('First instruction').fill('Fix the flaky login test');
        expect(await dialog.locator('[data-testid=branch-preview]').textContent()).toContain('pilothouse/fix-the-flaky-login-test');
        expect(`${device}-${colorScheme} dialog overflow ${await overflow(v.page)}`).toBe(`${device}-${colorScheme} dialog overflow 0`);
        await screenshot(v.page, `new-session-${device}-${colorScheme}`);
        await v.context.close();
      }
  });
});
