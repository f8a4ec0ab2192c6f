// The one way doctor checks run a program: never throws, always settles, bounded in time.

import { execFile } from 'node:child_process';

export interface ExecResult {
  /** Exit code; null when the program could not start, was killed or timed out. */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Why it did not run or finish (ENOENT, a timeout, a signal), if so. */
  readonly error?: string;
}

export type Exec = (file: string, args: readonly string[], options?: { env?: NodeJS.ProcessEnv; timeoutMs?: number }) => Promise<ExecResult>;

export const realExec: Exec = (file, args, options = {}) =>
  new Promise((resolve) => {
    execFile(file, [...args], { env: options.env ?? process.env, timeout: options.timeoutMs ?? 15_000 }, (error, stdout, stderr) => {
      if (!error) return resolve({ code: 0, stdout, stderr });
      const e = error as NodeJS.ErrnoException & { code?: unknown; killed?: boolean; signal?: string | null };
      if (typeof e.code === 'number') return resolve({ code: e.code, stdout, stderr });
      const why = typeof e.code === 'string' ? e.code : e.killed ? `timed out or killed (${e.signal ?? 'signal'})` : e.message;
      resolve({ code: null, stdout, stderr, error: why });
    });
  });
