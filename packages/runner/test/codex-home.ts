// Scratch CODEX_HOME for tests: a config.toml whose `fake` provider points at a scripted
// model, so the real Codex binary runs offline, without login, retries or update checks.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type SandboxMode = 'read-only' | 'workspace-write' | 'danger-full-access';

export interface CodexHomeOptions {
  /** The scripted model's base URL, e.g. `http://127.0.0.1:40123/v1`. */
  readonly modelUrl: string;
  /** A slug from Codex's bundled catalog: unknown slugs get fallback metadata and no apply_patch tool. */
  readonly model?: string;
  /** `untrusted` in config.toml makes 0.169.0 exit; pass it per thread instead. */
  readonly approvalPolicy?: 'on-request' | 'on-failure' | 'never';
  readonly sandbox?: SandboxMode;
  /** How often Codex retries a failed model stream (reporting "Reconnecting… n/m" each time); default 0. */
  readonly streamRetries?: number;
  /** Extra TOML appended verbatim (e.g. to provoke a config error). */
  readonly extraToml?: string;
}

export interface CodexHome {
  readonly dir: string;
  /**
   * Environment for `startCodex`: CODEX_HOME, the fake provider's key, and HOME there too, so the
   * login shells Codex runs commands in do not source the machine's own profile (a profile that
   * runs a tool's init, e.g. pyenv's rehash, can leave a lock behind when a test kills the shell,
   * and every later login shell on the machine then waits on it).
   */
  readonly env: Record<string, string>;
  remove(): Promise<void>;
}

export async function createCodexHome(options: CodexHomeOptions): Promise<CodexHome> {
  const dir = await mkdtemp(join(tmpdir(), 'pilothouse-codex-home-'));
  await writeFile(join(dir, 'config.toml'), configToml(options));
  return {
    dir,
    env: { CODEX_HOME: dir, HOME: dir, FAKE_OPENAI_KEY: 'sk-fake' },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** TOML basic strings share JSON's escapes for everything we write here. */
const str = (value: string) => JSON.stringify(value);

export function configToml(options: CodexHomeOptions): string {
  return `model = ${str(options.model ?? 'gpt-5.5')}
model_provider = "fake"
approval_policy = ${str(options.approvalPolicy ?? 'on-request')}
sandbox_mode = ${str(options.sandbox ?? 'workspace-write')}
check_for_update_on_startup = false

[model_providers.fake]
name = "Scripted model"
base_url = ${str(options.modelUrl)}
wire_api = "responses"
env_key = "FAKE_OPENAI_KEY"
request_max_retries = 0
stream_max_retries = ${options.streamRetries ?? 0}
stream_idle_timeout_ms = 20000

[analytics]
enabled = false
${options.extraToml ?? ''}`;
}
