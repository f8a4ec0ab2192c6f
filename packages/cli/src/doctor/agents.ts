// The other agents `pilothouse run --agent` can drive (Claude Code, Gemini CLI): found where `run`
// finds them, their version, and whether they can reach their model (a key in the environment or
// the agent's own sign-in on this machine). The agent `run` is set to use must pass; the others
// are reported and skipped when absent, with the command that installs them.

import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { AGENT_TITLES, AgentError, locateAgent, type AgentBinary, type AgentName } from '@pilothouse/runner';
import { fail, ok, skip, type CheckResult } from './result.js';

/** The agents checked here (Codex has its own check, with the sandbox). */
export const OTHER_AGENTS = ['claude', 'gemini'] as const;
export type OtherAgent = (typeof OTHER_AGENTS)[number];

export type LocateAgent = (name: AgentName, env: NodeJS.ProcessEnv) => Promise<AgentBinary>;

const INSTALL: Record<OtherAgent, string> = {
  claude: 'npm install -g @anthropic-ai/claude-code',
  gemini: 'npm install -g @google/gemini-cli',
};

export const SIGN_IN: Record<OtherAgent, string> = {
  claude: 'set ANTHROPIC_API_KEY, or sign in once with `claude` (it keeps its credentials in ~/.claude)',
  gemini: 'set GEMINI_API_KEY (or GOOGLE_API_KEY), or sign in once with `gemini` (it keeps its credentials in ~/.gemini)',
};

/** How the agent would reach its model, or null when nothing says it can. */
export function credentialOf(agent: OtherAgent, env: NodeJS.ProcessEnv, home = env.HOME ?? homedir()): string | null {
  switch (agent) {
    case 'claude': {
      if (env.ANTHROPIC_API_KEY) return 'ANTHROPIC_API_KEY is set';
      if (env.CLAUDE_CODE_OAUTH_TOKEN) return 'CLAUDE_CODE_OAUTH_TOKEN is set';
      const dir = env.CLAUDE_CONFIG_DIR ?? join(home, '.claude');
      if (existsSync(join(dir, '.credentials.json'))) return `signed in (${join(dir, '.credentials.json')})`;
      return null;
    }
    case 'gemini': {
      if (env.GEMINI_API_KEY) return 'GEMINI_API_KEY is set';
      if (env.GOOGLE_API_KEY) return 'GOOGLE_API_KEY is set';
      if (existsSync(join(home, '.gemini', 'oauth_creds.json'))) return `signed in (${join(home, '.gemini', 'oauth_creds.json')})`;
      return selectedAuth(join(home, '.gemini', 'settings.json'));
    }
    default: {
      const never: never = agent;
      return never;
    }
  }
}

/** Gemini's settings naming an auth type it brings itself (Vertex AI, Cloud Shell…), if any. */
function selectedAuth(settings: string): string | null {
  try {
    const parsed = JSON.parse(readFileSync(settings, 'utf8')) as { security?: { auth?: { selectedType?: unknown } } };
    const type = parsed.security?.auth?.selectedType;
    return typeof type === 'string' && type !== 'gemini-api-key' ? `auth ${type} (${settings})` : null;
  } catch {
    return null;
  }
}

/**
 * One line per agent: `ok claude: 2.1.332 at …, ANTHROPIC_API_KEY is set`. Missing: a failure for
 * the agent `run` uses (`required`), a skip naming the install command for the others.
 */
export async function checkAgent(agent: OtherAgent, deps: { env: NodeJS.ProcessEnv; required: boolean; locate?: LocateAgent }): Promise<CheckResult> {
  const title = AGENT_TITLES[agent];
  let binary: AgentBinary;
  try {
    binary = await (deps.locate ?? ((name, env) => locateAgent({ name }, env)))(agent, deps.env);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // The driver's messages end with their own fix; doctor prints the fix separately.
    const what = message.split(': ')[0] ?? message;
    if (err instanceof AgentError && (err as AgentError<string>).code.endsWith('_version_unsupported')) {
      return deps.required ? fail(agent, what, `${INSTALL[agent]} (to update it); run uses it (agent = "${agent}")`) : skip(agent, `${what}; to use it: ${INSTALL[agent]}`);
    }
    const detail = `${title} not found (${what})`;
    return deps.required ? fail(agent, detail, `${INSTALL[agent]}; run uses it (agent = "${agent}")`) : skip(agent, `${title} is not installed; to use it: ${INSTALL[agent]}`);
  }
  const credential = credentialOf(agent, deps.env);
  if (credential === null) {
    const detail = `${binary.version} at ${binary.path}, but no key or sign-in was found`;
    return deps.required ? fail(agent, detail, SIGN_IN[agent]) : skip(agent, `${detail}; to use it: ${SIGN_IN[agent]}`);
  }
  return ok(agent, `${binary.version} at ${binary.path}, ${credential}`);
}
