// Child process (run with --expose-gc): the runner's pure session core (packages/runner/src/session:
// createSession, sessionConfig, step, nextDeadline) driven the way the shell (shell/runner.ts)
// drives it, with no Codex, hub or sockets: figure 2a and the per-delta cost of the core.
//
// 1. `turns` short turns, each as Codex 0.169 reports one (turn/started, the user item, a reasoning
//    summary streamed in deltas, every 5th turn a command with streamed output, an assistant
//    message streamed in deltas, item/completed, turn/completed with the final items), the listen
//    user's message as a hub event, every 10th turn a comment by someone else (ignored) and the
//    next instruction arriving mid-turn (queued). Effects go to a cheap sink that plays the hub:
//    rows, appends, updates and states come back as the channel events the real runner receives.
//    A virtual clock (10 ms per delta) drives flush and heartbeat ticks at `nextDeadline`.
//    RSS and heapUsed after two full GCs are sampled every 100 turns.
// 2. Microbenchmarks for attributing figure 1's runner CPU: the Codex adapter + `step` per delta into one row, the
//    Codex line parser (parseInbound) per delta line, and re-arming a timer per input.
// Prints `RESULT {json}`.

import type { ChannelEvent } from '@pilothouse/protocol';
import type { codex as CodexTypes, ServerNotification } from '@pilothouse/runner';
import {
  ALICE,
  BOB,
  CODEX_THREAD,
  CodexAdapter,
  createSession,
  HUB_THREAD,
  hubMessage,
  item,
  nextDeadline,
  note,
  parseInbound,
  sessionConfig,
  step,
  type Effect,
  type SessionInput,
  type SessionState,
} from '@pilothouse/runner/testing';
import { chunks } from './runner-words.js';

type ThreadItem = CodexTypes.v2.ThreadItem;

export interface CoreOptions {
  turns: number;
  sampleEvery: number;
  agentDeltas: number;
  reasoningDeltas: number;
  commandLines: number;
  microDeltas: number;
}

export interface MemSample {
  turn: number;
  rss: number;
  heapUsed: number;
}

export interface CoreResult {
  turns: number;
  inputs: number;
  deltas: number;
  seconds: number;
  microsPerInput: number;
  effects: Record<string, number>;
  processed: number;
  warnings: Record<string, number>;
  samples: MemSample[];
  rssGrowthMB: number;
  heapGrowthMB: number;
  finishedTurnsKept: number;
  micro: { stepMicrosPerDelta: number; parseMicrosPerLine: number; timerRearmMicros: number; appends: number };
}

const gc = (globalThis as { gc?: () => void }).gc;
const MB = 1024 * 1024;
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

function sample(turn: number): MemSample {
  if (!gc) throw new Error('run with --expose-gc');
  gc();
  gc();
  const m = process.memoryUsage();
  return { turn, rss: m.rss, heapUsed: m.heapUsed };
}

function newSession(): SessionState {
  return createSession(
    sessionConfig({
      threadId: HUB_THREAD,
      agentThreadId: CODEX_THREAD,
      allowed: [{ name: ALICE.name, user_id: ALICE.user_id }],
      policy: { approval_policy: 'on-request', sandbox: 'workspace-write' },
      flushMs: 150,
    }),
    0,
  );
}

function runTurns(opts: CoreOptions): CoreResult {
  let state = newSession();
  let now = 1_000_000;
  let seq = 0;
  let inputs = 0;
  let deltas = 0;
  let processed = 0;
  const effects: Record<string, number> = {};
  const warnings: Record<string, number> = {};
  const echoes: ChannelEvent[] = [];
  const starts: { message_id: string }[] = [];
  const RUNNER = { user_id: 'u-alice', name: 'alice' };

  // The hub's side of each effect, as the channel event the runner receives back.
  const perform = (e: Effect) => {
    effects[e.type] = (effects[e.type] ?? 0) + 1;
    switch (e.type) {
      case 'post_row': {
        const s = ++seq;
        const p = e.payload;
        echoes.push({
          type: 'message',
          payload: {
            seq: s,
            message: {
              id: `m-${p.item_key ?? p.client_id}`,
              thread_id: HUB_THREAD,
              seq: s,
              author: RUNNER,
              runner_id: 'runner-1',
              client_id: p.client_id,
              kind: p.kind,
              item_key: p.item_key ?? null,
              body: p.body,
              meta: p.meta ?? null,
              status: p.status ?? null,
              state: null,
              created_at: '2026-01-01T00:00:00Z',
            },
          },
        });
        return;
      }
      case 'append':
        echoes.push({ type: 'append', payload: { seq: ++seq, message_id: `m-${e.payload.item_key}`, thread_id: HUB_THREAD, ...e.payload } });
        return;
      case 'update_row':
        echoes.push({ type: 'row_updated', payload: { seq: ++seq, message_id: `m-${e.payload.item_key}`, thread_id: HUB_THREAD, ...e.payload } });
        return;
      case 'set_state':
        if (e.payload.state.state === 'processed') processed++;
        echoes.push({ type: 'state', payload: { seq: ++seq, message_id: e.payload.message_id, thread_id: HUB_THREAD, state: e.payload.state } });
        return;
      case 'start_turn':
        starts.push({ message_id: e.message_id });
        return;
      case 'log':
        if (e.level === 'warn' || e.level === 'error') warnings[e.event] = (warnings[e.event] ?? 0) + 1;
        return;
      case 'runner_status':
      case 'ack':
      case 'interrupt':
      case 'answer':
      case 'refuse':
      case 'start_thread':
      case 'preview_open':
      case 'preview_close':
      case 'scan_listeners':
      case 'probe_model':
        return;
      default: {
        const never: never = e;
        throw new Error(`unhandled effect ${JSON.stringify(never)}`);
      }
    }
  };

  const feed = (input: SessionInput) => {
    const pending: SessionInput[] = [input];
    while (pending.length > 0) {
      const next = pending.shift()!;
      inputs++;
      const result = step(state, next);
      state = result.state;
      for (const e of result.effects) perform(e);
      for (const ev of echoes.splice(0)) pending.push({ type: 'hub_event', now, event: ev });
      // The shell's timer: tick once the next deadline has passed.
      const at = nextDeadline(state);
      if (at !== null && at <= now && pending.length === 0) pending.push({ type: 'tick', now });
    }
  };
  // Codex's notifications reach the core through the Codex adapter, as in the shell.
  const adapter = new CodexAdapter();
  const codex = (n: ServerNotification, ms = 1) => {
    now += ms;
    for (const input of adapter.notification(n, now)) feed(input);
  };
  const say = (author: { user_id: string; name: string }, body: string) => {
    const s = ++seq;
    now += 1;
    feed({ type: 'hub_event', now, event: hubMessage(author, body, { seq: s, thread_id: HUB_THREAD }) });
  };

  const agentText = chunks(opts.agentDeltas, 11);
  const summaryText = chunks(opts.reasoningDeltas, 23);
  const outputLines = Array.from({ length: opts.commandLines }, (_, i) => `line ${i}: ${'x'.repeat(40)}\n`);

  const samples: MemSample[] = [];
  const cpu0 = process.cpuUsage();
  let turn = 0;
  while (turn < opts.turns) {
    if (starts.length === 0) say(ALICE, `instruction ${turn + 1}`);
    const started = starts.shift();
    if (!started) throw new Error('the session did not start a turn');
    turn++;
    const T = `turn-${turn}`;
    now += 5;
    feed({ type: 'turn_start_ok', now, message_id: started.message_id, turnId: T });
    codex(note.status([]));
    codex(note.turnStarted(T));
    const user = item.user(`u${turn}`, `instruction ${turn}`);
    codex(note.started(T, user));
    codex(note.completed(T, user));
    const finals: ThreadItem[] = [user];

    const rs = item.reasoning(`rs_${turn}`, []);
    codex(note.started(T, rs));
    codex(note.summaryPart(T, rs.id, 0));
    for (const d of summaryText) {
      codex(note.summaryDelta(T, rs.id, d), 10);
      deltas++;
    }
    const rsDone = item.reasoning(rs.id, [summaryText.join('')]);
    codex(note.completed(T, rsDone));
    finals.push(rsDone);

    if (turn % 5 === 0) {
      const cmd = item.command(`call_${turn}`, { command: "/bin/bash -lc 'npm test'" });
      codex(note.started(T, cmd));
      for (const line of outputLines) {
        codex(note.outputDelta(T, cmd.id, line), 10);
        deltas++;
      }
      const cmdDone = item.command(cmd.id, { command: "/bin/bash -lc 'npm test'", status: 'completed', output: outputLines.join(''), exitCode: 0, durationMs: 1200 });
      codex(note.completed(T, cmdDone));
      finals.push(cmdDone);
    }

    const msg = item.agent(`msg_${turn}`, '');
    codex(note.started(T, msg));
    agentText.forEach((d, i) => {
      codex(note.agentDelta(T, msg.id, d), 10);
      deltas++;
      if (turn % 10 === 0 && i === agentText.length >> 1) {
        say(BOB, 'a comment from someone else');
        if (turn < opts.turns) say(ALICE, `instruction ${turn + 1}, sent while turn ${turn} runs`);
      }
    });
    const msgDone = item.agent(msg.id, agentText.join(''));
    codex(note.completed(T, msgDone));
    finals.push(msgDone);
    codex(note.status('idle'));
    codex(note.turnCompleted(T, 'completed', finals));

    if (turn % opts.sampleEvery === 0) samples.push(sample(turn));
  }
  const cpu = process.cpuUsage(cpu0);
  // CPU seconds, forced GCs of the samples included.
  const seconds = (cpu.user + cpu.system) / 1e6;
  const at = (n: number) => samples.find((s) => s.turn === n) ?? samples[0]!;
  const first = at(opts.sampleEvery);
  const last = samples.at(-1)!;
  return {
    turns: turn,
    inputs,
    deltas,
    seconds: round(seconds, 3),
    microsPerInput: round((seconds * 1e6) / inputs, 2),
    effects,
    processed,
    warnings,
    samples,
    rssGrowthMB: round((last.rss - first.rss) / MB, 2),
    heapGrowthMB: round((last.heapUsed - first.heapUsed) / MB, 2),
    finishedTurnsKept: state.finishedTurns.length,
    micro: micro(opts.microDeltas),
  };
}

/** The core's share of one streamed delta, and two pieces of the shell's share, in this process. */
function micro(n: number): CoreResult['micro'] {
  let state = newSession();
  let now = 1_000_000;
  let appends = 0;
  const feed = (input: SessionInput) => {
    const r = step(state, input);
    state = r.state;
    for (const e of r.effects) if (e.type === 'append') appends++;
  };
  feed({ type: 'hub_event', now, event: hubMessage(ALICE, 'write', { seq: 1, thread_id: HUB_THREAD }) });
  feed({ type: 'turn_start_ok', now, message_id: 'msg-1', turnId: 'T' });
  const adapter = new CodexAdapter();
  const codex = (notification: ServerNotification) => {
    for (const input of adapter.notification(notification, now)) feed(input);
  };
  codex(note.turnStarted('T'));
  codex(note.started('T', item.agent('msg_2', '')));
  const words = chunks(n, 31);
  const notes = words.map((d) => note.agentDelta('T', 'msg_2', d));
  // CPU time, not wall time: the figures must not depend on what else the machine runs.
  const cpuMicros = () => {
    const u = process.cpuUsage();
    return u.user + u.system;
  };
  // As the shell does it: step, then ask for the next deadline; tick when it has passed.
  const t0 = cpuMicros();
  for (const notification of notes) {
    now += 1.1;
    codex(notification);
    const at = nextDeadline(state);
    if (at !== null && at <= now) feed({ type: 'tick', now });
  }
  const stepMicros = (cpuMicros() - t0) / n;

  // Codex's line for a delta, as the app-server writes it (emittedAtMs included).
  const lines = notes.map((m) => JSON.stringify({ method: m.method, params: m.params, emittedAtMs: 1764067200000 }));
  const t1 = cpuMicros();
  let parsed = 0;
  for (const line of lines) if (parseInbound(line).kind === 'notification') parsed++;
  const parseMicros = (cpuMicros() - t1) / n;
  if (parsed !== n) throw new Error('parseInbound refused a delta line');

  // runner.ts re-arms its timer after every input: clearTimeout + setTimeout.
  let timer: NodeJS.Timeout | null = null;
  const t2 = cpuMicros();
  for (let i = 0; i < n; i++) {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {}, 150);
  }
  const timerMicros = (cpuMicros() - t2) / n;
  if (timer) clearTimeout(timer);
  return { stepMicrosPerDelta: round(stepMicros), parseMicrosPerLine: round(parseMicros), timerRearmMicros: round(timerMicros), appends };
}

const opts = JSON.parse(process.argv[2] ?? '{}') as CoreOptions;
process.stdout.write(`RESULT ${JSON.stringify(runTurns(opts))}\n`, () => process.exit(0));
