// Who a runner row speaks for: the agent and the runner ("Codex · alice's runner on vm"), never
// the runner's user as if they wrote it. Read from the session root row's meta (agent, host:
// SessionRowMeta) and the runner's presence (its user, agent and name), whichever is known.

import { agentDisplayName, SessionRowMeta, type Message, type RunnerPresence } from '@pilothouse/protocol';

export interface AgentIdentity {
  /** "Codex" */
  readonly agent: string;
  /** "alice's runner on vm" */
  readonly runner: string;
}

function sessionMeta(root: Message | undefined, runnerId: string): SessionRowMeta {
  if (root?.kind !== 'session' || root.runner_id !== runnerId) return {};
  const parsed = SessionRowMeta.safeParse(root.meta ?? {});
  return parsed.success ? parsed.data : {};
}

export function agentIdentity(message: Pick<Message, 'runner_id' | 'author'>, runners: Readonly<Record<string, RunnerPresence>>, root: Message | undefined): AgentIdentity | null {
  const runnerId = message.runner_id;
  if (runnerId === null) return null;
  const presence = runners[runnerId];
  const meta = sessionMeta(root, runnerId);
  const user = presence?.user.name ?? message.author.name;
  const host = meta.host ?? presence?.name;
  const agent = agentDisplayName(meta.agent ?? presence?.agent.name ?? 'Agent');
  return { agent, runner: `${user}'s runner${host ? ` on ${host}` : ''}` };
}

/** "Codex · alice's runner on vm" */
export const signature = (id: AgentIdentity): string => `${id.agent} · ${id.runner}`;
