// Finds the Claude Code binary and reads its version before anything starts: an explicit binary
// (PILOTHOUSE_CLAUDE_BIN), else the user's own `claude` on PATH, else the pinned dev dependency:
// the package's bin (the native binary its install script links into place) or, when install
// scripts were skipped, the platform package's native binary itself.

import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { olderThan } from '../agent/versions.js';
import { ClaudeError } from './errors.js';

export interface ClaudeBinary {
  readonly path: string;
  readonly version: string;
}

export interface LocateClaudeOptions {
  /** An explicit binary; otherwise `PILOTHOUSE_CLAUDE_BIN`, PATH, then the installed package. */
  readonly bin?: string | undefined;
  readonly env: NodeJS.ProcessEnv;
}

const FIX = 'install it with `npm install -g @anthropic-ai/claude-code`, or set PILOTHOUSE_CLAUDE_BIN to a claude binary';

/** The oldest Claude Code whose stream-json control protocol the driver speaks (it is tested with the pinned dev dependency). */
export const MIN_CLAUDE_VERSION = '2.0.0';

/** The package's bin is a shell stub until its install script replaces it with the native binary. */
const NATIVE_MIN_BYTES = 1024 * 1024;

export async function locateClaude(options: LocateClaudeOptions): Promise<ClaudeBinary> {
  const path = options.bin ?? options.env.PILOTHOUSE_CLAUDE_BIN ?? onPath('claude', options.env.PATH) ?? installedBinary();
  if (path === null) throw new ClaudeError('claude_missing', `Claude Code was not found: ${FIX}.`);
  const version = await readVersion(path);
  if (olderThan(version, MIN_CLAUDE_VERSION)) {
    throw new ClaudeError('claude_version_unsupported', `Claude Code ${version} at ${path} is older than ${MIN_CLAUDE_VERSION}, the oldest Pilothouse drives: update it with \`npm install -g @anthropic-ai/claude-code\`.`, { path, version });
  }
  return { path, version };
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The first executable `name` on PATH (POSIX; on Windows the npm shim `claude.cmd` is not spawned directly). */
export function onPath(name: string, path: string | undefined): string | null {
  for (const dir of (path ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    if (executable(candidate)) return candidate;
  }
  return null;
}

const PLATFORM_PACKAGES: Record<string, string | undefined> = {
  'linux-x64': '@anthropic-ai/claude-code-linux-x64',
  'linux-arm64': '@anthropic-ai/claude-code-linux-arm64',
  'darwin-x64': '@anthropic-ai/claude-code-darwin-x64',
  'darwin-arm64': '@anthropic-ai/claude-code-darwin-arm64',
};

/** The pinned dev dependency's binary, or null when it is not installed. */
function installedBinary(): string | null {
  const require = createRequire(import.meta.url);
  let manifest: string;
  try {
    manifest = require.resolve('@anthropic-ai/claude-code/package.json');
  } catch {
    return null;
  }
  const linked = join(dirname(manifest), 'bin', 'claude.exe');
  if (executable(linked) && statSync(linked).size >= NATIVE_MIN_BYTES) return linked;
  const pkg = PLATFORM_PACKAGES[`${process.platform}-${process.arch}`];
  if (pkg === undefined) return null;
  try {
    const native = join(dirname(createRequire(manifest).resolve(`${pkg}/package.json`)), 'claude');
    return executable(native) ? native : null;
  } catch {
    // The platform package is optional: absent on platforms without a build.
    return null;
  }
}

/** Runs `claude --version` (prints `2.1.332 (Claude Code)`) and returns the version. */
async function readVersion(path: string): Promise<string> {
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(path, ['--version'], { timeout: 15_000, env: { ...process.env, DISABLE_AUTOUPDATER: '1' } }, (error, out) => {
      if (!error) return resolve(out);
      const code = (error as NodeJS.ErrnoException).code;
      const missing = code === 'ENOENT' || code === 'EACCES' || code === 'ENOTDIR';
      const why = missing ? `not found at ${path}` : `at ${path} failed to report its version (${error.message.trim()})`;
      reject(new ClaudeError('claude_missing', `Claude Code ${why}: ${FIX}.`, { path }, { cause: error }));
    });
  });
  const match = /(\d+\.\d+\.\d+\S*)\s*\(Claude Code\)/.exec(stdout);
  if (!match?.[1]) throw new ClaudeError('claude_missing', `${path} is not Claude Code (its --version printed "${stdout.trim().slice(0, 80)}"): ${FIX}.`, { path });
  return match[1];
}
