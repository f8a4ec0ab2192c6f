// The demo's own home for each agent, pointed at the scripted model, so the real agent runs offline
// with no login and no key, and never reads or writes the user's own configuration: Codex through
// CODEX_HOME (codex-home.ts); Claude Code and Gemini CLI through a scratch HOME of their own.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeDemoCodexHome } from './codex-home.js';

/** The agents the demo can show (an ACP agent needs its own command: not a demo). */
export const DEMO_AGENTS = ['codex', 'claude', 'gemini'] as const;
export type DemoAgent = (typeof DEMO_AGENTS)[number];

/** Gemini's default model `auto` adds a routing call to every turn; the demo names one. */
export const DEMO_GEMINI_MODEL = 'gemini-2.5-flash';

/** Credentials and endpoints of every agent, which the demo's agent must not see (it must not spend anyone's quota). */
const CREDENTIALS = ['OPENAI_API_KEY', 'CODEX_API_KEY', 'OPENAI_BASE_URL', 'ANTHROPIC_API_KEY', 'ANTHROPIC_BASE_URL', 'ANTHROPIC_AUTH_TOKEN', 'CLAUDE_CODE_OAUTH_TOKEN', 'GEMINI_API_KEY', 'GOOGLE_API_KEY', 'GOOGLE_GEMINI_BASE_URL', 'GOOGLE_APPLICATION_CREDENTIALS'];

function withoutCredentials(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const rest = { ...env };
  for (const name of CREDENTIALS) delete rest[name];
  return rest;
}

/** The scripted model's origin: the agents other than Codex add their own API paths. */
const origin = (modelUrl: string) => modelUrl.replace(/\/v1\/?$/, '');

/** Writes the agent's scratch configuration under `dir`; returns the environment the agent runs in. */
export function writeDemoAgentHome(agent: DemoAgent, dir: string, modelUrl: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  switch (agent) {
    case 'codex':
      return writeDemoCodexHome(dir, modelUrl, env);
    case 'claude':
      mkdirSync(dir, { recursive: true });
      return {
        ...withoutCredentials(env),
        HOME: dir,
        CLAUDE_CONFIG_DIR: join(dir, '.claude'),
        ANTHROPIC_BASE_URL: origin(modelUrl),
        ANTHROPIC_API_KEY: 'not-a-real-key',
        // Nothing but the model URL: no update checks, telemetry or error reports (AGENT-NOTES.md).
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
        DISABLE_AUTOUPDATER: '1',
        DISABLE_TELEMETRY: '1',
        DISABLE_ERROR_REPORTING: '1',
      };
    case 'gemini': {
      mkdirSync(join(dir, '.gemini'), { recursive: true });
      const settings = {
        security: { auth: { selectedType: 'gemini-api-key' } },
        privacy: { usageStatisticsEnabled: false },
        telemetry: { enabled: false },
        general: { enableAutoUpdate: false, enableAutoUpdateNotification: false },
      };
      writeFileSync(join(dir, '.gemini', 'settings.json'), JSON.stringify(settings, null, 2));
      return {
        ...withoutCredentials(env),
        HOME: dir,
        GOOGLE_GEMINI_BASE_URL: origin(modelUrl),
        GEMINI_API_KEY: 'not-a-real-key',
        GEMINI_CLI_TRUST_WORKSPACE: 'true',
        GEMINI_CLI_NO_RELAUNCH: 'true',
      };
    }
    default: {
      const never: never = agent;
      throw new Error(`no demo home for ${String(never)}`);
    }
  }
}

