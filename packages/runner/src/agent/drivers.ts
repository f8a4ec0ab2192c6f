// Which driver runs which agent: the one place `--agent` is turned into a binary to check and a
// driver to start. Each agent's own code lives in its folder (codex/, claude/, acp/ with gemini/).

import { AcpDriver } from '../acp/driver.js';
import { acpLaunch, acpSettings, locateAcp } from '../acp/locate.js';
import { ClaudeDriver } from '../claude/driver.js';
import { locateClaude } from '../claude/locate.js';
import { claudeRefusal } from '../claude/runtime-options.js';
import { CodexDriver } from '../codex/driver.js';
import { locateCodex } from '../codex/locate.js';
import { codexRefusal } from '../codex/runtime-options.js';
import { geminiLaunch } from '../gemini/launch.js';
import { locateGemini } from '../gemini/locate.js';
import { geminiRefusal, geminiSettings } from '../gemini/runtime-options.js';
import type { AgentBinary, AgentDriver, AgentDriverOptions, AgentName } from './driver.js';
import { AgentError } from './errors.js';
import type { RuntimeOptions } from './runtime-options.js';

/** What `pilothouse run` was asked to drive. */
export interface AgentChoice {
  readonly name: AgentName;
  /** An explicit binary (`PILOTHOUSE_CODEX_BIN` and friends otherwise). */
  readonly bin?: string | undefined;
  /** `--agent acp -- CMD [ARGS…]`: the ACP agent's command line. */
  readonly command?: readonly string[] | undefined;
}

/** Agent options that only some agents have (refused for the others by the caller). */
export interface DriverExtras {
  /** Codex with the owner's TUI: the private Unix socket both clients join. */
  readonly socketPath?: string | null;
  /** Codex with the owner's TUI: a name for new threads. */
  readonly threadName?: string | null;
  /** The session cannot outlive the agent process (the TUI): called instead of feeding `agent_exited`. */
  readonly onLost?: (() => void) | null;
}

/** The display name of each agent, for messages. */
export const AGENT_TITLES: Readonly<Record<AgentName, string>> = { codex: 'Codex', claude: 'Claude Code', gemini: 'Gemini CLI', acp: 'the ACP agent' };

/** What people call the running agent: its title, or an ACP agent's own name. */
export const agentTitle = (choice: AgentChoice, binary: AgentBinary): string => (choice.name === 'acp' ? binary.name : AGENT_TITLES[choice.name]);

/** Finds the agent's binary and checks its version before anything starts; a missing one is an AgentError naming the fix. */
export async function locateAgent(choice: AgentChoice, env: NodeJS.ProcessEnv): Promise<AgentBinary> {
  switch (choice.name) {
    case 'codex': {
      const found = await locateCodex({ ...(choice.bin ? { bin: choice.bin } : {}), env });
      return { name: 'codex', ...found };
    }
    case 'claude':
      return { name: 'claude', ...(await locateClaude({ bin: choice.bin, env })) };
    case 'gemini':
      return { name: 'gemini', ...(await locateGemini({ bin: choice.bin, env })) };
    case 'acp':
      return locateAcp(choice.command, env);
    default: {
      const never: never = choice.name;
      throw new AgentError('agent_unsupported', `Unknown agent ${String(never)}.`);
    }
  }
}

/**
 * Why the agent cannot run with these runtime options (those its agent cannot honour are refused
 * before anything starts, never dropped), or null.
 */
export function refusedRuntime(choice: AgentChoice, binary: AgentBinary, runtime: RuntimeOptions): string | null {
  switch (choice.name) {
    case 'codex':
      return codexRefusal(runtime);
    case 'claude':
      return claudeRefusal(runtime);
    case 'gemini':
      return geminiRefusal(runtime);
    case 'acp':
      return acpSettings(runtime, binary.name).refusal;
    default: {
      const never: never = choice.name;
      throw new AgentError('agent_unsupported', `Unknown agent ${String(never)}.`);
    }
  }
}

/** The driver for a located agent (spawned lazily on its first thread). */
export function createDriver(choice: AgentChoice, binary: AgentBinary, options: AgentDriverOptions, extras: DriverExtras = {}): AgentDriver {
  switch (choice.name) {
    case 'codex':
      return new CodexDriver({ ...options, binary, socketPath: extras.socketPath ?? null, threadName: extras.threadName ?? null, onLost: extras.onLost ?? null });
    case 'claude':
      return new ClaudeDriver({ ...options, binary });
    case 'gemini':
      return new AcpDriver({ ...options, binary, launch: geminiLaunch(binary, options.runtime, options.env), settings: geminiSettings(options.runtime) });
    case 'acp':
      return new AcpDriver({ ...options, binary, launch: acpLaunch(choice.command ?? [binary.path], binary.path, options.env), settings: acpSettings(options.runtime, binary.name) });
    default: {
      const never: never = choice.name;
      throw new AgentError('agent_unsupported', `Unknown agent ${String(never)}.`);
    }
  }
}
