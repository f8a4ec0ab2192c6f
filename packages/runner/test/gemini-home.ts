// Scratch HOME for Gemini CLI in tests: ~/.gemini/settings.json with API key auth and nothing sent
// elsewhere (no telemetry, usage statistics or update checks), and the environment that points it
// at a scripted model's Gemini endpoint (AGENT-NOTES: GOOGLE_GEMINI_BASE_URL takes http for localhost).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fixed model: the default `auto` adds a routing call to every turn. */
export const GEMINI_TEST_MODEL = 'gemini-2.5-flash';

export interface GeminiHome {
  readonly dir: string;
  /** Environment for the runner's agent: HOME, the base URL and key, a trusted workspace, no relaunch. */
  readonly env: Record<string, string>;
  remove(): Promise<void>;
}

const SETTINGS = {
  security: { auth: { selectedType: 'gemini-api-key' } },
  privacy: { usageStatisticsEnabled: false },
  telemetry: { enabled: false },
  general: { enableAutoUpdate: false, enableAutoUpdateNotification: false },
};

/** `modelUrl`: the scripted model's base URL (its `/v1` suffix is dropped: Gemini CLI adds its own path). */
export async function createGeminiHome(options: { readonly modelUrl: string }): Promise<GeminiHome> {
  const dir = await mkdtemp(join(tmpdir(), 'pilothouse-gemini-home-'));
  await mkdir(join(dir, '.gemini'));
  await writeFile(join(dir, '.gemini', 'settings.json'), JSON.stringify(SETTINGS, null, 2));
  return {
    dir,
    env: {
      HOME: dir,
      GOOGLE_GEMINI_BASE_URL: options.modelUrl.replace(/\/v1$/, ''),
      GEMINI_API_KEY: 'test',
      GEMINI_CLI_TRUST_WORKSPACE: 'true',
      GEMINI_CLI_NO_RELAUNCH: 'true',
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
