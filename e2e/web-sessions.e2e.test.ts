// Telling sessions apart and seeing who is there, in Chromium with a real hub, real runners and
// Codex on the scripted model: two sessions of alice's in one channel (the first ended, the second
// live), each titled by its first instruction; sign-in opens the live one; alice renames it and bob
// sees the new title live; bob's rename is refused; each sees the other watching and typing.

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSessionHarness, type SessionHarness } from './support/session-harness.js';
import { each, ensureWebBuild, launchBrowser, openPerson, screenshot, setPasswords, signIn, type Person } from './support/browser.js';
import { connect, join, push } from '@pilothouse/hub/testing';

const PASSWORD = 'correct horse battery';

let h: SessionHarness;
let browser: Browser;
let alice: Person;
let bob: Person;
let ended: string;
let live: string;

beforeAll(async () => {
  ensureWebBuild();
  [h, browser] = await Promise.all([startSessionHarness(), launchBrowser()]);
  await setPasswords(h.hub, { alice: PASSWORD, bob: PASSWORD });
  // Session one: an instruction, answered; then its runner stops (the session ended).
  ended = h.runner.threadId;
  h.model.enqueue({ type: 'text', chunks: ['Fixed.'] });
  await h.say(h.alice, 'Fix the login bug\nthe form forgets the name');
  await h.waitFor((t) => t.some((m) => m.kind === 'assistant' && m.status === 'completed'), 'the first answer');
  await h.runner.close();
  // Session two: live.
  await h.startRunner();
  live = h.runner.threadId;
  h.model.enqueue({ type: 'text', chunks: ['Drafted.'] });
  await h.say(h.alice, 'Write the release notes for 1.4');
  await h.waitFor((t) => t.some((m) => m.kind === 'assistant' && m.status === 'completed'), 'the second answer');
  [alice, bob] = await Promise.all([openPerson(browser), openPerson(browser)]);
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

/** Screenshots at phone (390×844) and desktop (1440×900) widths, then back to the test's size. */
async function shots(p: Person, name: string): Promise<void> {
  for (const [size, viewport] of [['phone', { width: 390, height: 844 }], ['desktop', { width: 1440, height: 900 }]] as const) {
    await p.page.setViewportSize(viewport);
    await screenshot(p.page, `${name}-${size}`);
  }
  await p.page.setViewportSize({ width: 1280, height: 820 });
}

const sessionItem = (p: Person, threadId: string) => p.page.locator(`.session-list li[data-thread-id="${threadId}"]`);

describe('sessions in the web UI', () => {
  it('after sign-in with one channel, opens the channel’s latest live session (not a blank page)', async () => {
    await alice.page.goto(h.hub.url);
    await signIn(alice.page, 'alice', PASSWORD);
    await alice.page.waitForURL(`${h.hub.url}/c/acme/agents/t/${live}`);
    await alice.page.locator('article.row[data-kind=text]', { hasText: 'Write the release notes' }).waitFor();
    expect(await alice.page.locator('.placeholder', { hasText: 'Pick a channel' }).count()).toBe(0);
    // The channel in the channel list opens on that session too; the thread's back link shows all of them.
    await alice.page.locator('.thread .view-head a.back').click();
    await alice.page.waitForURL(`${h.hub.url}/c/acme/agents`);
    await alice.page.locator('nav.sidebar li[data-channel="acme/agents"] a').click();
    await alice.page.waitForURL(`${h.hub.url}/c/acme/agents/t/${live}`);
  });

  it('lists sessions by their first instruction, with agent, folder, live or ended, last activity and unread', async () => {
    await alice.page.goto(`${h.hub.url}/c/acme/agents`);
    const first = sessionItem(alice, ended);
    const second = sessionItem(alice, live);
    await second.waitFor();
    expect(await second.locator('.session-title').textContent()).toBe('Write the release notes for 1.4');
    expect(await first.locator('.session-title').textContent()).toBe('Fix the login bug');
    expect(await second.getAttribute('data-live')).toBe('true');
    expect(await first.getAttribute('data-live')).toBe('false');
    expect(await second.locator('.session-live').textContent()).toBe('live');
    expect(await first.locator('.session-live').textContent()).toBe('ended');
    const folder = h.workspace.split('/').at(-1)!;
    expect(await second.locator('.session-folder').textContent()).toBe(folder);
    expect(await second.locator('.session-folder').getAttribute('title')).toBe(h.workspace);
    expect(await second.locator('.session-agent').textContent()).toBe('Codex 0.169.0');
    expect(await second.locator('.session-agent').getAttribute('data-agent')).toBe('codex');
    expect(await second.locator('time.session-when').textContent()).toMatch(/just now|\d+ (s|min) ago/);
    expect(await second.locator('time.session-when').getAttribute('title')).toMatch(/\d{4}/);
    // Newest activity first.
    expect(await each(alice.page.locator('.session-list li[data-thread-id]'), (li) => li.getAttribute('data-thread-id'))).toEqual([live, ended]);
    await shots(alice, 'sessions');
  });

  it('alice renames the live session and bob sees it at once; bob may not rename it', async () => {
    await bob.page.goto(h.hub.url);
    await signIn(bob.page, 'bob', PASSWORD);
    await bob.page.waitForURL(`${h.hub.url}/c/acme/agents/t/${live}`);
    await bob.page.goto(`${h.hub.url}/c/acme/agents`);
    await sessionItem(bob, live).waitFor();
    expect(await sessionItem(bob, live).locator('button.session-rename').count()).toBe(0);

    const item = sessionItem(alice, live);
    await item.locator('button.session-rename').click();
    const input = item.locator('input.session-title-input');
    await input.fill('Release 1.4 notes');
    await input.press('Enter');
    await item.locator('.session-title', { hasText: 'Release 1.4 notes' }).waitFor();
    await sessionItem(bob, live).locator('.session-title', { hasText: 'Release 1.4 notes' }).waitFor();

    // Forced past the missing button, over bob's own socket: refused.
    const refused = await bob.page.evaluate(async (threadId) => {
      const w = globalThis as unknown as { WebSocket: new (url: string) => { onopen: () => void; onmessage: (e: { data: string }) => void; send(t: string): void; close(): void }; location: { host: string } };
      const ws = new w.WebSocket(`ws://${w.location.host}/socket/websocket?vsn=2.0.0`);
      await new Promise<void>((resolve) => (ws.onopen = resolve));
      const replies = new Map<string, (p: unknown) => void>();
      ws.onmessage = (e) => {
        const [, ref, , event, payload] = JSON.parse(e.data) as [unknown, string, string, string, unknown];
        if (event === 'phx_reply') replies.get(ref)?.(payload);
      };
      const call = (ref: string, event: string, payload: object) => new Promise<unknown>((resolve) => (replies.set(ref, resolve), ws.send(JSON.stringify(['1', ref, 'channel:acme/agents', event, payload]))));
      await call('1', 'phx_join', {});
      const reply = await call('2', 'set_title', { thread_id: threadId, title: 'Bob was here' });
      ws.close();
      return reply;
    }, live);
    expect(refused).toMatchObject({ status: 'error', response: { code: 'sender_not_allowed' } });
  });

  it('shows who watches the thread and who is typing, live, and forgets who left', async () => {
    await alice.page.goto(`${h.hub.url}/c/acme/agents/t/${live}`);
    await bob.page.goto(`${h.hub.url}/c/acme/agents/t/${live}`);
    const aliceSees = alice.page.locator('.watchers');
    await aliceSees.locator('.avatar[data-user=bob]').waitFor();
    await aliceSees.locator('.avatar[data-user=alice]').waitFor();
    expect(await aliceSees.locator('.avatar[data-user=bob]').getAttribute('title')).toBe('bob');

    await bob.page.locator('.thread textarea').pressSequentially('Looks good');
    await alice.page.locator('.typing', { hasText: 'bob is typing' }).waitFor();
    await shots(alice, 'presence');
    await bob.page.press('.thread textarea', 'Enter');
    await alice.page.locator('.typing').waitFor({ state: 'detached' });

    await bob.page.goto(`${h.hub.url}/c/acme/agents`);
    await aliceSees.locator('.avatar[data-user=bob]').waitFor({ state: 'detached' });
    expect([...alice.errors, ...bob.errors]).toEqual([]);
  });

  it('tells agents apart: each session shows its agent by name, version and mark, and its rows are signed by that agent', async () => {
    // Runners of other agents, as the hub sees them: a registration naming the agent, a session root with its meta.
    const agents = [
      { id: 'claude', version: '2.1.332', shown: 'Claude Code 2.1.332', mark: 'claude', signed: 'Claude Code' },
      { id: 'gemini', version: '0.61.0', shown: 'Gemini CLI 0.61.0', mark: 'gemini', signed: 'Gemini CLI' },
      { id: 'my-acp-agent', version: '1.2.0', shown: 'my-acp-agent 1.2.0', mark: 'other', signed: 'my-acp-agent' },
    ];
    const sockets = [];
    const threads: Record<string, string> = {};
    for (const a of agents) {
      const socket = connect(h.hub.url, h.alice.token);
      sockets.push(socket);
      const ch = socket.channel('channel:acme/agents', {});
      await join(ch);
      await push(ch, 'runner_register', { runner_id: `r-${a.id}`, instance_id: `i-${a.id}`, name: 'laptop', cwd: `/src/${a.id}`, agent: { name: a.id, version: a.version }, capabilities: ['stream'] });
      const root = (await push(ch, 'post_row', {
        client_id: `root-${a.id}`,
        kind: 'session',
        body: `${a.signed} session in \`/src/${a.id}\`.`,
        meta: { cwd: `/src/${a.id}`, agent: a.id, agent_version: a.version, listen_user: 'alice', host: 'laptop', allowed: ['alice'] },
      })) as { thread_id: string };
      await push(ch, 'post_row', { client_id: `answer-${a.id}`, thread_id: root.thread_id, kind: 'assistant', body: `Hello from ${a.signed}.`, status: 'completed' });
      await push(ch, 'runner_status', { status: 'idle', thread_id: root.thread_id, allowed: ['alice'] });
      threads[a.id] = root.thread_id;
    }
    await alice.page.goto(`${h.hub.url}/c/acme/agents`);
    for (const a of agents) {
      const item = sessionItem(alice, threads[a.id]!);
      await item.waitFor();
      expect(await item.locator('.session-agent').textContent()).toBe(a.shown);
      expect(await item.locator('.session-agent').getAttribute('data-agent')).toBe(a.mark);
      expect(await item.locator(`.session-agent .avatar-agent.agent-${a.mark}`).getAttribute('title')).toBe(a.signed);
    }
    const devices = [['phone', { width: 390, height: 844 }], ['desktop', { width: 1280, height: 820 }]] as const;
    for (const colorScheme of ['light', 'dark'] as const) {
      for (const [size, viewport] of devices) {
        const p = await openPerson(browser, { viewport, colorScheme, reducedMotion: 'reduce' });
        await p.page.goto(h.hub.url);
        await signIn(p.page, 'alice', PASSWORD);
        // Signed in, the page opens the channel's latest live session; then to the list.
        await p.page.waitForURL(/\/c\/acme\/agents\/t\//);
        await p.page.goto(`${h.hub.url}/c/acme/agents`);
        await sessionItem(p, threads.gemini!).waitFor();
        await screenshot(p.page, `agents-sessions-${size}-${colorScheme}`);
        await p.page.goto(`${h.hub.url}/c/acme/agents/t/${threads.claude!}`);
        const answer = p.page.locator('article.row[data-kind=assistant]', { hasText: 'Hello from Claude Code.' });
        await answer.waitFor();
        expect(await answer.locator('.author-agent strong').textContent()).toBe('Claude Code');
        expect(await answer.locator('.avatar-agent.agent-claude').count()).toBe(1);
        expect(await p.page.locator('.presence-agent').first().textContent()).toBe('Claude Code 2.1.332');
        await screenshot(p.page, `agents-thread-${size}-${colorScheme}`);
        await p.context.close();
      }
    }
    for (const socket of sockets) socket.disconnect();
  });
});
