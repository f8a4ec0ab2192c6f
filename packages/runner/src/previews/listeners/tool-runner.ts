// How the lsof scanner runs `ps` and `lsof`: execFile (no shell) in the C locale with a timeout,
// found on PATH or in the usual system directories; a tool that is not there is a
// ScanToolMissingError (scanner.ts).
import { execFile } from 'node:child_process';
import { ScanToolMissingError } from './scanner.js';

export interface RunResult {
  readonly stdout: string;
  /** The child's pid (the scanner leaves its own `ps` out of the table). */
  readonly pid?: number | undefined;
}

/** Runs `tool` with `args`, no shell; rejects with ScanToolMissingError when it is not installed. */
export type RunTool = (tool: 'ps' | 'lsof', args: readonly string[]) => Promise<RunResult>;

const TIMEOUT_MS = 5_000;
/** Places tried after PATH: a runner started by launchd or a service manager may have a short PATH. */
const FALLBACK_DIRS = ['/usr/sbin', '/usr/bin', '/bin', '/sbin'];

function execOnce(file: string, args: readonly string[]): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      // The C locale fixes ps's `lstart` format; a large buffer for the first environment read.
      { timeout: TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, LC_ALL: 'C' }, windowsHide: true },
      (error, stdout, stderr) => {
        if (error === null) return resolve({ stdout, pid: child.pid });
        const code = (error as { code?: unknown }).code;
        // lsof and ps exit 1 when some asked-for pid is gone or nothing matched: not an error.
        if (code === 1 && stderr.trim() === '') return resolve({ stdout, pid: child.pid });
        if (code === 'ENOENT') return reject(Object.assign(new Error(error.message), { code }));
        const why = error.killed ? `timed out after ${TIMEOUT_MS} ms` : `exited ${String(code)}`;
        reject(new Error(`${file} ${why}: ${stderr.trim().slice(0, 500)}`));
      },
    );
  });
}

/**
 * A RunTool that looks `tool` up on PATH (or runs `paths[tool]`), then in `fallbackDirs`, and
 * remembers what worked. Nothing found: ScanToolMissingError.
 */
export function makeRunTool(paths: Partial<Record<'ps' | 'lsof', string>> = {}, fallbackDirs: readonly string[] = FALLBACK_DIRS): RunTool {
  const resolved = new Map<string, string>();
  return async (tool, args) => {
    const known = resolved.get(tool);
    if (known !== undefined) return execOnce(known, args);
    for (const file of [paths[tool] ?? tool, ...fallbackDirs.map((dir) => `${dir}/${tool}`)]) {
      try {
        const result = await execOnce(file, args);
        resolved.set(tool, file);
        return result;
      } catch (error) {
        if ((error as { code?: unknown }).code !== 'ENOENT') {
          resolved.set(tool, file);
          throw error;
        }
      }
    }
    throw new ScanToolMissingError(tool);
  };
}

/** The default RunTool: PATH first, then the usual system directories. */
export const runTool: RunTool = makeRunTool();
