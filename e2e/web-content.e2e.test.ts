// What is inside a thread, in Chromium against a real hub, runner and Codex (scripted model): the
// composer never loses text (what was typed while a send waited for its acknowledgement stays, and
// an unsent draft survives a reload, per thread), Enter during IME composition does not send, and
// rows render their content well: streaming Markdown without raw markers, Reasoning once, tables,
// one watcher line, full timestamps, one Copy button, highlighted code and diffs in two modes.

import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { push } from '@pilothouse/hub/testing';
import { startSessionHarness, type SessionHarness } from './support/session-harness.js';
import { ensureWebBuild, launchBrowser, openPerson, setPasswords, signIn, type Person } from './support/browser.js';

const PASSWORD = 'correct horse battery';

let h: SessionHarness;
let browser: Browser;
let alice: Person;
let threadUrl: string;
let gate: AckGate;

/**
 * The page's socket, passed through a hand that can hold the hub's replies to post_message: a
 * send's acknowledgement arrives exactly when the test lets it.
 */
interface AckGate {
  hold(): void;
  /** Resolves once a post_message reply is being held. */
  held(): Promise<void>;
  release(): void;
}

async function gateAcks(context: BrowserContext): Promise<AckGate> {
  let holding = false;
  let held: string[] = [];
  let onHeld: (() => void) | null = null;
  let deliver: ((frame: string) => void) | null = null;
  const posts = new Set<string>();
  await context.routeWebSocket(/\/socket\/websocket/, (ws) => {
    const server = ws.connectToServer();
    deliver = (frame) => ws.send(frame);
    ws.onMessage((frame) => {
      const [, ref, , event] = JSON.parse(String(frame)) as [unknown, string | null, string, string];
      if (event === 'post_message' && ref !== null) posts.add(ref);
      server.send(frame);
    });
    server.onMessage((frame) => {
      const [, ref, , event] = JSON.parse(String(frame)) as [unknown, string | null, string, string];
      if (holding && event === 'phx_reply' && ref !== null && posts.has(ref)) {
        held.push(String(frame));
        onHeld?.();
        return;
      }
      ws.send(frame);
    });
  });
  return {
    hold: () => (holding = true),
    held: () => new Promise<void>((resolve) => (held.length > 0 ? resolve() : (onHeld = resolve))),
    release() {
      holding = false;
      onHeld = null;
      const frames = held;
      held = [];
      for (const f of frames) deliver?.(f);
    },
  };
}

beforeAll(async () => {
  ensureWebBuild();
  [h, browser] = await Promise.all([startSessionHarness(), launchBrowser()]);
  await setPasswords(h.hub, { alice: PASSWORD, bob: PASSWORD });
  alice = await openPerson(browser);
  gate = await gateAcks(alice.context);
  await alice.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: h.hub.url });
  await alice.page.goto(h.hub.url);
  await signIn(alice.page, 'alice', PASSWORD);
  await alice.page.locator('nav.sidebar').waitFor();
  threadUrl = `${h.hub.url}/c/acme/agents/t/${h.runner.threadId}`;
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

const rows = (p: Person, kind: string, hasText?: string) => p.page.locator(`article.row[data-kind=${kind}]`, hasText === undefined ? {} : { hasText });
const humanBodies = async () => (await h.thread()).filter((m) => m.kind === 'text').map((m) => m.body);

describe('web UI composer', () => {
  it('keeps what was typed while a send waited for its acknowledgement, and sends it next', async () => {
    const { page } = alice;
    h.model.enqueue({ type: 'text', chunks: ['First done.'] }, { type: 'text', chunks: ['Second done.'] });
    await page.goto(threadUrl);
    await rows(alice, 'session').waitFor();
    const box = page.locator('.thread textarea');
    gate.hold();
    await box.fill('First message');
    await box.press('Enter');
    await gate.held();
    // Typed before the hub's acknowledgement arrives.
    await page.keyboard.type(' and a second thought');
    gate.release();
    await rows(alice, 'text', 'First message').waitFor();
    await page.waitForFunction(() => (globalThis as unknown as { document: { querySelector(s: string): { value: string } } }).document.querySelector('.thread textarea').value === 'and a second thought');
    await box.press('Enter');
    await rows(alice, 'text', 'and a second thought').waitFor();
    expect(await box.inputValue()).toBe('');
    expect(await humanBodies()).toEqual(['First message', 'and a second thought']);
    await rows(alice, 'assistant', 'Second done.').waitFor();
  });

  it("keeps each thread's unsent draft across a reload, and drops it once sent", async () => {
    const { page } = alice;
    const other = (await push(h.alice.channel, 'post_message', { client_id: 'content-other', body: 'Another thread' })) as { message_id: string };
    const otherUrl = `${h.hub.url}/c/acme/agents/t/${other.message_id}`;
    await page.goto(threadUrl);
    await page.locator('.thread textarea').fill('Half a thought\non two lines');
    await page.goto(otherUrl);
    await rows(alice, 'text', 'Another thread').waitFor();
    await page.locator('.thread textarea').fill('A reply not sent yet');
    await page.goto(`${h.hub.url}/c/acme/agents`);
    await page.locator('.channel textarea').fill('A new thread idea');

    await page.reload();
    await page.locator('.channel textarea').waitFor();
    expect(await page.locator('.channel textarea').inputValue()).toBe('A new thread idea');
    await page.goto(threadUrl);
    await rows(alice, 'session').waitFor();
    expect(await page.locator('.thread textarea').inputValue()).toBe('Half a thought\non two lines');
    await page.goto(otherUrl);
    await rows(alice, 'text', 'Another thread').waitFor();
    expect(await page.locator('.thread textarea').inputValue()).toBe('A reply not sent yet');

    await page.locator('.thread textarea').press('Enter');
    await rows(alice, 'text', 'A reply not sent yet').waitFor();
    await page.reload();
    await rows(alice, 'text', 'A reply not sent yet').waitFor();
    expect(await page.locator('.thread textarea').inputValue()).toBe('');
  });

  it('sends on Enter, starts a new line on Shift+Enter, and does not send on Enter during IME composition', async () => {
    const { page } = alice;
    h.model.enqueue({ type: 'text', chunks: ['Noted.'] });
    await page.goto(threadUrl);
    await rows(alice, 'session').waitFor();
    const box = page.locator('.thread textarea');
    await box.fill('');
    await box.pressSequentially('にほん');
    // The Enter that commits a composition (Chromium marks it isComposing; Safari sends keyCode 229).
    await box.evaluate((el) => {
      const init = { key: 'Enter', code: 'Enter', bubbles: true, cancelable: true };
      el.dispatchEvent(new KeyboardEvent('keydown', { ...init, isComposing: true }));
      el.dispatchEvent(new KeyboardEvent('keydown', { ...init, keyCode: 229 } as KeyboardEventInit));
    });
    await box.press('Shift+Enter');
    await box.pressSequentially('です');
    expect(await box.inputValue()).toBe('にほん\nです');
    await box.press('Enter');
    await rows(alice, 'text', 'です').waitFor();
    expect((await humanBodies()).filter((b) => b.includes('にほん'))).toEqual(['にほん\nです']);
  });
});
