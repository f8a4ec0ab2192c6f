// End-to-end support for the runner-kill tests (runner-kill*.e2e.test.ts): the runner as a real
// `pilothouse run` process, driving Codex, Gemini CLI or Claude Code against the scripted model, SIGKILLed
// mid-turn again and again and restarted with --resume. `killScenario` runs the kills, then
// checks: no row is left streaming, none is doubled, every instruction ran at most once (its
// command appends a line to runs.log) and ended processed or failed "runner restarted"; a retry
// (control, /pilothouse retry) runs a failed one exactly once more. Each restart ended what the dead
// process left running (its agent and the agent's commands, found by their session marker; with
// Gemini CLI and Claude Code, which exit by themselves when their runner dies, each command also
// leaves a straggler for the restart to end). One scripted `respond` serves both agents' wires.
// docs/protocol.md, "Runner restarts". Waits are on channel events and process exits, never sleeps.

import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import pg from 'pg';
import { expect } from 'vitest';
import { RUNNER_RESTARTED, type Message } from '@pilothouse/protocol';
import { startHub, type RunningHub } from '@pilothouse/hub';
import { startScriptedModel } from '@pilothouse/scripted-model';
import { TrustStore } from '@pilothouse/runner';
import { connect, join as joinChannel, PG_URL, push, seedStore } from '@pilothouse/hub/testing';
import { markedProcessesIn, processesIn, startRunnerProcess, type RunnerProcess } from './runner-process.js';
import { agentSetup, responder, STRAGGLER_ARGS, STRAGGLERS, type KillAgent } from './runner-kill-agents.js';

export type { KillAgent } from './runner-kill-agents.js';

export type Store = 'sqlite' | 'postgres';

const cleanups: (() => unknown)[] = [];
/** For the test file's afterEach: stops the runner, hub and model, removes the scratch folders. */
export async function cleanUp(): Promise<void> {
  for (const c of cleanups.splice(0).reverse()) await c();
}

const OPEN = new Set(['queued', 'processing']);
const tasks = (t: Message[]) => t.filter((m) => m.runner_id === null && m.kind === 'text' && /^task \d+$/.test(m.body));
const taskNo = (m: Message) => m.body.slice('task '.length);

export type KillWorld = Awaited<ReturnType<typeof world>>;

async function world(store: Store, agentName: KillAgent) {
  const dataDir = mkdtempSync(join(tmpdir(), 'ph-rkill-hub-'));
  const home = mkdtempSync(join(tmpdir(), 'ph-rkill-home-'));
  const workspace = realpathSync(mkdtempSync(join(tmpdir(), 'ph-rkill-ws-')));
  cleanups.push(() => [dataDir, home, workspace].forEach((d) => rmSync(d, { recursive: true, force: true })));
  // The last runner process's stragglers (after it was stopped: its cleanup runs first).
  cleanups.push(() => {
    for (const p of markedProcessesIn(workspace).filter((q) => q.marker !== null)) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
  });
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
  const model = await startScriptedModel({ respond: responder(STRAGGLERS[agentName]) });
  cleanups.push(() => model.close());
  const agent = await agentSetup(agentName, model.url, cleanups);
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

  const env = { ...process.env, ...agent.env, PILOTHOUSE_HOME: home };
  const args = (resume: boolean) => [
    ...['--hub', hub.url, '--token', tokens.alice!, '--channel', 'acme/agents', '--cwd', workspace, '--stream-flush-ms', '50'],
    ...['--log-level', 'info', ...agent.args, ...(resume ? ['--resume'] : [])],
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
    agent,
    /** The runners' PILOTHOUSE_HOME (their local state). */
    home,
    model,
    workspace,
    threadId,
    thread,
    waitFor,
    say,
    control,
    runs,
    nextEvent,
    turnRunning,
    /** Every runner process's log lines, the first process's first. */
    get processLogs(): readonly (readonly Record<string, unknown>[])[] {
      return logs;
    },
    /** How many leftover processes each restart ended (the runners' `leftovers_ended` lines). */
    leftoversEnded(): number {
      return logs.flat().reduce((n, l) => n + (l.event === 'leftovers_ended' ? Number(l.count) : 0), 0);
    },
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


/**
 * `kills` times: waits until the current runner process runs a turn, SIGKILLs it at a random
 * point of the turn and restarts it with --resume; then lets everything settle and checks the
 * invariants (see the header). Resolves with the world and the settled thread, for what an agent
 * adds (Gemini CLI: the notices that its session could not be resumed).
 */
export async function killScenario(store: Store, agent: KillAgent, kills: number): Promise<{ w: KillWorld; final: Message[] }> {
  const label = `${agent}, ${store}`;
  const w = await world(store, agent);
  const started = Date.now();
  let leftoversSeen = 0;
  // Kills that left an instruction processing (the restart fails it "runner restarted"): the
  // retries below need two, so the last kills come at once when too few did.
  let midTurn = 0;
  // Stragglers the dead processes left: the first kill comes once its turn ended, so that there is one.
  let stragglersLeft = 0;
  for (let kill = 0; kill < kills; kill += 1) {
    if (kill % 10 === 0) console.info(`${label}: kill ${kill} at ${((Date.now() - started) / 1000).toFixed(1)} s`);
    await w.turnRunning();
    // A random point of the turn (rows, appends, states; a whole Codex turn is about 25 events, a
    // Gemini CLI one fewer): after up to turnEvents more channel events, so that some turns end
    // before the kill.
    const first = kill === 0 && STRAGGLERS[agent] ? Infinity : Math.floor(Math.random() * w.agent.turnEvents);
    for (let k = kills - kill <= 2 - midTurn ? 0 : first; k > 0; k -= 1) {
      const woken = w.nextEvent();
      if (tasks(await w.thread()).every((m) => m.state !== null && !OPEN.has(m.state.state))) break;
      await woken;
    }
    await w.runner.kill();
    if (tasks(await w.thread()).some((m) => m.state?.state === 'processing')) midTurn += 1;
    // What the dead process's agent left running: the agent and its commands, all with its marker.
    const left = markedProcessesIn(w.workspace).filter((p) => p.marker !== null);
    leftoversSeen += processesIn(w.workspace, w.agent.comm).length;
    stragglersLeft += left.filter((p) => p.args === STRAGGLER_ARGS).length;
    await w.restart();
    // The restart ended what the dead process left running before its agent started.
    const alive = new Set(markedProcessesIn(w.workspace).map((p) => `${p.pid} ${p.marker}`));
    expect(left.filter((p) => alive.has(`${p.pid} ${p.marker}`))).toEqual([]);
    expect(processesIn(w.workspace, w.agent.comm)).toHaveLength(1);
  }
  const killedFor = Date.now() - started;
  if (STRAGGLERS[agent]) expect(stragglersLeft).toBeGreaterThan(0);

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
  // Every row an agent item made has its own item key (a notice, such as Gemini CLI's "could not be
  // resumed", is keyed by its client id instead).
  const keys = rows.filter((m) => m.kind !== 'notice').map((m) => m.item_key);
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
  console.info(`${label}: ${kills} kills in ${(killedFor / 1000).toFixed(1)} s; ${tasks(final).length} instructions, ${failed.length} failed "runner restarted", ${rows.length} rows; ${agent} processes alive right after a kill: ${leftoversSeen}${STRAGGLERS[agent] ? `, stragglers: ${stragglersLeft}` : ''}; leftovers ended by the restarts: ${w.leftoversEnded()}`);
  return { w, final };
}
