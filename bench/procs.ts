// Bench support: start a child process and wait for a line it prints, stop it by pid, read a
// process's CPU time from /proc (Linux), and percentiles. Shared by run.ts, fanout.ts, clients.ts.

import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

export interface Child {
  /** The CPU it is pinned to, if any. */
  cpu: number | undefined;
  proc: ChildProcess;
  pid: number;
  /** Everything the child printed on stdout so far. */
  stdout(): string;
  /** The last few KB of stderr, for error messages. */
  stderrTail(): string;
  exited: Promise<number | null>;
}

let taskset: boolean | undefined;

/** Whether `taskset` can pin a child to one CPU (Linux, util-linux, at least 2 CPUs online). */
function canPin(): boolean {
  if (taskset === undefined) {
    try {
      execFileSync('taskset', ['-c', '1', 'true'], { stdio: 'ignore' });
      taskset = true;
    } catch {
      taskset = false;
    }
  }
  return taskset;
}

/**
 * Spawns `node <args>` (pinned to `cpu` when given and taskset works; the pid stays node's, as
 * taskset execs it) and resolves with the first stdout match of `ready`, or rejects after `timeoutMs`.
 */
export async function startChild(args: string[], ready: RegExp, timeoutMs: number, cpu?: number): Promise<{ child: Child; match: RegExpMatchArray }> {
  const [cmd, argv] = cpu !== undefined && canPin() ? ['taskset', ['-c', String(cpu), process.execPath, ...args]] : [process.execPath, args];
  const proc = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stderr.on('data', (d: Buffer) => {
    err = (err + d.toString('utf8')).slice(-8192);
  });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const child: Child = { cpu: cpu !== undefined && canPin() ? cpu : undefined, proc, pid: proc.pid ?? -1, stdout: () => out, stderrTail: () => err, exited };
  const match = await new Promise<RegExpMatchArray>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child ${args.join(' ')} not ready after ${timeoutMs} ms:\n${err}`)), timeoutMs);
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      const m = out.match(ready);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`child ${args.join(' ')} exited (${String(code)}) before it was ready:\n${err}`));
    });
  });
  return { child, match };
}

/** SIGINT (or `signal`) to this child only; SIGKILL if it has not exited after `graceMs`. */
export async function stopChild(child: Child, graceMs = 5000, signal: NodeJS.Signals = 'SIGINT'): Promise<void> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return;
  child.proc.kill(signal);
  const timer = setTimeout(() => child.proc.kill('SIGKILL'), graceMs);
  await child.exited;
  clearTimeout(timer);
}

let clockTicks: number | undefined;

/** User+system CPU seconds of a process (Linux /proc), or NaN when unreadable. */
export function cpuSeconds(pid: number): number {
  try {
    clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the ")" that closes the command name: state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicks;
  } catch {
    return Number.NaN;
  }
}

/** Non-idle CPU seconds of the whole machine since boot (Linux /proc/stat), or NaN. */
export function machineBusySeconds(): number {
  try {
    clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
    const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = ticks;
    return (user + nice + system + irq + softirq + steal) / clockTicks;
  } catch {
    return Number.NaN;
  }
}

export interface CpuShares {
  /** CPU seconds the server used over the interval. */
  serverSeconds: number;
  /** Percent of one core over the interval. */
  serverPct: number;
  clientsPct: number;
  /** Everything else on the machine (other processes, interrupts): a noise indicator. */
  othersPct: number;
}

/** Starts measuring the CPU of `serverPid`, this process, and the rest of the machine. */
export function cpuMeter(serverPid: number): () => CpuShares {
  const t0 = performance.now();
  const server0 = cpuSeconds(serverPid);
  const self0 = process.cpuUsage();
  const machine0 = machineBusySeconds();
  return () => {
    const secs = (performance.now() - t0) / 1000;
    const server = cpuSeconds(serverPid) - server0;
    const selfUsage = process.cpuUsage(self0);
    const self = (selfUsage.user + selfUsage.system) / 1e6;
    const others = machineBusySeconds() - machine0 - server - self;
    const pct = (x: number) => round((x / secs) * 100, 0);
    return { serverSeconds: round(server, 3), serverPct: pct(server), clientsPct: pct(self), othersPct: pct(Math.max(0, others)) };
  };
}

/** Nearest-rank percentile of an ascending array (NaN when empty). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export const round = (x: number, digits = 1): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};
