// Where each agent's model is: the base URL its requests go to, as the agent itself works it out
// (Codex: its config.toml; Claude Code: ANTHROPIC_BASE_URL; Gemini CLI: GOOGLE_GEMINI_BASE_URL).
// Doctor probes it; the session names it when the model cannot be reached, and asks it itself
// for an agent that retries in silence.

import { codexProvider } from '../codex/provider.js';
import type { AgentName } from './driver.js';

export const ANTHROPIC_BASE_URL = 'https://api.anthropic.com';
export const GEMINI_BASE_URL = 'https://generativelanguage.googleapis.com';

/** The agent's model base URL; null when Pilothouse cannot tell (an ACP agent's own business). */
export function modelUrlOf(agent: AgentName, env: NodeJS.ProcessEnv): string | null {
  switch (agent) {
    case 'codex':
      return codexProvider(env).baseUrl || null;
    case 'claude':
      return env.ANTHROPIC_BASE_URL || ANTHROPIC_BASE_URL;
    case 'gemini':
      return env.GOOGLE_GEMINI_BASE_URL || GEMINI_BASE_URL;
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
