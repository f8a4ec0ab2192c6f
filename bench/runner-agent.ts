// Child process: the real runner (`startRunner`, as `pilothouse run` starts it) and nothing else
// heavy, so its process.cpuUsage() and memory are the runner's own. The agent (Codex by default,
// or `cfg.agent`: Gemini CLI, Claude Code) runs as its child (its CPU is not in ours); the hub and
// the scripted model are other processes. Run with --expose-gc. Argument: a JSON AgentConfig.
// Prints `RUNNER ready {threadId, runnerId, agentVersion}`, or `RUNNER failed {code, message}` on stderr when
// startRunner throws (e.g. `agent_unsupported`); commands on stdin (runner-procs.ts): cpu, mem,
// agent, mark, close.
//
// One instrument is added to the runner's process: `spawn` is wrapped (node:module
// syncBuiltinESMExports) so the bytes the agent writes to the runner can be scanned for its delta
// lines (`cfg.watch.delta`, e.g. Codex's `"method":"item/agentMessage/delta"`); what the agent
// forwarded is then known, not assumed. Its listener is the stdout's first, so the Date.now() it
// stamps on the chunk holding the last delta is when that line reached the runner's JS. Its cost
// (a Buffer.indexOf scan of the agent's stdout, ~2 MB for 10,000 Codex deltas) is counted in the
// runner's CPU, and is small.

import cp, { type ChildProcess } from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';
import pino from 'pino';
import type { AgentName, RunnerOptions } from '@pilothouse/runner';
import { CODEX_WATCH, type AgentWatch } from './agents-watch.js';
import { serve } from './runner-procs.js';

export interface AgentConfig {
  hubUrl: string;
  token: string;
  channel: string;
  cwd: string;
  home: string;
  env: Record<string, string>;
  streamFlushMs: number;
  logLevel: string;
  /** Default: Codex. */
  agent?: AgentName;
  runtime?: RunnerOptions['runtime'];
  /** Default: Codex's (CODEX_WATCH). */
  watch?: AgentWatch;
}

/** What the agent wrote to the runner's stdin pipe (its stdout): counts, and Date.now() stamps of delta chunks. */
export interface AgentOut {
  pid: number;
  lines: number;
  deltas: number;
  bytes: number;
  reads: number;
  /** Date.now() when the chunk holding the first / last delta line reached the runner (0: none yet). */
  firstDeltaAt: number;
  lastDeltaAt: number;
  /** Date.now() of the last RECENT chunks (any line), oldest first: what the agent said after its last delta. */
  recent: number[];
}

const RECENT = 32;

const cfg = JSON.parse(process.argv[2] ?? '{}') as AgentConfig;
const watch = cfg.watch ?? CODEX_WATCH;
const out: AgentOut = { pid: -1, lines: 0, deltas: 0, bytes: 0, reads: 0, firstDeltaAt: 0, lastDeltaAt: 0, recent: [] };
const DELTA = Buffer.from(watch.delta);
const NL = 0x0a;

function watchAgent(child: ChildProcess): void {
  out.pid = child.pid ?? -1;
  let carry = Buffer.alloc(0);
  child.stdout?.on('data', (raw: Buffer | string) => {
    // A driver that sets an encoding on the stream (Claude Code's) makes every listener get strings.
    const chunk = typeof raw === 'string' ? Buffer.from(raw) : raw;
    const now = Date.now();
    out.bytes += chunk.length;
    out.reads++;
    out.recent.push(now);
    if (out.recent.length > RECENT) out.recent.shift();
    for (let i = chunk.indexOf(NL); i !== -1; i = chunk.indexOf(NL, i + 1)) out.lines++;
    // A pattern may straddle two chunks: scan the last few bytes of the previous one with this one.
    const buf = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    const before = out.deltas;
    for (let i = buf.indexOf(DELTA); i !== -1; i = buf.indexOf(DELTA, i + DELTA.length)) out.deltas++;
    if (out.deltas > before) {
      if (out.firstDeltaAt === 0) out.firstDeltaAt = now;
      out.lastDeltaAt = now;
    }
    carry = Buffer.from(buf.subarray(Math.max(0, buf.length - (DELTA.length - 1))));
  });
}

const originalSpawn = cp.spawn;
cp.spawn = function (this: unknown, ...args: unknown[]): ChildProcess {
  const child = (originalSpawn as (...a: unknown[]) => ChildProcess).apply(this, args);
  if (Array.isArray(args[1]) && args[1].includes(watch.arg)) watchAgent(child);
  return child;
} as typeof cp.spawn;
syncBuiltinESMExports();

const { startRunner } = await import('@pilothouse/runner');

const logger = pino({ level: cfg.logLevel }, pino.destination(2));
const runner = await startRunner({
  hubUrl: cfg.hubUrl,
  token: cfg.token,
  channel: cfg.channel,
  cwd: cfg.cwd,
  home: cfg.home,
  logger,
  allow: [],
  runtime: cfg.runtime ?? {},
  ...(cfg.agent ? { agent: { name: cfg.agent } } : {}),
  streamFlushMs: cfg.streamFlushMs,
  approvalTimeoutMs: null,
  resume: false,
  env: { ...process.env, ...cfg.env },
  name: 'bench runner',
}).catch((err: unknown) => {
  const code = (err as { code?: unknown }).code;
  process.stderr.write(`RUNNER failed ${JSON.stringify({ code: typeof code === 'string' ? code : null, message: err instanceof Error ? err.message : String(err) })}\n`);
  process.exit(1);
});

const gc = (globalThis as { gc?: () => void }).gc;
serve({
  cpu: () => {
    const u = process.cpuUsage();
    return { user: u.user, system: u.system };
  },
  mem: () => {
    if (gc) {
      gc();
      gc();
    }
    const m = process.memoryUsage();
    return { gc: gc !== undefined, rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers };
  },
  agent: () => ({ ...out, recent: [...out.recent] }),
  /** The counts so far; the delta stamps start again (the next turn's first delta is stamped anew). */
  mark: () => {
    const seen = { ...out, recent: [...out.recent] };
    out.firstDeltaAt = 0;
    out.lastDeltaAt = 0;
    return seen;
  },
  close: async () => {
    await runner.close('bench done');
    setImmediate(() => process.exit(0));
    return null;
  },
});
process.on('SIGTERM', () => {
  void runner.close('SIGTERM').finally(() => process.exit(0));
});
process.stdout.write(`RUNNER ready ${JSON.stringify({ threadId: runner.threadId, runnerId: runner.runnerId, agentVersion: runner.agent.version })}\n`);
