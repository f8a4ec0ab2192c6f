// A turn whose model never answers: agents retry a refused connection for minutes (Codex 0.169.0
// without end, "Reconnecting... waiting for network"), and the message would sit at "reconnecting"
// all that time. After `unreachableMs` with nothing answering, the session stops the turn (the
// agent's own interrupt) and the message fails with the agent's reason. A model that answers,
// even with an error, never starts this clock; output flowing again stops it (agent-events.ts).

import type { SessionState, Ctx } from './state.js';
import { log } from './effects.js';

/** When the running turn is given up for an unreachable model; null when no such clock runs. */
export function unreachableDeadline(state: Pick<SessionState, 'turn' | 'config'>): number | null {
  const t = state.turn;
  if (t.status !== 'active' || t.unreachableSince === null || t.gaveUp !== null) return null;
  return t.unreachableSince + state.config.unreachableMs;
}

/** The failure reason: who, where, for how long, and what the agent said. */
export function unreachableReason(config: SessionState['config'], message: string): string {
  const where = config.modelUrl === null ? 'its model' : `its model at ${config.modelUrl}`;
  return `${config.agentTitle} cannot reach ${where}: ${message} (no answer for ${Math.round(config.unreachableMs / 1000)} s; the turn was stopped)`;
}

/** On a tick: past the deadline, the turn is stopped and will fail with the agent's reason. */
export function giveUpIfUnreachable(ctx: Ctx): void {
  const { s } = ctx;
  const t = s.turn;
  const due = unreachableDeadline(s);
  if (t.status !== 'active' || due === null || ctx.now < due) return;
  const reason = unreachableReason(s.config, t.trouble?.message ?? 'no answer');
  s.turn = { ...t, gaveUp: reason };
  ctx.out.push(log('warn', 'model_unreachable', { turn_id: t.turnId, message_id: t.message.message_id, since: t.unreachableSince, model_url: s.config.modelUrl }));
  // A person's interrupt already on its way ends the turn the same way.
  if (s.agent.status === 'ready' && (t.interrupt === null || !t.interrupt.sent)) ctx.out.push({ type: 'interrupt', threadId: s.agent.threadId, turnId: t.turnId });
}
