// What the rows say is true, in the page (real hub, runner, Codex, scripted model, Chromium):
// agent rows are signed by the agent and the runner, not by the runner's user; a command waiting
// for its approval says so; a decided prompt stays in the thread, collapsed, with who decided,
// when and how; a model that fails shows "reconnecting" on the message while Codex retries.

import { hostname } from 'node:os';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSessionHarness, type SessionHarness } from './support/session-harness.js';
import { ensureWebBuild, launchBrowser, openPerson, setPasswords, signIn, type Person } from './support/browser.js';

const PASSWORD = 'correct horse battery';
/** Screenshots for review, when asked for (they are not kept in the repository). */
/** With PILOTHOUSE_SCREENSHOTS set, the states are saved beside the other screenshots (docs/screenshots). */
const SHOTS = process.env.PILOTHOUSE_SCREENSHOTS ? resolve(import.meta.dirname, '../docs/screenshots') : undefined;

let h: SessionHarness;
let browser: Browser;
let alice: Person;
let threadUrl: string;

async function shots(page: Page, name: string): Promise<void> {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  // No drawer sliding away while the viewport changes size.
  await page.emulateMedia({ reducedMotion: 'reduce' });
  for (const [label, width, height] of [['desktop', 1440, 900], ['phone', 390, 844]] as const) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: join(SHOTS, `${name}-${label}.png`) });
  }
  await page.setViewportSize({ width: 1280, height: 820 });
}

beforeAll(async () => {
  ensureWebBuild();
  // Codex retries a failed model stream twice, reporting each retry.
  [h, browser] = await Promise.all([startSessionHarness({ codex: { streamRetries: 2 } }), launchBrowser()]);
  await setPasswords(h.hub, { alice: PASSWORD });
  alice = await openPerson(browser);
  threadUrl = `${h.hub.url}/c/acme/agents/t/${h.runner.threadId}`;
  await alice.page.goto(h.hub.url);
  await signIn(alice.page, 'alice', PASSWORD);
  await alice.page.locator('nav.sidebar').waitFor();
  await alice.page.goto(threadUrl);
  await alice.page.locator('article.row[data-kind=session]').waitFor();
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

const rows = (kind: string, hasText?: string) => alice.page.locator(`article.row[data-kind=${kind}]`, hasText === undefined ? {} : { hasText });

async function send(text: string): Promise<void> {
  await alice.page.fill('.thread textarea', text);
  await alice.page.press('.thread textarea', 'Enter');
  await rows('text', text).waitFor();
}

describe('rows say what is true', () => {
  it('signs agent rows as the agent and the runner; a command awaits approval; the decision stays on the record', async () => {
    h.model.enqueue({ type: 'exec', cmd: "printf 'ok\\n'", escalated: 'Needs to write outside the sandbox', login: false }, { type: 'text', chunks: ['Ran it.'] });
    await send('Run the check');
    const prompt = alice.page.locator('section.approval');
    await prompt.waitFor();

    // While the prompt is open the command says it waits, not "running".
    const command = rows('command').last();
    await command.locator('[data-command-state=awaiting_approval]').waitFor();
    expect(await command.locator('.cmd-state').textContent()).toBe('awaiting approval');
    // Signed by the agent and the runner, with the agent's avatar; the person's row by the person.
    expect(await command.locator('.author-agent').textContent()).toBe(`Codex · alice's runner on ${hostname()}`);
    await command.locator('.avatar-agent').waitFor();
    expect(await rows('text', 'Run the check').locator('.author').textContent()).toBe('alice');
    expect(await alice.page.locator('article.by-runner .row-head > .author:not(.author-agent)').count()).toBe(0);
    await shots(alice.page, 'pending-prompt');

    await prompt.locator('button[data-choice=approve]').click();
    await command.locator('.exit[data-exit="0"]').waitFor();
    await prompt.waitFor({ state: 'detached' });
    const human = rows('text', 'Run the check');
    await human.locator('.badge[data-state=processed]').waitFor();
    // The prompt left its record, collapsed: who, when, how.
    const decided = human.locator('details.decided[data-outcome=approved]');
    expect(await decided.locator('.decided-line').textContent()).toMatch(/^Approved by alice · \d\d:\d\d( [AP]M)? · via the prompt$/);
    expect(await decided.getAttribute('open')).toBeNull();
    await decided.locator('summary').click();
    expect(await decided.locator('.approval-summary').textContent()).toContain('printf');
    expect(await command.locator('.cmd-state').textContent()).toBe('completed');
    // Still there after a reload (it is in the message state the hub keeps).
    await alice.page.reload();
    await rows('text', 'Run the check').locator('details.decided[data-outcome=approved]').waitFor();
    await shots(alice.page, 'decided-prompt');
  });

  it('a model that fails shows "reconnecting (attempt n)" on the message within seconds, then the answer', async () => {
    // The first stream fails with HTTP 500; the retry is held open with nothing in it.
    h.model.enqueue({ type: 'http_error', status: 500, body: { error: { message: 'upstream down', type: 'server_error' } } }, { type: 'hang', chunks: [] });
    const started = Date.now();
    const before = h.model.requests.length;
    await send('hello?');
    const human = rows('text', 'hello?');
    await human.locator('.trouble[data-trouble=reconnecting]').waitFor();
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await human.locator('.badge').textContent()).toContain('reconnecting to the model (attempt 1)');
    await shots(alice.page, 'reconnecting');
    // The trouble shows before Codex's retry reaches the model: wait for the retry, then let it answer.
    await h.model.waitForRequest(before + 2);
    expect(h.model.release()).toBe(1);
    await human.locator('.badge[data-state=processed]').waitFor();
    await human.locator('.trouble').waitFor({ state: 'detached' });
  });
});
