// Figure 1: 10,000 deltas into one item, end to end with real parts (runner-session.ts): the
// scripted model streams one assistant message as 10,000 `response.output_text.delta` events,
// real Codex forwards them as `item/agentMessage/delta` notifications, the real runner batches
// them every `streamFlushMs` (default 150) and the hub stores and broadcasts the appends. The
// listen user's socket counts the row's appends and times them; the runner's own process reports
// its CPU; the store's bytes for the row are read from the SQLite file once the hub has stopped.
// Any agent (runner-session.ts AgentLaunch, default Codex): the same reply reaches Gemini CLI or
// Claude Code on their own wires, and the runner child counts the agent's own delta lines.

import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { cpuSeconds, machineBusySeconds, round } from './procs.js';
import type { AgentOut } from './runner-agent.js';
import type { AgentLaunch, RowSeen, RunnerSession } from './runner-session.js';
import { chunks } from './runner-words.js';

export interface StreamOptions {
  deltas: number;
  /** The scripted model's pause before each delta (0: one burst, as fast as Codex reads). */
  delayMs: number;
  streamFlushMs: number;
}

export interface StreamResult {
  deltasSent: number;
  /** Delta lines the agent wrote to the runner (Codex: `item/agentMessage/delta` notifications). */
  deltasForwarded: number;
  /** Everything the agent wrote to the runner's pipe during the turn, and the bridge's own timing against it. */
  raw: RawAgentOutput;
  outputChars: number;
  outputBytes: number;
  itemKey: string;
  /** Appends the listen user received for the row (all were stored: each carries a seq). */
  appends: number;
  /** Post → processed, as the listen user saw it. */
  turnSeconds: number;
  /** Row posted (first delta) → last append, as the listen user saw it. */
  streamSeconds: number;
  flushMs: number;
  /** ceil(stream duration / flushMs): a window begun counts. */
  flushWindows: number;
  appendsPerWindow: number;
  /**
   * Appends that came less than flushMs / 2 after the previous write to the row (its post or an
   * append), as the listen user received them: writes the flush window did not coalesce.
   */
  earlyAppends: number;
  /** Smallest gap between consecutive appends (ms). */
  minAppendGapMs: number;
  /** The same, leaving out the first append and the turn-end flush. */
  minSteadyGapMs: number;
  /** ms from the row's post to its first append. */
  firstAppendAfterMs: number;
  /** The row's final update (status completed) replaced the body: a full second copy. */
  bodyReplaced: boolean;
  runnerCpuMicros: number;
  /** Of which in the kernel (system time). */
  runnerSystemMicros: number;
  runnerCpuMicrosPerDelta: number;
  /** For context (same interval): the other processes' CPU seconds (agent: Codex for the runner figures). */
  otherCpuSeconds: { hub: number; agent: number; model: number };
  /** CPU used meanwhile by processes outside this bench, % of one core: a noise indicator. */
  othersPct: number;
  store?: StoreBytes;
}

export interface RawAgentOutput {
  /** Lines, bytes and reads ('data' events) of the agent's stdout in the turn. */
  lines: number;
  bytes: number;
  reads: number;
  runnerCpuMicrosPerLine: number;
  /**
   * Date.now() in the runner child when the chunk holding the agent's first delta line reached the
   * runner's JS → Date.now() in this process when the listen user got the row's message event.
   */
  firstDeltaToRowMs: number;
  /**
   * The same for the last delta line → the row's last content (its final append, or a body-carrying
   * row update if later), as the listen user got it: the runner's flush wait, the hub's write and the broadcast.
   */
  lastDeltaToFinalMs: number;
  /**
   * Of which the bridge's own: the last chunk the agent wrote before the row's final content (the
   * line that ended the item: Codex `item/completed`, ACP the prompt's result…) → that content at
   * the listener. The rest (lastDeltaToFinalMs minus this) is the agent's own time after its last delta.
   */
  lastLineToFinalMs: number;
}

export interface StoreBytes {
  messageBodyBytes: number;
  appendTextBytes: number;
  appendRows: number;
  /** messages.body + events.text of the row's appends. */
  storeBytes: number;
  storeOverOutput: number;
  /** Every event row of this message: the JSON `data` column (ids, offsets, the post's copy of the first body). */
  eventDataBytes: number;
  /** Of which the appends' (ids and offset per append, no text). */
  appendDataBytes: number;
  storeWithEventDataOverOutput: number;
  /** The stored row (body + appends after body_seq) equals the model's output. */
  rowMatchesOutput: boolean;
}

const cpuMicros = (c: { user: number; system: number }) => c.user + c.system;

export async function runStream(session: RunnerSession, opts: StreamOptions, launch?: AgentLaunch): Promise<StreamResult> {
  const runner = await session.startRunner(opts.streamFlushMs, launch);
  try {
    const parts = chunks(opts.deltas);
    const output = parts.join('');
    await session.enqueue({ type: 'text', chunks: parts, delayMs: opts.delayMs });
    const agentPid = runner.agentPid();
    const modelBefore = await session.model.call<{ cpuMicros: number }>('stats');
    const agentBefore = await runner.peer.call<AgentOut>('agent');
    const other0 = { hub: cpuSeconds(session.hub.pid), agent: cpuSeconds(agentPid) };
    const cpu0 = await runner.peer.call<{ user: number; system: number }>('cpu');
    const self0 = process.cpuUsage();
    const busy0 = machineBusySeconds();
    const t0 = performance.now();
    const messageId = await session.listener.say(runner.threadId, `Write ${opts.deltas} words.`);
    const done = await session.listener.settled(messageId, ['processed', 'failed'], 120_000);
    const cpu1 = await runner.peer.call<{ user: number; system: number }>('cpu');
    const other1 = { hub: cpuSeconds(session.hub.pid), agent: cpuSeconds(agentPid) };
    const busy = machineBusySeconds() - busy0;
    const wall = (performance.now() - t0) / 1000;
    const self = process.cpuUsage(self0);
    const agentAfter = await runner.peer.call<AgentOut>('agent');
    const modelAfter = await session.model.call<{ cpuMicros: number }>('stats');
    if (done.state !== 'processed') throw new Error(`the ${opts.deltas}-delta turn ended ${done.state}: ${done.reason ?? ''}`);
    const rows = session.listener.rowsSince(runner.threadId, t0).filter((r) => r.kind === 'assistant');
    if (rows.length !== 1) throw new Error(`expected one assistant row, saw ${rows.length}`);
    const row = rows[0]!;
    const runnerCpu = cpuMicros(cpu1) - cpuMicros(cpu0);
    const ours = (runnerCpu + cpuMicros(self) + modelAfter.cpuMicros - modelBefore.cpuMicros) / 1e6 + other1.hub - other0.hub + other1.agent - other0.agent;
    const forwarded = agentAfter.deltas - agentBefore.deltas;
    const lines = agentAfter.lines - agentBefore.lines;
    const finalWall = Math.max(row.appends.at(-1)?.wallAt ?? row.postedWallAt, ...row.updates.filter((u) => u.body).map((u) => u.wallAt));
    const raw: RawAgentOutput = {
      lines,
      bytes: agentAfter.bytes - agentBefore.bytes,
      reads: agentAfter.reads - agentBefore.reads,
      runnerCpuMicrosPerLine: round(runnerCpu / Math.max(1, lines), 2),
      firstDeltaToRowMs: agentAfter.firstDeltaAt > 0 ? row.postedWallAt - agentAfter.firstDeltaAt : Number.NaN,
      lastDeltaToFinalMs: agentAfter.lastDeltaAt > 0 ? finalWall - agentAfter.lastDeltaAt : Number.NaN,
      lastLineToFinalMs: finalWall - Math.max(agentAfter.lastDeltaAt, ...agentAfter.recent.filter((t) => t <= finalWall)),
    };
    return {
      deltasSent: opts.deltas,
      deltasForwarded: forwarded,
      raw,
      outputChars: output.length,
      outputBytes: Buffer.byteLength(output, 'utf8'),
      ...timing(row, opts.streamFlushMs),
      turnSeconds: round((done.at - t0) / 1000, 3),
      runnerCpuMicros: runnerCpu,
      runnerSystemMicros: cpu1.system - cpu0.system,
      runnerCpuMicrosPerDelta: round(runnerCpu / opts.deltas, 2),
      otherCpuSeconds: {
        hub: round(other1.hub - other0.hub, 3),
        agent: round(other1.agent - other0.agent, 3),
        model: round((modelAfter.cpuMicros - modelBefore.cpuMicros) / 1e6, 3),
      },
      othersPct: round((Math.max(0, busy - ours) / wall) * 100, 0),
    };
  } finally {
    await runner.close();
  }
}

function timing(row: RowSeen, flushMs: number) {
  const times = row.appends.map((a) => a.at);
  const last = times.at(-1) ?? row.postedAt;
  const streamMs = last - row.postedAt;
  const windows = Math.max(1, Math.ceil(streamMs / flushMs));
  const gaps = times.slice(1).map((t, i) => t - times[i]!);
  return {
    itemKey: row.itemKey,
    appends: row.appends.length,
    streamSeconds: round(streamMs / 1000, 3),
    flushMs,
    flushWindows: windows,
    appendsPerWindow: round(row.appends.length / windows, 3),
    earlyAppends: [row.postedAt, ...times].slice(0, -1).filter((prev, i) => times[i]! - prev < flushMs / 2).length,
    minAppendGapMs: round(gaps.length ? Math.min(...gaps) : Number.NaN, 1),
    minSteadyGapMs: round(gaps.length > 2 ? Math.min(...gaps.slice(1, -1)) : Number.NaN, 1),
    firstAppendAfterMs: round(times.length ? times[0]! - row.postedAt : Number.NaN, 1),
    bodyReplaced: row.updates.some((u) => u.body),
  };
}

/** The bytes the store holds for the row, read from the SQLite file (read-only) after the hub stopped. */
export function storeBytes(dataDir: string, itemKey: string, output: { bytes: number; text: string }): StoreBytes {
  const db = new Database(join(dataDir, 'pilothouse.db'), { readonly: true, fileMustExist: true });
  try {
    const msg = db.prepare('select id, body, body_seq as bodySeq, length(cast(body as blob)) as bytes from messages where item_key = ?').get(itemKey) as
      | { id: string; body: string; bodySeq: number; bytes: number }
      | undefined;
    if (!msg) throw new Error(`no stored row ${itemKey}`);
    const appends = db
      .prepare("select count(*) as n, coalesce(sum(length(cast(text as blob))), 0) as bytes from events where message_id = ? and type = 'append'")
      .get(msg.id) as { n: number; bytes: number };
    const data = db.prepare('select coalesce(sum(length(cast(data as blob))), 0) as bytes from events where message_id = ?').get(msg.id) as { bytes: number };
    const appendData = db
      .prepare("select coalesce(sum(length(cast(data as blob))), 0) as bytes from events where message_id = ? and type = 'append'")
      .get(msg.id) as { bytes: number };
    const tail = db.prepare("select text from events where message_id = ? and type = 'append' and seq > ? order by seq").all(msg.id, msg.bodySeq) as { text: string }[];
    const storeBytes = msg.bytes + appends.bytes;
    return {
      messageBodyBytes: msg.bytes,
      appendTextBytes: appends.bytes,
      appendRows: appends.n,
      storeBytes,
      storeOverOutput: round(storeBytes / output.bytes, 4),
      eventDataBytes: data.bytes,
      appendDataBytes: appendData.bytes,
      storeWithEventDataOverOutput: round((storeBytes + data.bytes) / output.bytes, 4),
      rowMatchesOutput: msg.body + tail.map((t) => t.text).join('') === output.text,
    };
  } finally {
    db.close();
  }
}
