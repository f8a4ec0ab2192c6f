// `--agent acp -- CMD [ARGS…]`: the command found (a path, else on PATH), and the agent's own
// name and version read from its `initialize` answer (agentInfo) by starting it once. It takes no
// runtime options from Pilothouse: its own flags go after `--`.

import { tmpdir } from 'node:os';
import type { AgentBinary } from '../agent/driver.js';
import type { RuntimeOptions } from '../agent/runtime-options.js';
import { startAcpAgent, type AcpLaunch } from './agent.js';
import type { SessionSettings } from './driver.js';
import { AcpError } from './errors.js';
import { which } from './which.js';

export function acpLaunch(command: readonly string[], path: string, env: NodeJS.ProcessEnv): AcpLaunch {
  return { bin: path, args: command.slice(1), env, title: command[0] ?? 'the ACP agent' };
}

/** The agent behind `command`, named as it names itself. */
export async function locateAcp(command: readonly string[] | undefined, env: NodeJS.ProcessEnv): Promise<AgentBinary> {
  const first = command?.[0];
  if (command === undefined || first === undefined) throw new AcpError('acp_missing', 'Name the ACP agent to run: pilothouse run --agent acp -- CMD [ARGS…].');
  const path = which(first, env);
  if (path === null) throw new AcpError('acp_missing', `${first} was not found (nor on PATH); give the ACP agent's command after \`--\`, e.g. --agent acp -- gemini --acp.`);
  const refuse = () => undefined;
  const agent = await startAcpAgent(acpLaunch(command, path, env), tmpdir(), { onNotification: refuse, onRequest: refuse, onProtocolError: refuse });
  await agent.close();
  const info = agent.info.agentInfo;
  return { name: info?.name ?? first, version: info?.version ?? 'unknown', path };
}

export function acpSettings(opts: RuntimeOptions, name: string): SessionSettings {
  const given = Object.entries(opts)
    .filter(([, v]) => v !== undefined && v !== false)
    .map(([k]) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
  return {
    refusal: given.length === 0 ? null : `${name} (an ACP agent) cannot take ${given.join(', ')} from Pilothouse; pass its own flags after \`--\` instead.`,
    mode: () => null,
    policy: {},
  };
}
