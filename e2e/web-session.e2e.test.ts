// The web UI end to end: real hub serving the built page, real runner, real Codex, scripted model,
// and Debian's chromium. Alice (the listen user) signs in, steers the session, approves a command
// and interrupts a turn; Bob (a member who may not steer) sees everything but cannot decide, and a
// decision forced past his disabled buttons is refused by the hub. A hub restart mid-stream is
// caught up without a reload, without gaps or duplicate rows.

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSessionHarness, type SessionHarness } from './support/session-harness.js';
import { threadRowIds } from './support/thread-scroll.js';
import { each, ensureWebBuild, forcedControl, expireSession, launchBrowser, openPerson, screenshot, setPasswords, signIn, type Person } from './support/browser.js';

const PASSWORD = 'correct horse battery';

let h: SessionHarness;
let browser: Browser;
let alice: Person;
let bob: Person;
let threadUrl: string;

beforeAll(async () => {
  ensureWebBuild();
  [h, browser] = await Promise.all([startSessionHarness(), launchBrowser()]);
  await setPasswords(h.hub, { alice: PASSWORD, bob: PASSWORD });
  await h.hub.store.createChannel({ workspace: 'acme', channel: 'secret' });
  [alice, bob] = await Promise.all([openPerson(browser), openPerson(browser)]);
  await alice.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: h.hub.url });
  threadUrl = `${h.hub.url}/c/acme/agents/t/${h.runner.threadId}`;
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

/** The rows of a kind in a page; `.last()` is the newest. */
const rows = (p: Person, kind: string, hasText?: string) => p.page.locator(`article.row[data-kind=${kind}]`, hasText === undefined ? {} : { hasText });

async function send(p: Person, text: string): Promise<void> {
  await p.page.fill('.thread textarea', text);
  await p.page.press('.thread textarea', 'Enter');
  await rows(p, 'text', text).waitFor();
}

describe('web UI session', () => {
  it('signs in (a wrong password is refused), lists the channels and shows the runner', async () => {
    const { page } = alice;
    await page.goto(h.hub.url);
    await page.locator('input[name=name]').waitFor();
    await screenshot(page, 'sign-in');
    await signIn(page, 'alice', 'not my password');
    await page.getByRole('alert').filter({ hasText: 'Wrong user name or password.' }).waitFor();

    await signIn(page, 'alice', PASSWORD);
    // Signing in with one channel opens its live session; its back link leads to the channel.
    await page.waitForURL(threadUrl);
    await page.locator('.thread .view-head a.back').click();
    await page.waitForURL('**/c/acme/agents');
    const presence = page.locator('.runners .presence');
    await presence.and(page.locator('[data-runner-status=idle]')).waitFor();
    const facts = await presence.textContent();
    expect(facts).toContain(h.workspace.split('/').at(-1));
    expect(facts).toContain('Codex 0.169.0');
    expect(facts).toContain('steered by alice');
    // The members' channels only: acme/secret has no members.
    expect(await each(page.locator('nav.sidebar li[data-channel]'), (li) => li.getAttribute('data-channel'))).toEqual(['acme/agents']);
    await screenshot(page, 'channel');

    await page.locator('.thread-link').first().click();
    await page.waitForURL(threadUrl);
    await rows(alice, 'session').waitFor();
  });

  it("streams the agent's items into one row each and moves the message through its states", async () => {
    const answer = ['The **hub** ', 'serves ', 'the page ', 'and the ', 'socket.\n\n', '```sh\n', 'npm run build\n', '```\n\n', '- one\n', '- two\n'];
    h.model.enqueue({ type: 'reasoning', summary: ['Reading ', 'the ', 'layout.'], text: answer, delayMs: 60 });
    await send(alice, 'Explain the layout');
    const human = rows(alice, 'text', 'Explain the layout');
    const assistant = rows(alice, 'assistant').last();
    // Mid-stream: the row is there, streaming, with part of its text.
    await alice.page.locator('article.row[data-kind=assistant]:has([data-row-status=streaming])', { hasText: 'serves' }).waitFor();
    expect(await human.locator('.badge').getAttribute('data-state')).toBe('processing');
    await screenshot(alice.page, 'thread-streaming');

    await human.locator('.badge[data-state=processed]').waitFor();
    await assistant.locator('[data-row-status=completed]').waitFor();
    expect(await rows(alice, 'assistant').count()).toBe(1);
    expect(await assistant.locator('.md strong').textContent()).toBe('hub');
    expect(await assistant.locator('.md li').allTextContents()).toEqual(['one', 'two']);
    // Reasoning is collapsed until opened.
    const reasoning = rows(alice, 'reasoning').last();
    expect(await reasoning.locator('details').getAttribute('open')).toBeNull();
    expect(await reasoning.locator('summary').textContent()).toContain('Reading the layout.');
    // Copy buttons on code.
    await assistant.locator('.code-block button.copy').click();
    await assistant.locator('.code-block button.copy', { hasText: 'Copied' }).waitFor();
    expect(await alice.page.evaluate(() => (globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }).navigator.clipboard.readText())).toBe('npm run build\n');
    // The page showed the states the runner set, in order, ending where the hub's copy ends.
    const id = await human.getAttribute('data-message-id');
    expect(h.states(id!).map((s) => s.state)).toEqual(['queued', 'processing', 'processing', 'processed']);
  });

  it('puts the approval prompt in front of alice only; bob sees who decides, and his forced decision is refused', async () => {
    await bob.page.goto(h.hub.url);
    await signIn(bob.page, 'bob', PASSWORD);
    await bob.page.locator('nav.sidebar').waitFor();
    await bob.page.goto(threadUrl);
    await rows(bob, 'session').waitFor();

    h.model.enqueue({ type: 'exec', cmd: "printf '\\033[32mgreen\\033[0m and plain\\n'", escalated: 'Needs to write outside the sandbox', login: false }, { type: 'text', chunks: ['Ran it.'] });
    await send(alice, 'Run the colour check');
    const prompt = alice.page.locator('section.approval');
    await prompt.waitFor();
    expect(await prompt.textContent()).toContain('Needs to write outside the sandbox');
    expect(await prompt.locator('.approval-summary').textContent()).toContain('printf');
    expect(await prompt.locator('button[data-choice=approve]').isEnabled()).toBe(true);
    expect(await prompt.locator('button').allTextContents()).toEqual(['Approve', 'Always allow', 'Deny', 'Cancel']);
    await screenshot(alice.page, 'approval');

    const bobPrompt = bob.page.locator('section.approval');
    await bobPrompt.waitFor();
    expect(await each(bobPrompt.locator('button'), (b) => b.isDisabled())).toEqual([true, true, true, true]);
    expect(await bobPrompt.locator('.approval-who').textContent()).toBe('Waiting for alice to decide.');
    expect(await bob.page.locator('.controls button.danger', { hasText: 'Interrupt' }).isDisabled()).toBe(true);
    expect(await bob.page.locator('.thread .composer button[type=submit]').textContent()).toBe('Comment');

    const requestId = await bobPrompt.getAttribute('data-request-id');
    expect(await forcedControl(bob.page, h.runner.threadId, { type: 'resolve_approval', request_id: requestId!, choice: 'approve' })).toMatchObject({ status: 'error', response: { code: 'sender_not_allowed' } });

    await prompt.locator('button[data-choice=approve]').click();
    const command = rows(alice, 'command').last();
    await command.locator('.exit[data-exit="0"]').waitFor();
    expect(await command.locator('.output').textContent()).toBe('green and plain\n');
    expect(await command.locator('.output span[style*="color"]').textContent()).toBe('green');
    expect(await command.locator('.duration').textContent()).toMatch(/^\d+(\.\d)? m?s$/);
    await prompt.waitFor({ state: 'detached' });
    await rows(alice, 'text', 'Run the colour check').locator('.badge[data-state=processed]').waitFor();
    // Bob watched it all.
    await rows(bob, 'command').last().locator('.exit[data-exit="0"]').waitFor();
    await bobPrompt.waitFor({ state: 'detached' });

    // Bob may comment; the agent ignores it, and the badge says so.
    await send(bob, 'Looks good to me');
    const comment = rows(bob, 'text', 'Looks good to me');
    await comment.locator('.badge[data-state=ignored]').waitFor();
    expect(await comment.locator('.badge').textContent()).toBe('ignored · not the listen user (alice)');
  });

  it('drops a queued message and interrupts the running turn', async () => {
    h.model.enqueue({ type: 'hang', chunks: ['Working on it'] });
    await send(alice, 'Take your time');
    const first = rows(alice, 'text', 'Take your time');
    await first.locator('.badge[data-state=processing]').waitFor();
    await rows(alice, 'assistant', 'Working on it').waitFor();

    await send(alice, 'And then this');
    const second = rows(alice, 'text', 'And then this');
    await second.locator('.badge[data-state=queued]').waitFor();
    const drop = alice.page.locator('.controls button', { hasText: 'Drop queued (1)' });
    await drop.waitFor();
    await bob.page.locator('.controls button', { hasText: 'Drop queued (1)' }).waitFor();
    expect(await bob.page.locator('.controls button', { hasText: 'Drop queued' }).isDisabled()).toBe(true);
    expect(await bob.page.locator('.controls button.danger', { hasText: 'Interrupt' }).isDisabled()).toBe(true);
    await drop.click();
    await second.locator('.badge[data-state=ignored]', { hasText: 'dropped by alice' }).waitFor();

    await alice.page.locator('.controls button.danger', { hasText: 'Interrupt' }).click();
    await first.locator('.badge[data-state=processed]', { hasText: 'interrupted by alice' }).waitFor();
    await rows(alice, 'assistant', 'Working on it').locator('[data-row-status=interrupted]').waitFor();
    await alice.page.locator('.controls button.danger').waitFor({ state: 'detached' });
  });

  it('retries a failed instruction once with its Retry button, for alice only', async () => {
    h.model.enqueue({ type: 'http_error', status: 400, body: { error: { message: 'fake bad request', type: 'invalid_request_error' } } });
    await send(alice, 'Try the flaky thing');
    const failed = rows(alice, 'text', 'Try the flaky thing');
    await failed.locator('.badge[data-state=failed]').waitFor();
    const retry = failed.locator('.row-actions button', { hasText: 'Retry' });
    expect(await retry.isEnabled()).toBe(true);
    const bobRetry = rows(bob, 'text', 'Try the flaky thing').locator('.row-actions button', { hasText: 'Retry' });
    await bobRetry.waitFor();
    expect(await bobRetry.isDisabled()).toBe(true);
    await screenshot(alice.page, 'retry');
    const messageId = await failed.getAttribute('data-message-id');
    expect(await forcedControl(bob.page, h.runner.threadId, { type: 'retry', message_id: messageId! })).toMatchObject({ status: 'error', response: { code: 'sender_not_allowed' } });

    h.model.enqueue({ type: 'text', chunks: ['Second time lucky.'] });
    await retry.click();
    await failed.locator('.badge[data-state=processed]').waitFor();
    await rows(alice, 'assistant', 'Second time lucky.').waitFor();
    await retry.waitFor({ state: 'detached' });
    expect(h.model.pending()).toBe(0);
  });

  it('catches up after the hub restarts mid-stream, without a reload, a gap or a duplicate row', async () => {
    const chunks = Array.from({ length: 30 }, (_, i) => `part-${i} `);
    h.model.enqueue({ type: 'text', chunks, delayMs: 50 });
    await send(alice, 'Stream for a while');
    await rows(alice, 'assistant', 'part-3 ').waitFor();
    await alice.page.evaluate(() => ((globalThis as Record<string, unknown>).sameDocument = true));
    const banner = alice.page.locator('[data-banner=reconnecting]').waitFor({ state: 'attached' });

    await h.restartHub();
    await banner;
    await rows(alice, 'text', 'Stream for a while').locator('.badge[data-state=processed]').waitFor();
    const thread = await h.thread();
    expect(thread.filter((m) => m.kind === 'assistant').at(-1)!.body).toBe(chunks.join(''));
    for (const p of [alice, bob]) {
      const last = rows(p, 'assistant').last();
      await last.locator('[data-row-status=completed]').waitFor();
      await p.page.locator('[data-banner=reconnecting]').waitFor({ state: 'detached' });
      // Exactly the hub's thread, in its order: no row missing, none twice (read by scrolling
      // through it: the rows are a virtual list, only those near the view are in the DOM).
      expect(await threadRowIds(p.page)).toEqual(thread.map((m) => m.id));
      expect((await last.locator('.md').textContent())?.trim()).toBe(thread.filter((m) => m.kind === 'assistant').at(-1)!.body.trim());
    }
    expect(await alice.page.evaluate(() => (globalThis as Record<string, unknown>).sameDocument)).toBe(true);
  });

  it('marks a new thread unread for bob until he opens it', async () => {
    await alice.page.goto(`${h.hub.url}/c/acme/agents`);
    await alice.page.fill('.channel textarea', 'A separate question');
    await alice.page.press('.channel textarea', 'Enter');
    const channel = bob.page.locator('nav.sidebar li[data-channel="acme/agents"][data-unread=true]');
    await channel.waitFor();
    await bob.page.locator('.thread .view-head a.back').click();
    const item = bob.page.locator('.thread-list li[data-unread=true]', { hasText: 'A separate question' });
    await item.locator('a').click();
    await bob.page.locator('article.row[data-kind=text]', { hasText: 'A separate question' }).waitFor();
    await bob.page.locator('nav.sidebar li[data-channel="acme/agents"][data-unread=false]').waitFor();
  });

  it('says clearly when the channel is not yours or the session has expired, and signs out', async () => {
    await bob.page.goto(`${h.hub.url}/c/acme/secret`);
    await bob.page.locator('[role=alert][data-code=not_member]', { hasText: 'You are not a member of acme/secret.' }).waitFor();
    await bob.page.goto(`${h.hub.url}/c/acme/nope`);
    await bob.page.locator('[role=alert][data-code=channel_not_found]', { hasText: 'There is no channel acme/nope.' }).waitFor();

    await expireSession(h.hub, bob.context);
    await bob.page.reload();
    await bob.page.locator('.notice-box', { hasText: 'Your session expired; sign in again.' }).waitFor();

    await alice.page.locator('nav.sidebar button', { hasText: 'Sign out' }).click();
    await alice.page.locator('.notice-box', { hasText: 'You signed out.' }).waitFor();
    expect((await alice.page.request.get(`${h.hub.url}/api/me`)).status()).toBe(401);
    expect([...alice.dialogs, ...bob.dialogs, ...alice.errors, ...bob.errors]).toEqual([]);
  });
});
