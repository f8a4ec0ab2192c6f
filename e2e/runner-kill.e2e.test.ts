// The runner as a real process, SIGKILLed mid-turn again and again and restarted with --resume,
// on SQLite and on PostgreSQL: no row is left streaming, none is doubled, every instruction ran
// at most once (its command appends a line to a file) and ended processed or failed "runner
// restarted"; a retry (control, /pilothouse retry) runs a failed one exactly once more.
// docs/protocol.md, "Runner restarts". Waits are on channel events and process exits, never sleeps.

import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { RUNNER_RESTARTED, type Message } from '@pilothouse/protocol';
import { startHub, type RunningHub } from '@pilothouse/hub';
import { startScriptedModel, type Reply } from '@pilothouse/scripted-model';
import { TrustStore } from '@pilothouse/runner';
import { createCodexHome } from '@pilothouse/runner/testing';
import { connect, join as joinChannel, PG_URL, push, seedStore } from '@pilothouse/hub/testing';
import { processesIn, removeCliBundle, startRunnerProcess, type RunnerProcess } from './support/runner-process.js';

const KILLS = Number(process.env.PILOTHOUSE_KILLS ?? 50);
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(removeCliBundle);

const OPEN = new Set(['queued', 'processing']);
const tasks = (t: Message[]) => t.filter((m) => m.runner_id === null && m.kind === 'text' && /^task \d+$/.test(m.body));
const taskNo = (m: Message) => m.body.slice('task '.length);

/** The instruction of the turn a request belongs to: the last `task N` the user sent. */
function taskOf(body: unknown): string {
  const input = (body as { input?: { type?: string; role?: string; content?: { text?: string }[] }[] }).input ?? [];
  for (const item of [...input].reverse()) {
    const text = item.type === 'message' && item.role === 'user' ? (item.content ?? []).map((c) => c.text ?? '').join('') : '';
    const m = /^task (\d+)$/.exec(text.trim());
    if (m) return m[1]!;
  }
  return 'unknown';
}

/** Each turn: a streamed reasoning summary and a command that appends the task's number to runs.log, then a streamed answer. */
function respond(body: unknown): Reply {
  const task = taskOf(body);
  const input = (body as { input?: { type?: string }[] }).input ?? [];
  if (input.at(-1)?.type === 'function_call_output') return { type: 'text', chunks: ['Done ', 'with ', 'task ', `${task}.`], delayMs: 30 };
  return {
    type: 'items',
    items: [
      { type: 'reasoning', summary: ['Looking ', 'at ', `task ${task}.`] },
      { type: 'exec', cmd: `echo ${task} >> runs.log; echo ran ${task}; sleep 0.3; echo still ${task}`, login: false },
    ],
    delayMs: 30,
  };
}

async function world(store: 'sqlite' | 'postgres') {
  const dataDir = mkdtempSync(join(tmpdir(), 'ph-rkill-hub-'));
  const home = mkdtempSync(join(tmpdir(), 'ph-rkill-home-'));
  const workspace = realpathSync(mkdtempSync(join(tmpdir(), 'ph-rkill-ws-')));
  cleanups.push(() => [dataDir, home, workspace].forEach((d) => rmSync(d, { recursive: true, force: true })));
  const schema = `ph_test_${randomBytes(6).toString('hex')}`;
  const hub: RunningHub = await startHub({
    host: '127.0.0.1',
    port: 0,
    store: store === 'sqlite' ? { kind: 'sqlite', dataDir } : { kind: 'postgres', url: PG_URL, schema },
    logger: pino({ level: 'silent' }),
  });
  cleanups.push(async () => {
    await hub.close();
    if (store !== 'postgres') return;
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    await client.query(`drop schema if exists ${schema} cascade`);
    await client.end();
  });
  const { tokens } = await seedStore(hub.store, ['alice', 'bob']);
  const channelId = (await hub.store.channelByRef({ workspace: 'acme', channel: 'agents' }))!.id;
  const model = await startScriptedModel({ respond });
  cleanups.push(() => model.close());
  const codexHome = await createCodexHome({ modelUrl: model.url });
  cleanups.push(() => codexHome.remove());
  new TrustStore(home).add(workspace);

  const alice = connect(hub.url, tokens.alice!, { reconnectMs: 50 });
  cleanups.push(() => alice.disconnect());
  const ch = alice.channel('channel:acme/agents', {});
  await joinChannel(ch);
  // Every channel event wakes the waiters (kill points are chosen by counting them).
  const waiters: (() => void)[] = [];
  for (const name of ['message', 'append', 'row_updated', 'state']) ch.on(name, () => waiters.splice(0).forEach((w) => w()));
  const nextEvent = () => new Promise<void>((r) => waiters.push(r));
  // States broadcast since the current runner process started (the dead one's may still be stored).
  const fresh = new Map<string, string>();
  ch.on('state', (payload) => {
    const p = payload as { message_id: string; state: { state: string } };
    fresh.set(p.message_id, p.state.state);
  });

  const env = { ...process.env, ...codexHome.env, PILOTHOUSE_HOME: home };
  const args = (resume: boolean) => [
    ...['--hub', hub.url, '--token', tokens.alice!, '--channel', 'acme/agents', '--cwd', workspace, '--stream-flush-ms', '50'],
    ...['--log-level', 'info', ...(resume ? ['--resume'] : [])],
  ];
  let runner: RunnerProcess = await startRunnerProcess(args(false), env);
  // Every process's log lines, oldest process first: what a failure message quotes.
  const logs: Record<string, unknown>[][] = [runner.logs];
  cleanups.push(() => runner.kill());
  const threadId = runner.threadId;

  const thread = () => hub.store.getThread(channelId, threadId);
  const waitFor = async (pred: (t: Message[]) => boolean, what: string, timeoutMs = 60_000): Promise<Message[]> => {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        void thread().then((t) => reject(new Error(`timed out waiting for ${what}: ${JSON.stringify(t.map((m) => [m.kind, m.status, m.state?.state, m.state?.reason, m.body.slice(0, 40)]))}`)));
      }, timeoutMs);
    });
    try {
      for (;;) {
        const woken = nextEvent();
        const t = await thread();
        if (pred(t)) return t;
        await Promise.race([woken, expired]);
      }
    } finally {
      clearTimeout(timer);
    }
  };
  let said = 0;
  const say = async (body: string) =>
    ((await push(ch, 'post_message', { client_id: `rk-${++said}`, body, thread_id: threadId })) as { message_id: string }).message_id;
  let next = 1;
  /**
   * Until the current runner process runs a turn; posts a new instruction (sometimes two, so that
   * one waits queued) when nothing is left to run. A `processing` stored by a dead process does
   * not count: the new one is about to fail it.
   */
  const turnRunning = async () => {
    for (;;) {
      if ([...fresh.values()].includes('processing')) return;
      const woken = nextEvent();
      const t = tasks(await thread());
      const waiting = t.filter((m) => {
        const now = fresh.get(m.id) ?? m.state?.state ?? null;
        return now === null || now === 'queued' || (now === 'processing' && !fresh.has(m.id));
      });
      if (waiting.length === 0) for (let n = Math.random() < 0.3 ? 2 : 1; n > 0; n -= 1) await say(`task ${next++}`);
      await woken;
    }
  };
  const control = (action: Record<string, unknown>) => push(ch, 'control', { client_id: `rk-ctl-${++said}`, thread_id: threadId, action });
  const runs = (): Map<string, number> => {
    const counts = new Map<string, number>();
    let text = '';
    try {
      text = readFileSync(join(workspace, 'runs.log'), 'utf8');
    } catch {
      // no command ran yet
    }
    for (const line of text.split('\n').filter(Boolean)) counts.set(line, (counts.get(line) ?? 0) + 1);
    return counts;
  };
  return {
    hub,
    workspace,
    threadId,
    thread,
    waitFor,
    say,
    control,
    runs,
    nextEvent,
    turnRunning,
    /** What each process said about recovery and rows, for a failure message. */
    rowStory(): string {
      const told = new Set(['recovered', 'orphan_row_closed', 'forward_failed']);
      return logs.flatMap((lines, i) => lines.filter((l) => told.has(String(l.event))).map((l) => `process ${i}: ${JSON.stringify(l)}`)).join('\n');
    },
    get posted() {
      return next - 1;
    },
    get runner() {
      return runner;
    },
    async restart() {
      fresh.clear();
      runner = await startRunnerProcess(args(true), env);
      logs.push(runner.logs);
      expect(runner.threadId).toBe(threadId);
    },
  };
}


describe.each(['sqlite', 'postgres'] as const)('runner SIGKILLed mid-turn (%s)', (store) => {
  it(`${KILLS} kills with --resume: nothing doubled, nothing streaming, nothing run twice unasked`, async () => {
    const w = await world(store);
    const started = Date.now();
    let leftoversSeen = 0;
    for (let kill = 0; kill < KILLS; kill += 1) {
      if (kill % 10 === 0) console.info(`${store}: kill ${kill} at ${((Date.now() - started) / 1000).toFixed(1)} s`);
      await w.turnRunning();
      // A random point of the turn (rows, appends, states; a whole turn is about 25 events):
      // after 0–29 more channel events, so that some turns end before the kill.
      for (let k = Math.floor(Math.random() * 30); k > 0; k -= 1) {
        const woken = w.nextEvent();
        if (tasks(await w.thread()).every((m) => m.state !== null && !OPEN.has(m.state.state))) break;
        await woken;
      }
      await w.runner.kill();
      leftoversSeen += processesIn(w.workspace, 'codex').length;
      await w.restart();
      // The restart ended what the dead process left running before its Codex started.
      expect(processesIn(w.workspace, 'codex')).toHaveLength(1);
    }
    const killedFor = Date.now() - started;

    // Undisturbed now: everything queued runs to its end, and the last process closes what the one
    // before it left streaming (its recovery's row updates may still be on their way when the last
    // instruction already reads ended, so both are waited for: "streaming forever" is the failure).
    const runnerRows = (t: Message[]) => t.filter((m) => m.runner_id !== null && m.kind !== 'session');
    const settled = (t: Message[]) =>
      tasks(t).every((m) => m.state !== null && !OPEN.has(m.state.state)) && runnerRows(t).every((m) => m.status !== 'streaming');
    const final = await w.waitFor(settled, 'every instruction ended and no row streaming').catch((err: Error) => {
      throw new Error(`${err.message}\n${w.rowStory()}`);
    });
    const runs = w.runs();
    const rows = runnerRows(final);
    const streaming = rows.filter((m) => m.status === 'streaming');
    expect(streaming, `rows left streaming: ${JSON.stringify(streaming.map((m) => [m.seq, m.item_key, m.body]))}\n${w.rowStory()}`).toEqual([]);
    const keys = rows.map((m) => m.item_key);
    expect(keys.every((k) => k !== null)).toBe(true);
    expect(new Set(keys).size).toBe(keys.length);
    const failed: Message[] = [];
    for (const m of tasks(final)) {
      if (m.state?.state === 'processed') {
        expect(m.state).toEqual({ state: 'processed', reason: null, approval: null });
        expect({ task: taskNo(m), runs: runs.get(taskNo(m)) }).toEqual({ task: taskNo(m), runs: 1 });
      } else {
        expect(m.state).toEqual({ state: 'failed', reason: RUNNER_RESTARTED, approval: null });
        expect(runs.get(taskNo(m)) ?? 0).toBeLessThanOrEqual(1);
        failed.push(m);
      }
    }
    expect([...runs.keys()].every((n) => Number(n) <= w.posted)).toBe(true);
    expect(failed.length).toBeGreaterThanOrEqual(2);

    // A retry asked with the control runs the instruction exactly once more (one of the recent
    // ones: the session remembers its last 64 instructions) ...
    const first = failed.at(-2)!;
    const before = w.runs().get(taskNo(first)) ?? 0;
    await w.control({ type: 'retry', message_id: first.id });
    await w.waitFor((t) => t.find((m) => m.id === first.id)?.state?.state === 'processed', 'the retried instruction processed');
    expect(w.runs().get(taskNo(first)) ?? 0).toBe(before + 1);
    // ... and so does `/pilothouse retry`, on the latest failed one.
    const latest = failed.filter((m) => m.id !== first.id).at(-1)!;
    const beforeLatest = w.runs().get(taskNo(latest)) ?? 0;
    const command = await w.say('/pilothouse retry');
    const after = await w.waitFor((t) => t.find((m) => m.id === latest.id)?.state?.state === 'processed', 'the latest failed instruction processed');
    expect(after.find((m) => m.id === command)?.state).toEqual({ state: 'processed', reason: `retrying ${latest.id}`, approval: null });
    expect(w.runs().get(taskNo(latest)) ?? 0).toBe(beforeLatest + 1);
    // Nothing else ran meanwhile.
    const end = w.runs();
    for (const [task, count] of runs) if (task !== taskNo(first) && task !== taskNo(latest)) expect(end.get(task)).toBe(count);
    console.info(`${store}: ${KILLS} kills in ${(killedFor / 1000).toFixed(1)} s; ${tasks(final).length} instructions, ${failed.length} failed "runner restarted", ${rows.length} rows; codex processes alive right after a kill: ${leftoversSeen}`);
  }, 400_000);
});
