// End-to-end support: `pilothouse run` as a real process that a test can SIGKILL: the compiled CLI,
// as installed (vitest's global setup builds dist/ before any test runs).

import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = resolve(import.meta.dirname, '../..');
/** The `pilothouse` command of this checkout. */
export const CLI = join(ROOT, 'packages', 'cli', 'bin', 'pilothouse.js');

export interface RunnerProcess {
  readonly child: ChildProcess;
  /** The session thread, from the line `pilothouse run` prints once the session is live. */
  readonly threadId: string;
  /** The runner's log lines (pino JSON on stderr), parsed. */
  readonly logs: Record<string, unknown>[];
  /** SIGKILL, then wait until the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM (a clean close), then wait until the process is gone. */
  stop(): Promise<void>;
}

/** Starts `pilothouse run ARGS` with `env`; resolves once it printed its session line. */
export async function startRunnerProcess(args: readonly string[], env: NodeJS.ProcessEnv): Promise<RunnerProcess> {
  const child = spawn(process.execPath, [CLI, 'run', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const logs: Record<string, unknown>[] = [];
  const stderr: string[] = [];
  createInterface({ input: child.stderr }).on('line', (line) => {
    stderr.push(line);
    try {
      logs.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // not a log line (a warning from node): kept in `stderr` for the error message
    }
  });
  const threadId = await new Promise<string>((res, rej) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const m = /^Pilothouse session (\S+) in /.exec(line);
      if (m) res(m[1]!);
    });
    void exited.then(() => rej(new Error(`pilothouse run exited before its session started:\n${stderr.slice(-20).join('\n')}`)));
  });
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return { child, threadId, logs, kill: () => end('SIGKILL'), stop: () => end('SIGTERM') };
}

/** Every process (Linux /proc) named `comm` whose working directory is `cwd`. */
export function processesIn(cwd: string, comm: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (name === comm && state !== 'Z' && readlinkSync(`/proc/${entry}/cwd`) === cwd) found.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

export interface MarkedProcess {
  readonly pid: number;
  readonly comm: string;
  /** Its command line, arguments joined by spaces. */
  readonly args: string;
  /** `PILOTHOUSE_SESSION=<runner instance>` from its environment, or null. */
  readonly marker: string | null;
}

/** Every live process (Linux /proc) whose working directory is `cwd`, with its session marker. */
export function markedProcessesIn(cwd: string): MarkedProcess[] {
  const found: MarkedProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (state === 'Z' || readlinkSync(`/proc/${entry}/cwd`) !== cwd) continue;
      const marker = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').find((e) => e.startsWith('PILOTHOUSE_SESSION=')) ?? null;
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
      found.push({ pid: Number(entry), comm, args, marker });
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}
