// The other agents `pilothouse run --agent` can drive (Claude Code, Gemini CLI): found where `run`
// finds them, their version, and whether they can reach their model (a key or sign-in where the
// agent itself looks: the environment, its settings and .env files, its own sign-in). The agent
// `run` is set to use must pass; the others are reported and skipped when absent, with the command
// that installs them.

import { AGENT_TITLES, AgentError, claudeProvider, geminiProvider, locateAgent, type AgentBinary, type AgentName } from '@pilothouse/runner';
import { fail, ok, skip, type CheckResult } from './result.js';

/** The agents checked here (Codex has its own check, with the sandbox). */
export const OTHER_AGENTS = ['claude', 'gemini'] as const;
export type OtherAgent = (typeof OTHER_AGENTS)[number];

export type LocateAgent = (name: AgentName, env: NodeJS.ProcessEnv) => Promise<AgentBinary>;

const INSTALL: Record<OtherAgent, string> = {
  claude: 'npm install -g @anthropic-ai/claude-code',
  gemini: 'npm install -g @google/gemini-cli',
};

/**
 * How the agent would reach its model in `cwd` (the runner's claude/provider.ts and
 * gemini/provider.ts, which read the agent's settings as it does), and how to give it a way when
 * it has none.
 */
export function credentialOf(agent: OtherAgent, env: NodeJS.ProcessEnv, cwd: string): { readonly credential: string | null; readonly fix: string } {
  switch (agent) {
    case 'claude':
      return { credential: claudeProvider(env, cwd).credential, fix: 'set ANTHROPIC_API_KEY (or ANTHROPIC_AUTH_TOKEN for a gateway), or sign in once with `claude` (it keeps its credentials in ~/.claude)' };
    case 'gemini': {
      const p = geminiProvider(env, cwd);
      return { credential: p.credential, fix: p.fix };
    }
    default: {
      const never: never = agent;
      return never;
    }
  }
}

/**
 * One line per agent: `ok claude: 2.1.332 at …, ANTHROPIC_API_KEY is set`. Missing: a failure for
 * the agent `run` uses (`required`), a skip naming the install command for the others.
 */
export async function checkAgent(agent: OtherAgent, deps: { env: NodeJS.ProcessEnv; cwd: string; required: boolean; locate?: LocateAgent }): Promise<CheckResult> {
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
  const { credential, fix } = credentialOf(agent, deps.env, deps.cwd);
  if (credential === null) {
    const detail = `${binary.version} at ${binary.path}, but no key or sign-in was found`;
    return deps.required ? fail(agent, detail, fix) : skip(agent, `${detail}; to use it: ${fix}`);
  }
  return ok(agent, `${binary.version} at ${binary.path}, ${credential}`);
}
