// Bench support: start a child process and wait for a line it prints, stop it by pid, read a
// process's CPU time from /proc (Linux), and percentiles. Shared by run.ts, fanout.ts, clients.ts.

import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface Child {
  proc: ChildProcess;
  pid: number;
  /** Everything the child printed on stdout so far. */
  stdout(): string;
  /** The last few KB of stderr, for error messages. */
  stderrTail(): string;
  exited: Promise<number | null>;
}

/** Spawns `node <args>` and resolves with the first stdout match of `ready` (or rejects after `timeoutMs`). */
export async function startChild(args: string[], ready: RegExp, timeoutMs: number, env: NodeJS.ProcessEnv = {}): Promise<{ child: Child; match: RegExpMatchArray }> {
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let out = '';
  let err = '';
  proc.stderr.on('data', (d: Buffer) => {
    err = (err + d.toString('utf8')).slice(-8192);
  });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const child: Child = { proc, pid: proc.pid ?? -1, stdout: () => out, stderrTail: () => err, exited };
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
