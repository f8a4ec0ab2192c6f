// Who a runner row speaks for: the agent and the runner ("Codex · alice's runner on vm"), never
// the runner's user as if they wrote it. Read from the session root row's meta (agent, host:
// SessionRowMeta) and the runner's presence (its user, agent and name), whichever is known.

import { agentDisplayName, SessionRowMeta, type Message, type RunnerPresence } from '@pilothouse/protocol';

/** The agents the page draws a mark of their own for; any other (an ACP agent) gets the generic one. */
export type AgentKind = 'codex' | 'claude' | 'gemini' | 'other';

export function agentKind(agent: string): AgentKind {
  const id = agent.toLowerCase();
  return id === 'codex' || id === 'claude' || id === 'gemini' ? id : 'other';
}

export interface AgentIdentity {
  /** "Codex" */
  readonly agent: string;
  /** Which mark to draw. */
  readonly kind: AgentKind;
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
  const id = meta.agent ?? presence?.agent.name ?? 'Agent';
  const agent = agentDisplayName(id);
  return { agent, kind: agentKind(id), runner: `${user}'s runner${host ? ` on ${host}` : ''}` };
}

/** "Codex · alice's runner on vm" */
export const signature = (id: AgentIdentity): string => `${id.agent} · ${id.runner}`;
