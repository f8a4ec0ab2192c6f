// Where each agent's model is: the base URL its requests go to, as the agent itself works it out
// (Codex: its config.toml; Claude Code: ANTHROPIC_BASE_URL; Gemini CLI: GOOGLE_GEMINI_BASE_URL).
// Doctor probes it; the session names it when the model cannot be reached.

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
