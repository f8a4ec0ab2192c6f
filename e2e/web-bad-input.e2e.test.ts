// Bad input in the web UI: the XSS catalogue in a human message, in the agent's answer (real
// runner, real Codex, scripted model) and in every other kind of row (posted by a runner client
// over the protocol in a second channel), must render inert and readable; a 5 MB command output
// must stream in without freezing the page.

import type { Browser } from 'playwright-core';
import type { Channel, Socket } from 'phoenix';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSessionHarness, type SessionHarness } from './support/session-harness.js';
import { each, ensureWebBuild, executableInDom, launchBrowser, openPerson, screenshot, setPasswords, signIn, type Person } from './support/browser.js';
import { scrollToThreadStart } from './support/thread-scroll.js';
import { connect, join as joinChannel, push } from '@pilothouse/hub/testing';

const PASSWORD = 'correct horse battery';

/** Markdown and HTML that would run script, leak a javascript: URL, or break the layout if rendered raw. */
const CATALOGUE = [
  '<script>globalThis.xss = "script"; alert("script")</script>',
  '<img src=x onerror="globalThis.xss = \'img\'; alert(\'img\')">',
  '[click me](javascript:globalThis.xss=1;alert(1))',
  '<a href="javascript:alert(\'a\')">raw link</a>',
  '![pic](javascript:alert("pic"))',
  '<svg onload=alert("svg")></svg>',
  '<iframe src="javascript:alert(\'iframe\')"></iframe>',
  '<javascript:alert("autolink")>',
  '[data](data:text/html,<script>alert(1)</script>)',
  '<style>body { display: none }</style>',
  '<form action="javascript:alert(1)"><button>go</button></form>',
  '```html\n<script>alert("fenced")</script>\n```',
  `${'A'.repeat(20_000)}`,
  `https://example.com/${'x'.repeat(3_000)}`,
].join('\n\n');

let h: SessionHarness;
let browser: Browser;
let alice: Person;
let lab: { socket: Socket; channel: Channel } | null = null;

beforeAll(async () => {
  ensureWebBuild();
  [h, browser] = await Promise.all([startSessionHarness(), launchBrowser()]);
  await setPasswords(h.hub, { alice: PASSWORD });
  const channel = await h.hub.store.createChannel({ workspace: 'acme', channel: 'lab' });
  await h.hub.store.addMember(channel.id, (await h.hub.store.userByName('alice'))!.id);
  alice = await openPerson(browser);
  await alice.page.goto(h.hub.url);
  await signIn(alice.page, 'alice', PASSWORD);
  await alice.page.locator('nav.sidebar li[data-channel="acme/lab"]').waitFor();
});

afterAll(async () => {
  lab?.socket.disconnect();
  await browser?.close();
  await h?.close();
});

/** What the page must never show: a dialog, a thrown error, an executable node, a horizontal scrollbar. */
async function expectInert(p: Person, scope: string): Promise<void> {
  expect(p.dialogs).toEqual([]);
  expect(p.errors).toEqual([]);
  expect(await executableInDom(p.page, scope)).toEqual([]);
  expect(await p.page.evaluate(() => (globalThis as Record<string, unknown>).xss)).toBeUndefined();
  const [scroll, client] = await p.page.locator(scope).first().evaluate((el) => [el.scrollWidth, el.clientWidth]);
  expect(scroll).toBeLessThanOrEqual(client);
}

describe('web UI bad input', () => {
  it('renders the XSS catalogue inert and readable in a human message and in the agent answer', async () => {
    h.model.enqueue({ type: 'text', chunks: [CATALOGUE.slice(0, 500), CATALOGUE.slice(500)] });
    await alice.page.goto(`${h.hub.url}/c/acme/agents/t/${h.runner.threadId}`);
    await alice.page.fill('.thread textarea', CATALOGUE);
    await alice.page.press('.thread textarea', 'Enter');
    const human = alice.page.locator('article.row[data-kind=text]');
    await human.locator('.badge[data-state=processed]').waitFor();
    const answer = alice.page.locator('article.row[data-kind=assistant]');
    await answer.locator('[data-row-status=completed]').waitFor();

    await expectInert(alice, '.rows');
    for (const row of [human, answer]) {
      const text = (await row.locator('.md').textContent()) ?? '';
      // Readable: the markup shows as the text it is.
      expect(text).toContain('<script>globalThis.xss = "script"; alert("script")</script>');
      expect(text).toContain('<img src=x onerror=');
      expect(text).toContain('[click me](javascript:globalThis.xss=1;alert(1))');
      expect(text).toContain('A'.repeat(20_000));
    }
    // Links that survive are plain web links that open elsewhere.
    expect(await each(answer.locator('.md a'), async (a) => [(await a.getAttribute('href'))?.slice(0, 20), await a.getAttribute('rel')])).toEqual([
      ['https://example.com/', 'noopener noreferrer nofollow'],
    ]);
  });

  it('renders every row kind inert, and streams a 5 MB command output without freezing the page', async () => {
    const socket = connect(h.hub.url, h.alice.token);
    const channel = socket.channel('channel:acme/lab', {});
    lab = { socket, channel };
    await joinChannel(channel);
    await push(channel, 'runner_register', { runner_id: 'lab-runner', instance_id: 'lab-1', name: 'lab <b>box</b>', cwd: '/lab/<script>', agent: { name: 'codex', version: '0.169.0' }, capabilities: [] });
    const root = (await push(channel, 'post_row', { client_id: 'lab-root', kind: 'session', body: 'Lab session <img src=x onerror=alert("root")>' })) as { thread_id: string };
    await push(channel, 'runner_status', { status: 'working', thread_id: root.thread_id, allowed: ['alice'] });
    const row = (client_id: string, kind: string, body: string, meta: object) => push(channel, 'post_row', { client_id, thread_id: root.thread_id, kind, body, meta, status: 'completed' });
    await row('r1', 'reasoning', '<script>alert("reasoning")</script> thinking it over', {});
    await row('r2', 'command', '\x1b[31mred <b>not bold</b>\x1b[0m\n<script>alert("ansi")</script>\n\x1b]8;;javascript:alert(1)\x07osc link\x1b]8;;\x07\n', {
      command: "echo '<script>alert(1)</script>'",
      cwd: '/lab',
      exit_code: 3,
      duration_ms: 1234,
    });
    await row('r3', 'file_change', '--- a/x.html\n+++ b/x.html\n@@ -1,2 +1,2 @@\n-<p>old</p>\n+<script>alert("diff")</script>\n <img src=x onerror=alert(1)>\n', { changes: [{ path: 'x.html', kind: 'update' }] });
    await row('r4', 'web_search', '<img src=x onerror=alert("search")>\nphoenix channels', { query: 'phoenix channels' });
    await row('r5', 'plan', '', {
      steps: [
        { step: '<img src=x onerror=alert("plan")>', status: 'completed' },
        { step: 'write the tests', status: 'inProgress' },
        { step: 'ship it', status: 'pending' },
      ],
    });
    await row('r6', 'notice', '<b>not bold</b> and [not a link](javascript:alert(1))', {});

    const p = alice.page;
    await p.goto(`${h.hub.url}/c/acme/lab`);
    await p.locator('.thread-link').first().waitFor();
    await expectInert(alice, '.thread-list');
    await expectInert(alice, '.channel .view-head');
    expect(await p.locator('.runners .presence').textContent()).toContain('lab <b>box</b>');
    await p.locator('.thread-link').first().click();
    await p.locator('article.row[data-kind=notice]').waitFor();
    await expectInert(alice, '.rows');

    const command = p.locator('article.row[data-kind=command]').first();
    expect(await command.locator('.output span[style*="color"]').first().textContent()).toBe('red <b>not bold</b>');
    expect(await command.locator('.exit').textContent()).toBe('exit 3');
    expect(await command.locator('.duration').textContent()).toBe('1.2 s');
    const diff = p.locator('article.row[data-kind=file_change]');
    expect(await diff.locator('tr.line.add td.code').textContent()).toBe('+<script>alert("diff")</script>');
    expect(await diff.locator('tr.line.del td.code').textContent()).toBe('-<p>old</p>');
    expect(await p.locator('article.row[data-kind=web_search] li').allTextContents()).toEqual(['<img src=x onerror=alert("search")>', 'phoenix channels']);
    const plan = p.locator('article.row[data-kind=plan] li');
    expect(await each(plan, async (li) => [await li.getAttribute('data-step-status'), await li.textContent()])).toEqual([
      ['completed', '<img src=x onerror=alert("plan")>'],
      ['inProgress', 'write the tests'],
      ['pending', 'ship it'],
    ]);
    expect(await p.locator('article.row[data-kind=reasoning] details').getAttribute('open')).toBeNull();
    await screenshot(p, 'rows');

    // 5 MB of output in ten appends while the page watches; a timer in the page measures its longest stall.
    await p.evaluate(() => {
      const g = globalThis as unknown as { stall: number; setInterval(f: () => void, ms: number): number; performance: { now(): number } };
      let last = g.performance.now();
      g.stall = 0;
      g.setInterval(() => {
        const now = g.performance.now();
        g.stall = Math.max(g.stall, now - last);
        last = now;
      }, 20);
    });
    const line = `${'x'.repeat(70)} \x1b[32mok\x1b[0m\n`;
    const chunk = line.repeat(Math.floor((512 * 1024) / line.length));
    await push(channel, 'post_row', { client_id: 'big', thread_id: root.thread_id, item_key: 'lab:big', kind: 'command', body: '', meta: { command: 'cat big.log', cwd: '/lab', exit_code: null } });
    let offset = 0;
    for (let i = 0; i < 10; i++) {
      await push(channel, 'append', { item_key: 'lab:big', offset, text: chunk });
      offset += chunk.length;
    }
    await push(channel, 'update_row', { item_key: 'lab:big', status: 'completed', meta: { command: 'cat big.log', cwd: '/lab', exit_code: 0, duration_ms: 42 } });
    // By position, not by text: matching text would read 5 MB of textContent on every poll.
    const big = p.locator('article.row[data-kind=command]').last();
    await big.locator('[data-command-state=completed]').waitFor();
    await big.locator('button.show-all').waitFor();
    expect(offset).toBeGreaterThan(5_000_000);
    const shown = (await big.locator('.output').textContent()) ?? '';
    expect(shown.length).toBeLessThan(50_000);
    expect(await big.locator('summary').textContent()).toContain(`${Math.round(offset / line.length)} lines`);
    const stall = await p.evaluate(() => (globalThis as unknown as { stall: number }).stall);
    expect(stall).toBeLessThan(1_500);

    // "Show all" renders it piece by piece: the page keeps answering meanwhile.
    await p.evaluate(() => ((globalThis as unknown as { stall: number }).stall = 0));
    await big.locator('button.show-all').click();
    await big.locator('button.show-all').waitFor({ state: 'detached' });
    await big.locator('.show-progress').waitFor({ state: 'detached' });
    expect(await p.evaluate(() => (globalThis as unknown as { stall: number }).stall)).toBeLessThan(1_500);
    expect(((await big.locator('.output').textContent()) ?? '').length).toBe(offset - (offset / line.length) * '\x1b[32m\x1b[0m'.length);
    await expectInert(alice, '.rows');

    // Reloaded, the thread comes in pages (get_thread is paged) and the 5 MB body clipped, with a
    // way to load the rest (get_body). The page opens on the newest rows (a virtual list: rows far
    // from the view are not in the DOM) and loads the older pages as the reader scrolls up.
    for (let i = 0; i < 240; i++) await push(channel, 'post_row', { client_id: `n${i}`, thread_id: root.thread_id, kind: 'notice', body: `notice ${i}`, status: 'completed' });
    await p.reload();
    await p.locator('article.row[data-kind=notice]', { hasText: 'notice 239' }).waitFor();
    expect(await p.locator('article.row').count()).toBeLessThan(8 + 240);
    await scrollToThreadStart(p);
    const clipped = p.locator('article.row[data-kind=command]').last();
    const loadRest = clipped.locator('.not-loaded button');
    expect(await loadRest.textContent()).toMatch(/M characters more not loaded\. Load the rest/);
    await clipped.scrollIntoViewIfNeeded();
    await screenshot(p, 'clipped-body');
    expect(await clipped.locator('summary').textContent()).not.toContain(`${Math.round(offset / line.length)} lines`);
    await loadRest.click();
    await clipped.locator('.not-loaded').waitFor({ state: 'detached' });
    expect(await clipped.locator('summary').textContent()).toContain(`${Math.round(offset / line.length)} lines`);
    expect(alice.errors).toEqual([]);
  });
});
