// Child process: the real runner (`startRunner`, as `pilothouse run` starts it) and nothing else
// heavy, so its process.cpuUsage() and memory are the runner's own. Codex runs as its child (its
// CPU is not in ours); the hub and the scripted model are other processes. Run with --expose-gc.
// Argument: a JSON AgentConfig. Prints `RUNNER ready {threadId, runnerId}`; commands on stdin
// (runner-procs.ts): cpu, mem, codex, close.
//
// One instrument is added to the runner's process: `spawn` is wrapped (node:module
// syncBuiltinESMExports) so the bytes Codex writes to the runner can be scanned for delta
// notifications; what Codex forwarded is then known, not assumed. Its cost (a Buffer.indexOf
// scan of Codex's stdout, ~2 MB for 10,000 deltas) is counted in the runner's CPU, and is small.

import cp, { type ChildProcess } from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';
import pino from 'pino';
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
}

const codex = { pid: -1, lines: 0, deltas: 0, bytes: 0, reads: 0 };
const DELTA = Buffer.from('"method":"item/agentMessage/delta"');
const NL = 0x0a;

function watchCodex(child: ChildProcess): void {
  codex.pid = child.pid ?? -1;
  let carry = Buffer.alloc(0);
  child.stdout?.on('data', (chunk: Buffer) => {
    codex.bytes += chunk.length;
    codex.reads++;
    for (let i = chunk.indexOf(NL); i !== -1; i = chunk.indexOf(NL, i + 1)) codex.lines++;
    // A pattern may straddle two chunks: scan the last few bytes of the previous one with this one.
    const buf = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    for (let i = buf.indexOf(DELTA); i !== -1; i = buf.indexOf(DELTA, i + DELTA.length)) codex.deltas++;
    carry = Buffer.from(buf.subarray(Math.max(0, buf.length - (DELTA.length - 1))));
  });
}

const originalSpawn = cp.spawn;
cp.spawn = function (this: unknown, ...args: unknown[]): ChildProcess {
  const child = (originalSpawn as (...a: unknown[]) => ChildProcess).apply(this, args);
  if (Array.isArray(args[1]) && args[1][0] === 'app-server') watchCodex(child);
  return child;
} as typeof cp.spawn;
syncBuiltinESMExports();

const { startRunner } = await import('@pilothouse/runner');

const cfg = JSON.parse(process.argv[2] ?? '{}') as AgentConfig;
const logger = pino({ level: cfg.logLevel }, pino.destination(2));
const runner = await startRunner({
  hubUrl: cfg.hubUrl,
  token: cfg.token,
  channel: cfg.channel,
  cwd: cfg.cwd,
  home: cfg.home,
  logger,
  allow: [],
  runtime: {},
  streamFlushMs: cfg.streamFlushMs,
  approvalTimeoutMs: null,
  resume: false,
  env: { ...process.env, ...cfg.env },
  name: 'bench runner',
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
  codex: () => ({ ...codex }),
  close: async () => {
    await runner.close('bench done');
    setImmediate(() => process.exit(0));
    return null;
  },
});
process.on('SIGTERM', () => {
  void runner.close('SIGTERM').finally(() => process.exit(0));
});
process.stdout.write(`RUNNER ready ${JSON.stringify({ threadId: runner.threadId, runnerId: runner.runnerId })}\n`);
