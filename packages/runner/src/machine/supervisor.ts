// The runner processes the daemon starts: `pilothouse run` in the session's folder, its log in a
// file, its session thread read from the line it prints once the thread is live. A runner outlives
// a daemon that dies (its own process group), and a restarted daemon adopts it by pid; the
// environment marker tells a recycled pid from ours.

import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { PilothouseError } from '@pilothouse/protocol';
import type { SessionRecord } from './records.js';

/** The environment variable every runner the daemon starts carries: its session id. */
export const SESSION_MARKER = 'PILOTHOUSE_MACHINE_SESSION';
/** How long a runner may take to open its session thread. */
export const RUNNER_START_TIMEOUT_MS = 45_000;
/** How long a stopped runner may take to close before it is killed. */
export const RUNNER_STOP_GRACE_MS = 10_000;

/** How often an adopted runner (not the daemon's child: no exit event) is looked at. */
const ADOPTED_POLL_MS = 2000;

export type Exited = Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

/** The `pilothouse run` flags of a session (`--resume` after a restart). */
export function runnerArgs(rec: SessionRecord, where: { channel: string; machine: string }, resume: boolean): string[] {
  const r = rec.runner;
  return [
    ...['--channel', where.channel, '--cwd', r.cwd, '--agent', rec.session.agent, '--name', `${where.machine}/${rec.session.session_id}`],
    ...(r.sandbox ? ['--sandbox', r.sandbox] : []),
    ...(r.approval_policy ? ['--approval-policy', r.approval_policy] : []),
    ...(r.model ? ['--model', r.model] : []),
    ...(r.effort ? ['--effort', r.effort] : []),
    ...r.allow.flatMap((a) => ['--allow', a]),
    ...(resume ? ['--resume'] : []),
  ];
}

/** The environment a session's runner starts with: the hub and token (never on the command line), the home, its own ports. */
export function runnerEnv(rec: Pick<SessionRecord, 'session'>, with_: { base: NodeJS.ProcessEnv; hubUrl: string; token: string; home: string }): NodeJS.ProcessEnv {
  return {
    ...with_.base,
    PILOTHOUSE_HUB: with_.hubUrl,
    PILOTHOUSE_TOKEN: with_.token,
    PILOTHOUSE_HOME: with_.home,
    PORT: String(rec.session.ports.from),
    PILOTHOUSE_PORT_RANGE: `${rec.session.ports.from}-${rec.session.ports.to}`,
  };
}

/** Calls `gone` once the runner exits: from its exit event when it is the daemon's child, else by looking now and then. */
export function watchRunner(sessionId: string, pid: number, exited: Exited | null, gone: (why: string) => void): void {
  if (exited) {
    void exited.then(({ code, signal }) => gone(signal ?? `exit ${String(code)}`));
    return;
  }
  const timer = setInterval(() => {
    if (isOurRunner(pid, sessionId)) return;
    clearInterval(timer);
    gone('it was gone when looked at');
  }, ADOPTED_POLL_MS);
  timer.unref();
}

export interface LaunchSpec {
  sessionId: string;
  /** The command that is `pilothouse` (e.g. node and the CLI's entry), then `run` and these flags. */
  command: readonly string[];
  args: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  log: string;
}

export interface Launched {
  pid: number;
  threadId: string;
  /** Resolves when the process exits (code, or the signal that ended it). */
  exited: Exited;
}

/** Starts a runner and waits for its session line; a runner that exits or stays silent is killed and refused. */
export async function launchRunner(spec: LaunchSpec): Promise<Launched> {
  mkdirSync(dirname(spec.log), { recursive: true });
  const logFd = openSync(spec.log, 'a', 0o600);
  const [program, ...prefix] = spec.command;
  if (program === undefined) throw new PilothouseError('internal', 'No runner command configured.');
  const child = spawn(program, [...prefix, 'run', ...spec.args], {
    cwd: spec.cwd,
    env: { ...spec.env, [SESSION_MARKER]: spec.sessionId },
    stdio: ['ignore', 'pipe', logFd],
    detached: true,
  });
  closeSync(logFd);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  child.once('error', () => undefined); // a spawn failure also exits (code null); reported below
  let timer: NodeJS.Timeout | undefined;
  try {
    const threadId = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const m = /^Pilothouse session (\S+) in /.exec(line);
        if (m) resolve(m[1]!);
      });
      void exited.then(({ code, signal }) => reject(new PilothouseError('internal', `The runner exited before its session started (${signal ?? `exit ${String(code)}`}): ${lastLines(spec.log)}`)));
      timer = setTimeout(() => reject(new PilothouseError('internal', `The runner did not open its session within ${RUNNER_START_TIMEOUT_MS / 1000} s; see ${spec.log}.`)), RUNNER_START_TIMEOUT_MS);
    });
    child.unref();
    return { pid: child.pid!, threadId, exited };
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/** The last meaningful lines of a runner's log, for a refusal's message. */
function lastLines(log: string): string {
  try {
    const lines = readFileSync(log, 'utf8').trim().split('\n').slice(-5);
    return lines
      .map((l) => {
        try {
          const j = JSON.parse(l) as { msg?: string };
          return j.msg ?? l;
        } catch {
          return l;
        }
      })
      .join(' | ')
      .slice(0, 1500);
  } catch {
    return 'no log';
  }
}

/** Whether `pid` is alive and (where /proc tells) a runner of session `sessionId`. */
export function isOurRunner(pid: number, sessionId: string): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`${SESSION_MARKER}=${sessionId}`);
  } catch {
    return process.platform !== 'linux'; // no /proc (macOS): the pid alone
  }
}

/** Stops a runner (SIGTERM, its clean close; SIGKILL after the grace) and resolves once it is gone. */
export async function stopRunner(pid: number, sessionId: string, graceMs = RUNNER_STOP_GRACE_MS): Promise<void> {
  if (!isOurRunner(pid, sessionId)) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isOurRunner(pid, sessionId)) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      await waitGone(pid, sessionId);
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function waitGone(pid: number, sessionId: string): Promise<void> {
  while (isOurRunner(pid, sessionId)) await new Promise((r) => setTimeout(r, 20));
}
