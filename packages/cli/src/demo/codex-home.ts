// The demo's own CODEX_HOME: a config.toml whose model provider is the scripted model, so the
// real Codex runs offline with no login and no API key, and never reads or writes ~/.codex.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The provider's key variable: Codex insists on one being set; the scripted model ignores it. */
export const KEY_VARIABLE = 'PILOTHOUSE_DEMO_MODEL_KEY';

/** TOML basic strings share JSON's escapes for everything written here. */
const str = (value: string) => JSON.stringify(value);

/** A Codex config.toml whose model provider is the scripted model at `modelUrl` (the demo's, and `pilothouse model`'s). */
export function demoCodexConfig(modelUrl: string): string {
  // gpt-5.5 is in Codex's bundled catalog: an unknown slug gets no apply_patch tool.
  // workspace-write + on-request: commands that ask to leave the sandbox wait for an approval.
  return `model = "gpt-5.5"
model_provider = "pilothouse_demo"
approval_policy = "on-request"
sandbox_mode = "workspace-write"
check_for_update_on_startup = false

[model_providers.pilothouse_demo]
name = "Pilothouse demo (scripted model)"
base_url = ${str(modelUrl)}
wire_api = "responses"
env_key = "${KEY_VARIABLE}"
request_max_retries = 0
stream_max_retries = 0
stream_idle_timeout_ms = 60000

[analytics]
enabled = false
`;
}

/**
 * Writes `dir/config.toml`; returns the environment Codex runs in: the caller's, with CODEX_HOME
 * pointing here and no OpenAI credentials (the demo must not spend anyone's quota).
 */
export function writeDemoCodexHome(dir: string, modelUrl: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.toml'), demoCodexConfig(modelUrl));
  const { OPENAI_API_KEY: _key, CODEX_API_KEY: _codexKey, OPENAI_BASE_URL: _base, ...rest } = env;
  return { ...rest, CODEX_HOME: dir, [KEY_VARIABLE]: 'not-a-real-key' };
}
