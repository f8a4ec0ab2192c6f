// Transitions shared by every input: drain the queue into a turn, adopt the agent's turn id,
// interrupt, end a turn (flush, reconcile, close rows, reject approvals, final state), publish
// the working message's state when it changes, and advance the hub cursor.

import { assertNever } from '@pilothouse/protocol';
import type { MessageState } from '@pilothouse/protocol';
import type { RowData } from '../agent/vocabulary.js';
import { firstOf, take, type PendingApproval } from './approvals.js';
import { backgroundOf } from './background.js';
import { remember } from './bounded.js';
import { recordDecision, unanswered } from './decided.js';
import { decisionLog, log, setState } from './effects.js';
import { rebind } from './rebind.js';
import { streamConfig, type Ctx } from './state.js';
import { completeRow, finishTurn, flush } from './stream.js';
import { begin, completing, danglingStatus, finalState, IDLE, processingState, started, type TurnOutcome } from './turn.js';

/** Starts the next queued message when nothing runs, re-binding to its thread and asking for an agent thread first if needed. */
export function drain(ctx: Ctx): void {
  const { s, out } = ctx;
  // A foreign turn (the owner's TUI) runs: messages from the thread queue behind it.
  if (s.closed || s.turn.status !== 'idle' || s.foreign !== null) return;
  const next = s.queue[0];
  if (next === undefined) {
    if (s.lastBeatAt !== null) out.push({ type: 'runner_status', status: 'idle', thread_id: s.bound });
    s.lastBeatAt = null;
    return;
  }
  if (s.agent.status === 'starting') return;
  // An instruction from an older session thread: move there first (its agent thread is asked for).
  if (next.thread_id !== s.bound) return rebind(ctx, next);
  switch (s.agent.status) {
    case 'missing':
      out.push({
        type: 'start_thread',
        resume: s.agent.resume ? s.agent.previous : null,
        reason: s.agent.previous === null ? 'no agent thread yet' : s.agent.resume ? 'the agent restarted' : 'the agent thread was lost',
      });
      out.push(log('info', 'thread_starting', { previous: s.agent.previous, resume: s.agent.resume }));
      s.agent = { status: 'starting', previous: s.agent.previous };
      return;
    case 'ready': {
      s.queue = s.queue.slice(1);
      const turn = begin(next);
      s.turn = turn;
      // `processing` first: the shell starts the turn only once the hub has it (recovery.ts).
      published(ctx, processingState(turn, null));
      out.push(log('info', 'dequeue', { message_id: next.message_id, seq: next.seq, depth: s.queue.length, attempt: next.attempts + 1 }));
      if (s.lastBeatAt === null) out.push({ type: 'runner_status', status: 'working', thread_id: s.bound });
      s.lastBeatAt ??= ctx.now;
      out.push({ type: 'start_turn', threadId: s.agent.threadId, message_id: next.message_id, text: next.body });
      return;
    }
    default:
      return assertNever(s.agent, 'agent thread');
  }
}

/** The agent named the turn (its turn start answer or turn started): apply an interrupt asked meanwhile. */
export function adoptTurnId(ctx: Ctx, turnId: string, source: string): void {
  const t = ctx.s.turn;
  if (t.status === 'starting') {
    ctx.s.turn = started(t, turnId);
    ctx.out.push(log('info', 'turn_started', { turn_id: turnId, message_id: t.message.message_id, source }));
    sendInterrupt(ctx);
  } else if ((t.status === 'active' || t.status === 'completing') && t.turnId === turnId) {
    return;
  } else ctx.out.push(log('warn', 'turn_id_unexpected', { turn_id: turnId, source, turn: t.status }));
}

/** Marks the working message interrupted; sends the agent interrupt once the turn id is known. */
export function requestInterrupt(ctx: Ctx, by: string): boolean {
  const t = ctx.s.turn;
  if (t.status !== 'starting' && t.status !== 'active') return false;
  if (t.interrupt === null) ctx.s.turn = { ...t, interrupt: { by, sent: false } };
  sendInterrupt(ctx);
  return true;
}

/**
 * Sends the interrupt once. The turn's pending approvals are declined when the turn ends
 * (endTurn), not here: a decline racing the interrupt would let the agent finish the item as
 * `declined` or leave it dangling, at random. Until then nobody may resolve them.
 */
function sendInterrupt(ctx: Ctx): void {
  const { s } = ctx;
  const t = s.turn;
  if (t.status !== 'active' || t.interrupt === null || t.interrupt.sent || s.agent.status !== 'ready') return;
  s.turn = { ...t, interrupt: { ...t.interrupt, sent: true } };
  ctx.out.push({ type: 'interrupt', threadId: s.agent.threadId, turnId: t.turnId });
}

/** The turn `turnId` is being interrupted: its approvals are withdrawn. */
export function interrupting(ctx: Ctx, turnId: string): boolean {
  const t = ctx.s.turn;
  return t.status === 'active' && t.turnId === turnId && t.interrupt !== null;
}

/** The runner answers approvals nobody decided: with their reject choice, or their expiry choice. */
export function answerAll(ctx: Ctx, pending: readonly PendingApproval[], with_: 'onReject' | 'onExpire', reason: string): void {
  for (const p of pending) {
    ctx.out.push({ type: 'answer', requestId: p.requestId, choice: p[with_] });
    ctx.out.push(decisionLog('approval', 'runner', p.approval.request_id, with_ === 'onExpire' ? 'expired' : 'rejected', { choice: p[with_], reason }));
    recordDecision(ctx, p, unanswered(p, with_, reason));
  }
}

/** Rejects every pending approval, or those of one turn. */
export function rejectApprovals(ctx: Ctx, reason: string, turnId?: string): PendingApproval[] {
  const { approvals, taken } = take(ctx.s.approvals, (p) => turnId === undefined || p.turnId === turnId);
  ctx.s.approvals = approvals;
  answerAll(ctx, taken, 'onReject', reason);
  return taken;
}

export function finishedTurn(ctx: Ctx, turnId: string): void {
  ctx.s.finishedTurns = remember(ctx.s.finishedTurns, turnId, ctx.s.config.registryCap);
}

/** Closes a turn: flush, reconcile with the final items, close dangling rows, then the final state. */
export function endTurn(ctx: Ctx, turnId: string, outcome: TurnOutcome, finals: readonly RowData[]): void {
  const { s, out } = ctx;
  const t = s.turn;
  finishedTurn(ctx, turnId);
  if (t.status !== 'active' || t.turnId !== turnId) {
    out.push(log('warn', 'turn_end_unexpected', { turn_id: turnId, turn: t.status }));
    s.stream = finishTurn(s.stream, streamConfig(s), turnId, danglingStatus(outcome), out);
    return;
  }
  const closing = completing(t, outcome);
  s.turn = closing;
  reconcileTurnRows(ctx, turnId, outcome, finals);
  rejectApprovals(ctx, `turn ${outcome.status}`, turnId);
  // The rejections just went on the turn's record.
  const state = finalState(s.turn.status === 'completing' ? s.turn : closing, outcome);
  // The cursor passes the run's trigger before its final state can reach the hub: a restart never
  // finds a finished run's trigger in its replay (recovery.ts reads a replayed retry by the state).
  advanceAck(ctx, true);
  out.push(setState(t.message.message_id, state));
  out.push(log(outcome.status === 'failed' ? 'warn' : 'info', 'turn_completed', { turn_id: turnId, message_id: t.message.message_id, status: outcome.status, reason: state.reason }));
  s.turn = IDLE;
  drain(ctx);
}

/** The working message's processing state, published only when it changes. */
export function publish(ctx: Ctx): void {
  const t = ctx.s.turn;
  if (t.status !== 'starting' && t.status !== 'active') return;
  const approval = t.status === 'active' ? (firstOf(ctx.s.approvals, t.turnId)?.approval ?? null) : null;
  published(ctx, processingState(t, approval));
}

function published(ctx: Ctx, state: MessageState): void {
  const t = ctx.s.turn;
  if (t.status !== 'starting' && t.status !== 'active') return;
  const key = JSON.stringify(state);
  if (key === t.published) return;
  ctx.s.turn = { ...t, published: key };
  ctx.out.push(setState(t.message.message_id, state));
}

/** Every hub event below the oldest message still queued or running is done: move the cursor. */
export function advanceAck(ctx: Ctx, durable = false): void {
  const { s } = ctx;
  let mark = s.lastSeq;
  if (s.turn.status === 'starting' || s.turn.status === 'active') mark = Math.min(mark, s.turn.message.trigger - 1);
  const head = s.queue[0];
  if (head !== undefined) mark = Math.min(mark, head.trigger - 1);
  if (mark <= s.ackedSeq) return;
  s.ackedSeq = mark;
  ctx.out.push(durable ? { type: 'ack', seq: mark, durable } : { type: 'ack', seq: mark });
}

/** End of a turn's rows: flush what is pending, reconcile with the agent's final items, close the rest. */
export function reconcileTurnRows(ctx: Ctx, turnId: string, outcome: TurnOutcome, finals: readonly RowData[]): void {
  const { s, out } = ctx;
  s.stream = flush(s.stream, out);
  s.lastFlushAt = ctx.now;
  for (const row of finals) s.stream = completeRow(s.stream, streamConfig(s), { ...row, turnId }, out);
  // A command still listening on a port runs on in the background (background.ts).
  s.stream = finishTurn(s.stream, streamConfig(s), turnId, danglingStatus(outcome), out, backgroundOf(s.previews?.listeners ?? []));
}
