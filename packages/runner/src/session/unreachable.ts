// A turn whose model never answers: agents retry a refused connection for minutes (Codex 0.169.0
// without end, "Reconnecting... waiting for network"), and the message would sit at "reconnecting"
// all that time. After `unreachableMs` with nothing answering, the session stops the turn (the
// agent's own interrupt) and the message fails with the agent's reason. A model that answers,
// even with an error, never starts this clock; output flowing again stops it (agent-events.ts).
//
// Gemini CLI 0.61.0 over ACP says nothing at all while it retries (ten attempts, 5 s doubling to
// 30 s: minutes, its turn at "starting turn"). For such an agent (`modelProbeMs`) the session asks
// the model's URL itself once the turn has been quiet that long while it waits on its model, and
// again each `modelProbeMs` while the quiet lasts: no HTTP answer is the trouble the agent would
// have reported, and starts the same clock; an answer stops it.

import type { AgentInput, RowKind } from '../agent/vocabulary.js';
import type { ModelProbeResult } from '../agent/model-probe.js';
import { firstOf } from './approvals.js';
import type { SessionState, Ctx } from './state.js';
import { log } from './effects.js';

/** The shell's answer to `probe_model`. */
export interface ModelProbed {
  readonly type: 'model_probed';
  readonly now: number;
  readonly turnId: string;
  readonly result: ModelProbeResult;
}

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

/** Rows of a tool at work: while one is open the quiet is the tool's, not the model's. */
const TOOL_ROWS: ReadonlySet<RowKind> = new Set(['command', 'file_change', 'web_search', 'terminal_input']);

/** When the shell should ask the model's URL next; null when the session does not probe now. */
export function probeDeadline(state: Pick<SessionState, 'turn' | 'config' | 'approvals' | 'stream'>): number | null {
  const { modelProbeMs, modelUrl } = state.config;
  const t = state.turn;
  if (modelProbeMs === null || modelUrl === null || t.status !== 'active' || t.quietSince === null || t.probeSince !== null) return null;
  // Given up, or stopped by a person: the turn ends either way.
  if (t.gaveUp !== null || t.interrupt !== null) return null;
  // Waiting on a person, or on a tool: not on the model.
  if (firstOf(state.approvals, t.turnId) !== undefined) return null;
  if (state.stream.entries.some(([, e]) => e.turnId === t.turnId && !e.done && TOOL_ROWS.has(e.kind))) return null;
  return t.quietSince + modelProbeMs;
}

/** On a tick: quiet long enough, the shell is asked whether anything answers at the model's URL. */
export function probeIfQuiet(ctx: Ctx): void {
  const { s } = ctx;
  const t = s.turn;
  const due = probeDeadline(s);
  if (t.status !== 'active' || due === null || ctx.now < due || s.config.modelUrl === null) return;
  s.turn = { ...t, probeSince: ctx.now };
  ctx.out.push({ type: 'probe_model', turnId: t.turnId, url: s.config.modelUrl });
}

/** Anything the agent says about the running turn (but trouble, which is not a word from the model) ends its quiet. */
export function noteHeard(ctx: Ctx, input: AgentInput): void {
  const t = ctx.s.turn;
  if (t.status !== 'active' || input.type === 'agent_trouble' || !('turnId' in input) || input.turnId !== t.turnId) return;
  ctx.s.turn = { ...t, quietSince: ctx.now };
}

/** The probe's answer: none starts (or keeps) the unreachable clock with what went wrong; any HTTP answer stops it. */
export function onModelProbed(ctx: Ctx, input: ModelProbed): void {
  const t = ctx.s.turn;
  if (t.status !== 'active' || t.turnId !== input.turnId || t.probeSince === null) {
    ctx.out.push(log('debug', 'model_probe_late', { turn_id: input.turnId }));
    return;
  }
  // The agent spoke since the probe went out: its answer is old news (and the quiet starts over).
  if (t.quietSince !== null && t.quietSince > t.probeSince) {
    ctx.s.turn = { ...t, probeSince: null };
    return;
  }
  const quiet = { ...t, probeSince: null, quietSince: ctx.now };
  const { result } = input;
  if (result.answered) {
    // The agent gets through on its next attempt: no trouble of ours stands, the clock stops.
    ctx.s.turn = t.unreachableSince === null ? quiet : { ...quiet, trouble: null, unreachableSince: null };
    ctx.out.push(log('debug', 'model_probe_answered', { turn_id: t.turnId, http_status: result.httpStatus, model_url: ctx.s.config.modelUrl }));
    return;
  }
  // The first failure is news (attempts counted per turn, as reported trouble is); later ones keep it.
  const attempt = t.unreachableSince === null ? (t.trouble?.attempt ?? 0) + 1 : (t.trouble?.attempt ?? 1);
  ctx.s.turn = { ...quiet, trouble: { kind: 'reconnecting', attempt, message: result.problem.slice(0, 2000), http_status: null }, unreachableSince: t.unreachableSince ?? ctx.now };
  ctx.out.push(log('warn', 'model_probe_unanswered', { turn_id: t.turnId, problem: result.problem, model_url: ctx.s.config.modelUrl, since: t.unreachableSince ?? ctx.now }));
}
