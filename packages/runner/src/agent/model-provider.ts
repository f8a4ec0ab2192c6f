// Where each agent's model is: the base URL its requests go to, as the agent itself works it out
// (Codex: its config.toml, codex/provider.ts; Claude Code: its settings' env over the environment,
// claude/provider.ts; Gemini CLI: its auth type, settings and .env, gemini/provider.ts).
// Doctor probes it; the session names it when the model cannot be reached, and asks it itself
// for an agent that retries in silence.

import { claudeProvider } from '../claude/provider.js';
import { codexProvider } from '../codex/provider.js';
import { geminiProvider } from '../gemini/provider.js';
import type { AgentName } from './driver.js';

/** The agent's model base URL as it would use it in `cwd`; null when Pilothouse cannot tell (an ACP agent's own business). */
export function modelUrlOf(agent: AgentName, env: NodeJS.ProcessEnv, cwd: string): string | null {
  switch (agent) {
    case 'codex':
      return codexProvider(env).baseUrl || null;
    case 'claude':
      return claudeProvider(env, cwd).baseUrl;
    case 'gemini':
      return geminiProvider(env, cwd).baseUrl;
    case 'acp':
      return null;
    default: {
      const never: never = agent;
      return never;
    }
  }
}

/**
 * How long a turn of the agent may be quiet, waiting on its model, before the session asks the
 * model's URL itself (session/unreachable.ts); null for an agent that reports its own retries.
 * Gemini CLI 0.61.0 over ACP reports none (measured: a refused connection retried for minutes, not
 * a word on ACP, its stderr held back until it exits); Codex and Claude Code report theirs.
 */
export function modelProbeMsOf(agent: AgentName): number | null {
  switch (agent) {
    case 'gemini':
      return GEMINI_QUIET_MS;
    case 'codex':
    case 'claude':
    case 'acp':
      return null;
    default: {
      const never: never = agent;
      return never;
    }
  }
}

/** Gemini CLI streams a thought or a word within a second or two of a reachable model; 3 s quiet is worth one GET. */
const GEMINI_QUIET_MS = 3_000;
