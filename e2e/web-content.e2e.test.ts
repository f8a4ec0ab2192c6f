// What is inside a thread, in Chromium against a real hub, runner and Codex (scripted model): the
// composer never loses text (what was typed while a send waited for its acknowledgement stays, and
// an unsent draft survives a reload, per thread), Enter during IME composition does not send, and
// rows render their content well: streaming Markdown without raw markers, Reasoning once, tables,
// one watcher line, full timestamps, one Copy button, highlighted code and diffs in two modes.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Channel, Socket } from 'phoenix';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, join as joinChannel, push } from '@pilothouse/hub/testing';
import { startSessionHarness, type SessionHarness } from './support/session-harness.js';
import { ensureWebBuild, launchBrowser, openPerson, setPasswords, signIn, type Person } from './support/browser.js';

const PASSWORD = 'correct horse battery';

let h: SessionHarness;
let browser: Browser;
let alice: Person;
let threadUrl: string;
let gate: AckGate;
let lab: { socket: Socket; channel: Channel; threadId: string } | null = null;

/** With CONTENT_SHOTS=dir set: the page at phone (390x844) and desktop (1440x900) width, for a person to look at. */
async function look(page: Page, name: string, scrollTo?: string): Promise<void> {
  const dir = process.env.CONTENT_SHOTS;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  const before = page.viewportSize();
  for (const [size, width, height] of [['phone', 390, 844], ['desktop', 1440, 900]] as const) {
    await page.setViewportSize({ width, height });
    if (scrollTo) await page.locator(scrollTo).first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(dir, `${name}-${size}.png`) });
  }
  if (before) await page.setViewportSize(before);
}

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
  lab?.socket.disconnect();
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
    await box.evaluate((el: { dispatchEvent(e: unknown): boolean }) => {
      const Key = (globalThis as unknown as { KeyboardEvent: new (type: string, init: object) => unknown }).KeyboardEvent;
      const init = { key: 'Enter', code: 'Enter', bubbles: true, cancelable: true };
      el.dispatchEvent(new Key('keydown', { ...init, isComposing: true }));
      el.dispatchEvent(new Key('keydown', { ...init, keyCode: 229 }));
    });
    await box.press('Shift+Enter');
    await box.pressSequentially('です');
    expect(await box.inputValue()).toBe('にほん\nです');
    await box.press('Enter');
    await rows(alice, 'text', 'です').waitFor();
    expect((await humanBodies()).filter((b) => b.includes('にほん'))).toEqual(['にほん\nです']);
  });
});

/** The DOM the page functions below touch (the e2e tests compile without the DOM library). */
interface El {
  textContent: string | null;
  children: ArrayLike<El>;
  querySelectorAll(selector: string): ArrayLike<El>;
  getBoundingClientRect(): { height: number };
}
interface Win {
  getComputedStyle(el: El): { textAlign: string; borderBottomStyle: string; fontSize: string; paddingTop: string; paddingLeft: string };
  navigator: { clipboard: { readText(): Promise<string> } };
}
const clipboard = (page: Page) => page.evaluate(() => (globalThis as unknown as Win).navigator.clipboard.readText());

const TABLE = ['| Name | Count | Note |', '|:-----|------:|:----:|', '| alpha | 3 | ok |', '| beta | 12345 | fine |'].join('\n');
const ANSWER = [
  '## What changed',
  '',
  'All **3 tests** pass. The hub now:',
  '',
  '- serves the page',
  '- keeps `drafts` per thread',
  '',
  TABLE,
  '',
  '```ts',
  'export function add(a: number, b: number): number {',
  "  return a + b; // 'sum'",
  '}',
  '```',
].join('\n');
const DIFF = [
  '--- a/src/add.ts',
  '+++ b/src/add.ts',
  '@@ -1,4 +1,4 @@',
  ' // Adds two numbers.',
  '-export function add(a, b) {',
  '-  return a - b;',
  '+export function add(a: number, b: number): number {',
  '+  return a + b;',
  ' }',
  '',
].join('\n');

/** A runner client in acme/lab posting rows of every kind into one session thread. */
async function openLab(): Promise<{ socket: Socket; channel: Channel; threadId: string }> {
  const channelRow = await h.hub.store.createChannel({ workspace: 'acme', channel: 'lab' });
  await h.hub.store.addMember(channelRow.id, (await h.hub.store.userByName('alice'))!.id);
  const socket = connect(h.hub.url, h.alice.token);
  const channel = socket.channel('channel:acme/lab', {});
  await joinChannel(channel);
  await push(channel, 'runner_register', { runner_id: 'lab-runner', instance_id: 'lab-1', name: 'lab', cwd: '/lab', agent: { name: 'codex', version: '0.169.0' }, capabilities: [] });
  const root = (await push(channel, 'post_row', { client_id: 'lab-root', kind: 'session', body: 'Lab session' })) as { thread_id: string };
  await push(channel, 'runner_status', { status: 'idle', thread_id: root.thread_id, allowed: ['alice'] });
  return { socket, channel, threadId: root.thread_id };
}

const labRow = (client_id: string, kind: string, body: string, extra: object = {}) => push(lab!.channel, 'post_row', { client_id, thread_id: lab!.threadId, kind, body, status: 'completed', ...extra });

describe('web UI row content', () => {
  it('renders a streaming answer without raw Markdown markers, and the finished one as written', async () => {
    lab = await openLab();
    const { page } = alice;
    await page.goto(`${h.hub.url}/c/acme/lab/t/${lab.threadId}`);
    await rows(alice, 'session').waitFor();
    await push(lab.channel, 'post_row', { client_id: 's1', thread_id: lab.threadId, item_key: 'lab:s1', kind: 'assistant', body: 'All **3 tests', status: 'streaming' });
    const answer = rows(alice, 'assistant').last();
    await answer.locator('.md strong', { hasText: '3 tests' }).waitFor();
    expect((await answer.locator('.md').textContent())?.trim()).toBe('All 3 tests');

    await push(lab.channel, 'append', { item_key: 'lab:s1', offset: 'All **3 tests'.length, text: ' pass** and `npm te' });
    await answer.locator('.md code', { hasText: 'npm te' }).waitFor();
    expect((await answer.locator('.md').textContent())?.trim()).toBe('All 3 tests pass and npm te');
    await push(lab.channel, 'append', { item_key: 'lab:s1', offset: 'All **3 tests pass** and `npm te'.length, text: 'st` ran:\n\n```sh\nnpm te' });
    await answer.locator('.md pre code', { hasText: 'npm te' }).waitFor();
    expect(await answer.locator('.md').textContent()).not.toContain('```');

    await push(lab.channel, 'update_row', { item_key: 'lab:s1', body: 'All **3 tests pass** and `npm test` ran, with a literal ** pair.', status: 'completed' });
    await answer.locator('[data-row-status=completed]').waitFor();
    expect((await answer.locator('.md').textContent())?.trim()).toBe('All 3 tests pass and npm test ran, with a literal ** pair.');
  });

  it('shows the Reasoning summary once when opened, and full timestamps on hover', async () => {
    await labRow('r1', 'reasoning', 'Checking the layout first.\n\nThen the tests.');
    const reasoning = rows(alice, 'reasoning').last();
    await reasoning.locator('summary').click();
    await reasoning.locator('details[open]').waitFor();
    const shown = await reasoning.locator('.row-body').innerText();
    expect(shown.split('Checking the layout first.').length - 1).toBe(1);
    expect(shown).toContain('Then the tests.');

    for (const time of await alice.page.locator('article.row time').all()) {
      expect(await time.getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(await time.getAttribute('title')).toMatch(/\b20\d\d\b.*\d:\d\d:\d\d/);
    }
  });

  it('draws Markdown with bordered tables, aligned headers and highlighted code, loaded lazily', async () => {
    const { page } = alice;
    // The thread renderer's first script does not carry highlight.js: it comes with the first code block.
    const entry = await page.locator('script[type=module][src]').getAttribute('src');
    expect(await (await page.request.get(`${h.hub.url}${entry}`)).text()).not.toContain('highlightAuto');

    await labRow('m1', 'assistant', ANSWER);
    const answer = rows(alice, 'assistant', 'What changed');
    await answer.locator('.md pre code .hljs-keyword').first().waitFor();
    expect(await answer.locator('.md pre code .hljs-keyword').first().textContent()).toBe('export');
    const table = answer.locator('.md table');
    const styles = await table.evaluate((t: El) =>
      Array.from(t.querySelectorAll('tr')).map((tr) =>
        Array.from(tr.children).map((cell) => {
          const s = (globalThis as unknown as Win).getComputedStyle(cell);
          return { align: s.textAlign, border: s.borderBottomStyle };
        }),
      ),
    );
    const aligns = ['left', 'right', 'center'];
    for (const row of styles) expect(row).toEqual(aligns.map((align) => ({ align, border: 'solid' })));
    await look(page, 'markdown', 'article.row[data-kind=assistant] table');
  });

  it('has one Copy button, the same everywhere: code blocks, command lines, command output, answers', async () => {
    const { page } = alice;
    await labRow('c1', 'command', '\x1b[32mgreen\x1b[0m and plain\nsecond line\n', { meta: { command: 'npm test', cwd: '/lab', exit_code: 0, duration_ms: 1200 } });
    const command = rows(alice, 'command').last();
    await command.locator('.output').waitFor();
    const output = command.locator('.cmd-output button.copy');
    await output.click();
    await command.locator('.cmd-output button.copy', { hasText: 'Copied' }).waitFor();
    expect(await clipboard(page)).toBe('green and plain\nsecond line\n');

    const answer = rows(alice, 'assistant', 'What changed');
    await answer.locator('.row-copy button.copy').click();
    expect(await clipboard(page)).toBe(ANSWER);

    const sizes = await page.locator('.rows button.copy').evaluateAll((buttons: El[]) =>
      buttons.map((b) => {
        const s = (globalThis as unknown as Win).getComputedStyle(b);
        return `${s.fontSize} ${s.paddingTop} ${s.paddingLeft} ${b.getBoundingClientRect().height}`;
      }),
    );
    expect(sizes.length).toBeGreaterThanOrEqual(4);
    expect(new Set(sizes).size).toBe(1);
    await look(page, 'command', 'article.row[data-kind=command]');
  });

  it('highlights diffs and switches between unified and side by side, remembered', async () => {
    const { page } = alice;
    await labRow('d1', 'file_change', DIFF, { meta: { changes: [{ path: 'src/add.ts', kind: 'update' }] } });
    const diff = rows(alice, 'file_change').last();
    await diff.locator('tr.line.add td.code .hljs-keyword').first().waitFor();
    expect(await diff.locator('tr.line.add td.code').first().textContent()).toBe('+export function add(a: number, b: number): number {');
    await look(page, 'diff-unified', 'article.row[data-kind=file_change]');

    await diff.getByRole('button', { name: 'Side by side' }).click();
    const split = diff.locator('table.diff-table.split');
    await split.waitFor();
    const pairs = await split.locator('tr.line').evaluateAll((trs: El[]) => trs.map((tr) => Array.from(tr.querySelectorAll('td.code')).map((td) => td.textContent)));
    expect(pairs).toEqual([
      [' // Adds two numbers.', ' // Adds two numbers.'],
      ['-export function add(a, b) {', '+export function add(a: number, b: number): number {'],
      ['-  return a - b;', '+  return a + b;'],
      [' }', ' }'],
    ]);
    await look(page, 'diff-split', 'article.row[data-kind=file_change]');
    await page.reload();
    await rows(alice, 'file_change').last().locator('table.diff-table.split').waitFor();
    expect(await rows(alice, 'file_change').last().getByRole('button', { name: 'Side by side' }).getAttribute('aria-pressed')).toBe('true');
    await rows(alice, 'file_change').last().getByRole('button', { name: 'Unified' }).click();
    await rows(alice, 'file_change').last().locator('table.diff-table:not(.split)').waitFor();
  });

  it('shows relative times in the thread list', async () => {
    await alice.page.goto(`${h.hub.url}/c/acme/lab`);
    const time = alice.page.locator('.session-list time').first();
    await time.waitFor();
    expect(await time.textContent()).toMatch(/^(just now|\d+ min ago)$/);
    expect(await time.getAttribute('title')).toMatch(/\b20\d\d\b/);
  });

  it('tells a watcher once, in one line, that they cannot steer', async () => {
    const bob = await openPerson(browser);
    await bob.page.goto(h.hub.url);
    await signIn(bob.page, 'bob', PASSWORD);
    await bob.page.locator('nav.sidebar').waitFor();
    await bob.page.goto(threadUrl);
    await rows(bob, 'session').waitFor();
    await bob.page.locator('.thread .composer').waitFor();
    await bob.page.locator('.presence').waitFor();
    const text = await bob.page.locator('.thread').innerText();
    expect(text.split('can steer this session').length - 1).toBe(1);
    expect(await bob.page.locator('.thread textarea').getAttribute('placeholder')).not.toMatch(/steer/i);
    await look(bob.page, 'watcher');
    await bob.context.close();
  });
});
