// Sandbox support on this OS. Linux: Codex's bundled bubblewrap (or `bwrap` on PATH) must be able
// to create a namespace, so we run `true` inside it. macOS: Seatbelt's `sandbox-exec` must exist.

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CodexBinary } from '@pilothouse/runner';
import type { Exec, ExecResult } from './exec.js';
import { ok, fail, skip, type CheckResult } from './result.js';

export interface SandboxDeps {
  readonly platform: NodeJS.Platform;
  /** The verified Codex binary (null when the codex check failed). */
  readonly codex: CodexBinary | null;
  readonly env: NodeJS.ProcessEnv;
  readonly exec: Exec;
  readonly exists?: (path: string) => boolean;
}

export const SEATBELT = '/usr/bin/sandbox-exec';

const LINUX_FIX =
  'allow unprivileged user namespaces (`sudo sysctl -w kernel.unprivileged_userns_clone=1`; on Ubuntu 23.10+ also `kernel.apparmor_restrict_unprivileged_userns=0`); in a container, run it with user namespaces allowed (e.g. `--security-opt seccomp=unconfined`); or run without a sandbox (`pilothouse run --sandbox danger-full-access`, only on a machine you can afford to lose)';

export async function checkSandbox(deps: SandboxDeps): Promise<CheckResult> {
  const exists = deps.exists ?? existsSync;
  if (deps.platform === 'darwin') {
    return exists(SEATBELT)
      ? ok('sandbox', `Seatbelt (${SEATBELT})`)
      : fail('sandbox', `${SEATBELT} is missing, so Codex cannot sandbox commands`, "restore macOS's /usr/bin/sandbox-exec (it ships with macOS), or run with `--sandbox danger-full-access`");
  }
  if (deps.platform === 'linux') return linux(deps);
  return skip('sandbox', `not checked on ${deps.platform}`);
}

async function linux(deps: SandboxDeps): Promise<CheckResult> {
  if (deps.codex) {
    // A scratch CODEX_HOME: the probe must not read or write the user's Codex configuration.
    const home = mkdtempSync(join(tmpdir(), 'ph-doctor-codex-'));
    try {
      const r = await deps.exec(deps.codex.path, ['sandbox', '--', 'true'], { env: { ...deps.env, CODEX_HOME: home }, timeoutMs: 15_000 });
      return r.code === 0
        ? ok('sandbox', 'Linux namespaces (Codex\'s bubblewrap ran `true` in a sandbox)')
        : fail('sandbox', `\`codex sandbox -- true\` failed: ${why(r)}`, LINUX_FIX);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }
  const r = await deps.exec('bwrap', ['--unshare-user', '--unshare-pid', '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', 'true'], { env: deps.env, timeoutMs: 15_000 });
  if (r.error === 'ENOENT') return skip('sandbox', 'no working codex to probe with, and no `bwrap` on PATH (fix the codex check first)');
  return r.code === 0 ? ok('sandbox', 'Linux namespaces (`bwrap` on PATH ran `true` in a sandbox)') : fail('sandbox', `\`bwrap … true\` failed: ${why(r)}`, LINUX_FIX);
}

function why(r: ExecResult): string {
  // The last non-warning line of stderr is the one that names the cause.
  const lines = r.stderr.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('WARNING:') && !l.startsWith('note:') && !l.startsWith('stack backtrace'));
  const last = lines.at(-1);
  const how = r.code === null ? (r.error ?? 'did not finish') : `exit ${r.code}`;
  return last ? `${how}: ${last}` : how;
}
