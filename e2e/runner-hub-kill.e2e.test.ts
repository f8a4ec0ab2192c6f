// The hub as a real process, SIGKILLed and restarted while the runner streams a turn: the final
// thread equals the transcript of an undisturbed run of the same script (no row lost, none doubled).
// For each agent behind the seam: Codex, Claude Code, and Gemini CLI over ACP.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import type { Message } from '@pilothouse/protocol';
import { Store } from '@pilothouse/hub';
import { startScriptedModel } from '@pilothouse/scripted-model';
import { TrustStore, startRunner, type AgentName, type RunningRunner, type RuntimeOptions } from '@pilothouse/runner';
import { createClaudeHome, createCodexHome, createGeminiHome, GEMINI_TEST_MODEL } from '@pilothouse/runner/testing';
import { cleanupDir, connect, join as joinChannel, push, seed, startHubProcess, type HubProcess } from '@pilothouse/hub/testing';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Each agent on its scratch home, pointed at the scripted model. */
const AGENTS: { name: AgentName; home: (modelUrl: string) => Promise<{ env: Record<string, string>; remove(): Promise<void> }>; runtime: RuntimeOptions }[] = [
  { name: 'codex', home: (modelUrl) => createCodexHome({ modelUrl }), runtime: {} },
  { name: 'claude', home: (modelUrl) => createClaudeHome({ modelUrl }), runtime: {} },
  { name: 'gemini', home: (modelUrl) => createGeminiHome({ modelUrl }), runtime: { model: GEMINI_TEST_MODEL } },
];

describe.each(AGENTS)('$name', (agent) => {
it('a SIGKILLed hub mid-stream: the thread ends equal to an undisturbed run', async () => {
  const seeded = await seed(['alice', 'bob']);
  cleanups.push(() => cleanupDir(seeded.dataDir));
  let hub: HubProcess = await startHubProcess(seeded.dataDir);
  cleanups.push(() => hub.stop());
  const model = await startScriptedModel();
  cleanups.push(() => model.close());
  const agentHome = await agent.home(model.url);
  cleanups.push(() => agentHome.remove());
  const home = mkdtempSync(join(tmpdir(), 'ph-kill-home-'));
  const workspace = mkdtempSync(join(tmpdir(), 'ph-kill-ws-'));
  cleanups.push(() => rmSync(home, { recursive: true, force: true }), () => rmSync(workspace, { recursive: true, force: true }));
  new TrustStore(home).add(workspace);

  const runner: RunningRunner = await startRunner({
    hubUrl: hub.url,
    token: seeded.tokens.alice!,
    channel: 'acme/agents',
    cwd: workspace,
    home,
    logger: pino({ level: 'silent' }),
    allow: [],
    runtime: agent.runtime,
    streamFlushMs: 50,
    approvalTimeoutMs: null,
    resume: false,
    agent: { name: agent.name },
    env: { ...process.env, ...agentHome.env },
  });
  cleanups.push(() => runner.close());

  const alice = connect(hub.url, seeded.tokens.alice!, { reconnectMs: 50 });
  cleanups.push(() => alice.disconnect());
  const ch = alice.channel('channel:acme/agents', {});
  await joinChannel(ch);
  let wake = () => {};
  for (const event of ['message', 'append', 'row_updated', 'state']) ch.on(event, () => wake());
  // A rejoin (after the hub restarted) also wakes the waiter: the join asks no `since`, so what was
  // written while this socket was away arrives as no event, and the thread is read again instead.
  ch.joinPush.receive('ok', () => wake());

  // Reads the thread straight from the SQLite file (WAL: a second reader is fine while the hub runs).
  const store = await Store.open({ kind: 'sqlite', dataDir: seeded.dataDir });
  cleanups.push(() => store.close());
  const channelId = (await store.channelByRef({ workspace: 'acme', channel: 'agents' }))!.id;
  const thread = () => store.getThread(channelId, runner.threadId);
  /** Until `pred` holds on the stored thread; past 60 s it fails naming `stage` and what the thread holds. */
  const waitFor = async (pred: (t: Message[]) => boolean, stage: string) => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const seen = new Promise<void>((resolve) => (wake = resolve));
      const t = await thread();
      if (pred(t)) return t;
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<'expired'>((resolve) => (timer = setTimeout(() => resolve('expired'), Math.max(0, deadline - Date.now()))));
      const woke = await Promise.race([seen.then(() => 'woken' as const), expired]);
      clearTimeout(timer);
      if (woke === 'expired') throw new Error(`${agent.name}: timed out waiting for ${stage}; the thread: ${JSON.stringify(t.map((m) => [m.kind, m.status, m.state?.state, m.body.slice(0, 30)]))}`);
    }
  };
  const processed = (id: string) => (t: Message[]) => t.find((m) => m.id === id)?.state?.state === 'processed';
  const say = async (text: string) =>
    ((await push(ch, 'post_message', { client_id: `kill-${text}`, body: text, thread_id: runner.threadId })) as { message_id: string }).message_id;

  const chunks = Array.from({ length: 16 }, (_, i) => `token${i} `);
  const reply = { type: 'reasoning' as const, summary: ['Thinking ', 'hard.'], text: chunks, delayMs: 60 };
  model.enqueue(reply);
  const calm = await say('calm');
  await waitFor(processed(calm), 'the calm turn to be processed');

  model.enqueue(reply);
  const stormy = await say('stormy');
  const streamingNow = (t: Message[]) => t.find((m) => m.kind === 'assistant' && m.seq > t.find((x) => x.id === stormy)!.seq);
  const mid = await waitFor((t) => streamingNow(t)?.body.startsWith('token0') ?? false, 'the stormy answer to start streaming');
  expect(streamingNow(mid)).toMatchObject({ status: 'streaming', body: expect.not.stringContaining('token15') });
  const port = hub.port;
  await hub.kill();
  hub = await startHubProcess(seeded.dataDir, { port });
  const final = await waitFor(processed(stormy), 'the stormy turn to be processed after the hub restarted');

  const answer = (id: string) => {
    const start = final.findIndex((m) => m.id === id);
    return final.slice(start + 1).filter((m) => m.runner_id !== null).slice(0, 2).map((m) => ({ kind: m.kind, body: m.body, status: m.status }));
  };
  // The undisturbed turn is the reference; the disturbed one must end equal to it.
  expect(answer(stormy)).toEqual(answer(calm));
  // Gemini CLI renders a thought as `**subject**` lines: the words are what the model thought.
  const words = (text: string) => text.replace(/\*/g, '').replace(/\s+/g, ' ').trim();
  expect(answer(calm).map((r) => ({ ...r, body: r.kind === 'reasoning' ? words(r.body) : r.body }))).toEqual([
    { kind: 'reasoning', body: 'Thinking hard.', status: 'completed' },
    { kind: 'assistant', body: chunks.join(''), status: 'completed' },
  ]);
  expect(final.map((m) => m.kind)).toEqual(['session', 'text', 'reasoning', 'assistant', 'text', 'reasoning', 'assistant']);
  expect(new Set(final.map((m) => m.item_key ?? m.id)).size).toBe(final.length);
}, 90_000);
});
