// `BENCH_ONLY=agents` (issue 15): the runner with each real agent of bench/agents-table.ts against
// the scripted model, in one run, with one hub and one model for all (runner-session.ts); Codex is
// the baseline. Per agent:
// 1. steering → first row: BENCH_AGENT_TURNS (default 20) short turns, each a post by the listen
//    user (performance.now() just before the push) → the listener's first `message` event of a row
//    of the agent's in the thread after it; p50/p95. Split at the runner child's Date.now() stamp
//    of the agent's first delta line: before it the hub → runner → agent → model → agent path,
//    after it the bridge (runner → hub → listener).
// 2. appends per flush window for 10,000 deltas into one answer, the model paced at 1 ms per delta
//    (runner-stream.ts, as the runner figures measure Codex), and the agent's delta lines counted
//    in the runner child (Codex `item/agentMessage/delta`, Gemini ACP `agent_message_chunk`,
//    Claude `text_delta`);
// 3. runner CPU µs per delta (the runner process's own process.cpuUsage over the turn), and its
//    ratio to Codex's in the same run;
// 4. the bridge against the agent's raw stdout: the runner child stamps (Date.now) the chunk with
//    the agent's first / last delta line as it reaches the runner's JS; the listener stamps
//    (Date.now) the row's message event / its final content; the last chunk the agent wrote before
//    that final content (the line that ended the item) splits the agent's own time after its last
//    delta from the bridge's; and the runner's CPU per raw stdout line.
// Every process is its own (runner-session.ts); `others` is the CPU of processes outside the bench
// meanwhile, % of a core: when high, figures are noisy.

import { performance } from 'node:perf_hooks';
import { cpuSeconds, machineBusySeconds, percentile, round } from './procs.js';
import { AGENTS, type AgentEntry } from './agents-table.js';
import type { AgentOut } from './runner-agent.js';
import { startRunnerSession, type AgentLaunch, type RunnerSession } from './runner-session.js';
import { runStream, storeBytes, type StreamResult } from './runner-stream.js';
import { chunks } from './runner-words.js';

const FLUSH_MS = 150;
const DELTAS = 10_000;
const WARMUP = 2;

interface Spread {
  p50: number;
  p95: number;
  min: number;
  max: number;
}

export interface SteerResult {
  turns: number;
  failed: number;
  /** Post → the first row's message event at the listener (ms). */
  firstRowMs: Spread;
  /** Of which: the agent's first delta line at the runner → that row at the listener (ms; negative: the row came before the first delta). */
  bridgeMs: Spread;
  /** Post → processed (ms). */
  turnMs: Spread;
  /** The first rows' kinds, counted. */
  firstRowKinds: Record<string, number>;
  othersPct: number;
}

export interface AgentFigures {
  name: string;
  title: string;
  version?: string;
  /** Why it was not measured (`agent_unsupported: …`, `disabled in bench/agents-table.ts`). */
  skipped?: string;
  error?: string;
  steer?: SteerResult;
  stream?: StreamResult;
  /** Runner CPU per delta over the baseline's, same run. */
  cpuPerDeltaOverBaseline?: number;
}

export interface AgentsFigures {
  baseline: string;
  flushMs: number;
  deltas: number;
  agents: AgentFigures[];
  seconds: number;
}

const pad = (s: string | number, n: number) => String(s).padStart(n);
const cpuMicros = (c: { user: number; system: number }) => c.user + c.system;

function spread(values: number[]): Spread {
  const s = [...values].sort((a, b) => a - b);
  return { p50: round(percentile(s, 50), 1), p95: round(percentile(s, 95), 1), min: round(s[0] ?? Number.NaN, 1), max: round(s.at(-1) ?? Number.NaN, 1) };
}

/** `agent_unsupported: …` when the runner child said its driver refused, else null. */
function refusal(err: unknown): string | null {
  const m = /RUNNER failed (\{.*\})/.exec(err instanceof Error ? err.message : String(err));
  if (!m) return null;
  const { code, message } = JSON.parse(m[1]!) as { code: string | null; message: string };
  return code === 'agent_unsupported' ? `${code}: ${message}` : null;
}

async function steerTurns(session: RunnerSession, launch: AgentLaunch, turns: number): Promise<{ version: string; result: SteerResult }> {
  const runner = await session.startRunner(FLUSH_MS, launch);
  try {
    const firstRow: number[] = [];
    const bridge: number[] = [];
    const turnMs: number[] = [];
    const kinds: Record<string, number> = {};
    let failed = 0;
    let measured = { busy: 0, wall: 0, ours: 0 };
    for (let i = 0; i < WARMUP + turns; i++) {
      const warm = i < WARMUP;
      await session.enqueue({ type: 'text', chunks: ['Short', ' answer', ` number ${i}`, '.'], delayMs: 0 });
      await runner.peer.call<AgentOut>('mark');
      const agentPid = runner.agentPid();
      const before = { runner: cpuMicros(await runner.peer.call<{ user: number; system: number }>('cpu')), model: (await session.model.call<{ cpuMicros: number }>('stats')).cpuMicros };
      const other0 = cpuSeconds(session.hub.pid) + cpuSeconds(agentPid);
      const self0 = process.cpuUsage();
      const busy0 = machineBusySeconds();
      const t0 = performance.now();
      const messageId = await session.listener.say(runner.threadId, `Answer shortly (${i}).`);
      const done = await session.listener.settled(messageId, ['processed', 'failed'], 60_000);
      const busy = machineBusySeconds() - busy0;
      const wall = (performance.now() - t0) / 1000;
      const self = process.cpuUsage(self0);
      const other1 = cpuSeconds(session.hub.pid) + cpuSeconds(agentPid);
      const seen = await runner.peer.call<AgentOut>('mark');
      const after = { runner: cpuMicros(await runner.peer.call<{ user: number; system: number }>('cpu')), model: (await session.model.call<{ cpuMicros: number }>('stats')).cpuMicros };
      if (warm) continue;
      const rows = session.listener.rowsSince(runner.threadId, t0).sort((a, b) => a.postedAt - b.postedAt);
      const row = rows[0];
      if (done.state !== 'processed' || !row) {
        failed++;
        continue;
      }
      firstRow.push(row.postedAt - t0);
      if (seen.firstDeltaAt > 0) bridge.push(row.postedWallAt - seen.firstDeltaAt);
      turnMs.push(done.at - t0);
      kinds[row.kind] = (kinds[row.kind] ?? 0) + 1;
      const ours = (after.runner - before.runner + after.model - before.model + cpuMicros(self)) / 1e6 + other1 - other0;
      measured = { busy: measured.busy + busy, wall: measured.wall + wall, ours: measured.ours + ours };
    }
    return {
      version: runner.agentVersion,
      result: {
        turns,
        failed,
        firstRowMs: spread(firstRow),
        bridgeMs: spread(bridge),
        turnMs: spread(turnMs),
        firstRowKinds: kinds,
        othersPct: round((Math.max(0, measured.busy - measured.ours) / Math.max(1e-9, measured.wall)) * 100, 0),
      },
    };
  } finally {
    await runner.close();
  }
}

async function benchAgent(session: RunnerSession, entry: AgentEntry, turns: number, line: (s?: string) => void): Promise<AgentFigures> {
  const figures: AgentFigures = { name: entry.name, title: entry.title };
  if (!entry.enabled) return { ...figures, skipped: 'disabled in bench/agents-table.ts' };
  const launch = await entry.launch(session.modelUrl);
  try {
    const steer = await steerTurns(session, launch, turns);
    figures.version = steer.version;
    figures.steer = steer.result;
    line(`  ${entry.title}: ${turns} short turns done`);
    figures.stream = await runStream(session, { deltas: DELTAS, delayMs: 1, streamFlushMs: FLUSH_MS }, launch);
    line(`  ${entry.title}: ${DELTAS}-delta turn done`);
  } catch (err) {
    const refused = refusal(err);
    if (refused) return { ...figures, skipped: refused };
    figures.error = err instanceof Error ? err.message.split('\n').slice(0, 6).join(' | ') : String(err);
  }
  return figures;
}

const num = (x: number | undefined, digits = 1) => (x === undefined || Number.isNaN(x) ? '-' : x.toFixed(digits));

export async function agentsBench(line: (s?: string) => void): Promise<AgentsFigures> {
  const started = performance.now();
  const turns = Math.max(5, Math.min(200, Number(process.env.BENCH_AGENT_TURNS ?? 20)));
  line(
    `agents: each real agent on the runner against the scripted model, one hub and one model for all, each runner and agent in processes of their own; --stream-flush-ms ${FLUSH_MS}; baseline ${AGENTS[0]!.title}`,
  );
  const session = await startRunnerSession();
  const results: AgentFigures[] = [];
  try {
    for (const entry of AGENTS) results.push(await benchAgent(session, entry, turns, line));
  } finally {
    await session.stop();
  }
  const text = chunks(DELTAS).join('');
  try {
    for (const r of results) if (r.stream) r.stream.store = storeBytes(session.dataDir, r.stream.itemKey, { bytes: Buffer.byteLength(text, 'utf8'), text });
  } finally {
    session.remove();
  }
  const base = results[0]?.stream?.runnerCpuMicrosPerDelta;
  for (const r of results) if (r.stream && base) r.cpuPerDeltaOverBaseline = round(r.stream.runnerCpuMicrosPerDelta / base, 2);

  const skippedLine = (r: AgentFigures) => (r.skipped ? `skipped (${r.skipped})` : `FAILED ${r.error ?? ''}`);
  line(`  1. steering -> first row: ${turns} short turns after ${WARMUP} warm-up ones (the listen user's post -> the listener's first message event of a row in the thread after it)`);
  line(`  ${'agent'.padEnd(12)} ${pad('version', 8)} ${pad('p50 ms', 7)} ${pad('p95 ms', 7)} ${pad('min', 6)} ${pad('max', 6)} ${pad('bridge p50', 10)} ${pad('p95', 6)} ${pad('turn p50', 8)} ${pad('failed', 6)} ${pad('others', 7)}  first rows`);
  for (const r of results) {
    const s = r.steer;
    if (!s) {
      line(`  ${r.name.padEnd(12)} ${skippedLine(r)}`);
      continue;
    }
    line(
      `  ${r.name.padEnd(12)} ${pad(r.version ?? '', 8)} ${pad(num(s.firstRowMs.p50), 7)} ${pad(num(s.firstRowMs.p95), 7)} ${pad(num(s.firstRowMs.min), 6)} ${pad(num(s.firstRowMs.max), 6)}` +
        ` ${pad(num(s.bridgeMs.p50), 10)} ${pad(num(s.bridgeMs.p95), 6)} ${pad(num(s.turnMs.p50, 0), 8)} ${pad(s.failed, 6)} ${pad(`${s.othersPct}%`, 7)}  ${JSON.stringify(s.firstRowKinds)}`,
    );
  }
  line(`  (bridge: the runner child's Date.now() when the chunk holding the agent's first delta line reached the runner's JS -> the listener's Date.now() at that row; the rest of p50 is the hub -> runner -> agent -> model -> agent path)`);

  line(`  2-4. ${DELTAS} deltas into one answer, the model paced at 1 ms per delta (targets: appends per window <= 1; runner CPU per delta <= 1.5x ${AGENTS[0]!.title}'s)`);
  line(
    `  ${'agent'.padEnd(12)} ${pad('deltas', 6)} ${pad('lines', 6)} ${pad('KB', 6)} ${pad('appends', 9)} ${pad('stream s', 8)} ${pad('app/win', 7)} ${pad('early', 5)} ${pad('CPU µs/d', 8)} ${pad('x base', 6)} ${pad('µs/line', 7)}` +
      ` ${pad('1st->row', 8)} ${pad('last->final', 11)} ${pad('of bridge', 9)} ${pad('agent s', 7)} ${pad('others', 6)}`,
  );
  for (const r of results) {
    const s = r.stream;
    if (!s) {
      line(`  ${r.name.padEnd(12)} ${skippedLine(r)}`);
      continue;
    }
    const st = s.store;
    line(
      `  ${r.name.padEnd(12)} ${pad(s.deltasForwarded, 6)} ${pad(s.raw.lines, 6)} ${pad(Math.round(s.raw.bytes / 1024), 6)} ${pad(`${s.appends}/${st?.appendRows ?? '?'}`, 9)} ${pad(s.streamSeconds.toFixed(2), 8)}` +
        ` ${pad(s.appendsPerWindow.toFixed(2), 7)} ${pad(s.earlyAppends, 5)} ${pad(s.runnerCpuMicrosPerDelta.toFixed(1), 8)} ${pad(num(r.cpuPerDeltaOverBaseline, 2), 6)} ${pad(s.raw.runnerCpuMicrosPerLine.toFixed(1), 7)}` +
        ` ${pad(num(s.raw.firstDeltaToRowMs, 0), 8)} ${pad(num(s.raw.lastDeltaToFinalMs, 0), 11)} ${pad(num(s.raw.lastLineToFinalMs, 0), 9)} ${pad(s.otherCpuSeconds.agent.toFixed(2), 7)} ${pad(`${s.othersPct}%`, 6)}` +
        `${st && !st.rowMatchesOutput ? '  ROW DIFFERS FROM OUTPUT' : ''}${s.bodyReplaced ? '  (body replaced at completion)' : ''}`,
    );
  }
  line(
    `  (deltas: the agent's delta lines on its stdout to the runner (of ${DELTAS} the model sent); lines, KB: all it wrote there in the turn; appends: received by the listen user / stored;` +
      ` app/win: appends per ceil(stream time / ${FLUSH_MS} ms); early: appends < ${FLUSH_MS / 2} ms after the row's previous write)`,
  );
  line(
    `  (CPU µs/d: the runner process's own CPU over the turn / ${DELTAS}; x base: over ${AGENTS[0]!.title}'s in this run; µs/line: the same CPU / raw stdout lines;` +
      ` 1st->row, last->final (ms): the runner child's Date.now() when the chunk with the agent's first / last delta line reached the runner's JS -> the listener's Date.now() at the row's message event / its final append (or body update):` +
      ` the runner's flush wait, its push, the hub's write and broadcast; of bridge: from the last chunk the agent wrote before that final content (the line that ended the item) instead,` +
      ` the rest of last->final being the agent's own time after its last delta; agent s: the agent process's CPU seconds meanwhile)`,
  );
  const seconds = round((performance.now() - started) / 1000, 1);
  line(`agents total ${seconds} s`);
  return { baseline: AGENTS[0]!.name, flushMs: FLUSH_MS, deltas: DELTAS, agents: results, seconds };
}
