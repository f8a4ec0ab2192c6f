// An agent's child process (Codex's app-server, Claude Code, an ACP agent): spawned with piped
// stdio, its stderr tail kept for error messages, and one promise that settles when it is gone.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Last lines of stderr, ANSI colours removed. */
  readonly stderrTail: string;
  /** Set when the process could not be started at all. */
  readonly spawnError?: Error;
}

export interface Child {
  readonly process: ChildProcessWithoutNullStreams;
  readonly exited: Promise<ChildExit>;
  stderrTail(): string;
}

const STDERR_TAIL_CHARS = 4096;
// CSI sequences (colours, cursor moves) as tracing's ANSI output emits them (ECMA-48 §5.4).
const ANSI_CSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[ -/]*[@-~]`, 'g');

export function spawnChild(bin: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Child {
  // detached: a Ctrl-C in the runner's terminal must not reach Codex directly; the runner
  // decides how to shut it down. Codex still exits by itself when its stdin closes.
  const child = spawn(bin, args, { cwd: options.cwd, env: options.env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  let tail = '';
  // Colours are stripped on read: an escape sequence may straddle two chunks.
  const readTail = () => tail.replace(ANSI_CSI, '').trim();
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    tail = (tail + chunk).slice(-STDERR_TAIL_CHARS);
  });
  const exited = new Promise<ChildExit>((resolve) => {
    child.once('error', (spawnError) => resolve({ code: null, signal: null, stderrTail: readTail(), spawnError }));
    // 'close' (not 'exit'): by then stdout is drained, so every line has been delivered.
    child.once('close', (code, signal) => resolve({ code, signal, stderrTail: readTail() }));
  });
  return { process: child, exited, stderrTail: readTail };
}

/** Resolves true if `promise` settles within `ms`; the timer never outlives the wait. */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
