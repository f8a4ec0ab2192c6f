// How Gemini CLI is started for a session: `gemini --acp [-m MODEL]` with the user's environment
// and GEMINI_CLI_NO_RELAUNCH=true (else it re-spawns itself: a second process, slower start). The
// session marker is added by the ACP driver.

import type { AgentBinary } from '../agent/driver.js';
import type { RuntimeOptions } from '../agent/runtime-options.js';
import type { AcpLaunch } from '../acp/agent.js';
import { command } from './locate.js';

export function geminiLaunch(binary: AgentBinary, opts: RuntimeOptions, env: NodeJS.ProcessEnv): AcpLaunch {
  const { bin, args } = command(binary.path);
  return {
    bin,
    args: [...args, '--acp', ...(opts.model !== undefined ? ['-m', opts.model] : [])],
    env: { ...env, GEMINI_CLI_NO_RELAUNCH: 'true' },
    title: 'Gemini CLI',
    signIn: 'set GEMINI_API_KEY (or GOOGLE_API_KEY), or sign in once with `gemini`',
  };
}
