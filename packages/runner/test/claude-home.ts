// A scratch HOME for the real Claude Code binary: its base URL at a scripted model, a dummy API
// key, and everything but the model traffic turned off (with these, the base URL is the only
// connection Claude Code 2.1.332 makes).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ClaudeHome {
  readonly dir: string;
  /** Environment for the runner's agent: HOME, the scripted model as the Anthropic API. */
  readonly env: Record<string, string>;
  remove(): Promise<void>;
}

/** `modelUrl`: the scripted model's base URL, e.g. `http://127.0.0.1:40123/v1` (Claude adds `/v1/messages` itself). */
export async function createClaudeHome(options: { readonly modelUrl: string }): Promise<ClaudeHome> {
  const dir = await mkdtemp(join(tmpdir(), 'pilothouse-claude-home-'));
  return {
    dir,
    env: {
      HOME: dir,
      ANTHROPIC_BASE_URL: options.modelUrl.replace(/\/v1\/?$/, ''),
      ANTHROPIC_API_KEY: 'test',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_AUTOUPDATER: '1',
      DISABLE_TELEMETRY: '1',
      DISABLE_ERROR_REPORTING: '1',
      // Like the Codex home's request_max_retries = 0: a scripted error is final, not retried with backoff.
      CLAUDE_CODE_MAX_RETRIES: '0',
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
