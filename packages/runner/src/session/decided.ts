// Decisions on the record: when a pending approval closes (a person chose, it expired, the agent
// withdrew it, its turn ended), what happened is kept on its turn's message state
// (`MessageState.decided`, docs/protocol.md §7) so the prompt leaves a trace where it was; and a
// command row says it awaits approval while its prompt is open (CommandRowMeta `activity`).

import { MAX_DECISIONS, type Actor, type ApprovalDecision, type DecisionOutcome, type DecisionVia } from '@pilothouse/protocol';
import type { PendingApproval } from './approvals.js';
import type { Ctx } from './state.js';
import { setActivity } from './stream.js';

const SUMMARY_MAX = 2000;
const REASON_MAX = 500;
const clip = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

export interface Closing {
  readonly outcome: DecisionOutcome;
  /** The choice the agent was given (null: none, e.g. the agent withdrew the request). */
  readonly choice: string | null;
  readonly by: Actor | null;
  readonly via: DecisionVia;
  readonly reason: string | null;
}

/** The record of one decision, stamped with the input's time. */
export function decision(p: PendingApproval, closing: Closing, now: number): ApprovalDecision {
  const label = closing.choice === null ? null : (p.approval.choices.find((c) => c.id === closing.choice)?.label ?? null);
  return {
    request_id: p.approval.request_id,
    kind: p.approval.kind,
    summary: clip(p.approval.summary, SUMMARY_MAX),
    outcome: closing.outcome,
    choice: closing.choice,
    label,
    by: closing.by === null ? null : { user_id: closing.by.user_id, name: closing.by.name },
    via: closing.via,
    at: new Date(now).toISOString(),
    reason: closing.reason === null ? null : clip(closing.reason, REASON_MAX),
  };
}

/** A person chose `choice` through a control. */
export const chosen = (p: PendingApproval, choice: string, by: Actor, via: DecisionVia = 'control'): Closing => ({ outcome: p.outcomes[choice] ?? 'approved', choice, by, via, reason: null });

/** Nobody decided: the runner answered with the reject or expiry choice. */
export const unanswered = (p: PendingApproval, with_: 'onReject' | 'onExpire', reason: string): Closing => ({
  outcome: with_ === 'onExpire' ? 'expired' : 'withdrawn',
  choice: p[with_],
  by: null,
  via: 'runner',
  reason,
});

/** The approval closed: the decision goes on its turn's record, and its command row runs on (or closes) without "awaiting approval". */
export function recordDecision(ctx: Ctx, p: PendingApproval, closing: Closing): void {
  const { s } = ctx;
  s.stream = setActivity(s.stream, p.itemKey, null, ctx.out);
  const t = s.turn;
  if ((t.status !== 'active' && t.status !== 'completing') || t.turnId !== p.turnId) return;
  s.turn = { ...t, decided: [...t.decided, decision(p, closing, ctx.now)].slice(-MAX_DECISIONS) };
}

/** A prompt is open for the item of `p`: a command row says it awaits approval. */
export function awaitingApproval(ctx: Ctx, p: PendingApproval): void {
  if (p.approval.kind === 'command') ctx.s.stream = setActivity(ctx.s.stream, p.itemKey, 'awaiting_approval', ctx.out);
}
