// Transitions shared by every input: drain the queue into a turn, adopt the Codex turn id,
// interrupt, end a turn (flush, reconcile, close rows, reject approvals, final state), publish
// the working message's state when it changes, and advance the hub cursor.

import type { MessageState } from '@pilothouse/protocol';
import type { ThreadItem } from '../codex/generated/v2/index.js';
import type { PendingApproval } from './approvals.js';
import { assertNever, log, setState } from './effects.js';
import { buildRow } from './items.js';
import type { Ctx } from './state.js';
import { begin, completing, danglingStatus, finalState, IDLE, processingState, started, type TurnOutcome } from './turn.js';

/** Starts the next queued message when nothing runs, asking for a Codex thread first if needed. */
export function drain(ctx: Ctx): void {
  const { s, out } = ctx;
  // A foreign turn (the owner's TUI) runs: messages from the thread queue behind it.
  if (s.closed || s.turn.status !== 'idle' || s.foreign !== null) return;
  const next = s.queue.peek();
  if (next === undefined) {
    if (s.lastBeatAt !== null) out.push({ type: 'runner_status', status: 'idle' });
    s.lastBeatAt = null;
    return;
  }
  switch (s.codex.status) {
    case 'starting':
      return;
    case 'missing':
      out.push({
        type: 'start_thread',
        resume: s.codex.resume ? s.codex.previous : null,
        reason: s.codex.previous === null ? 'no Codex thread yet' : s.codex.resume ? 'Codex restarted' : 'the Codex thread was lost',
      });
      out.push(log('info', 'thread_starting', { previous: s.codex.previous, resume: s.codex.resume }));
      s.codex = { status: 'starting', previous: s.codex.previous };
      return;
    case 'ready': {
      s.queue.dequeue();
      const turn = begin(next);
      s.turn = turn;
      // `processing` first: the shell starts the turn only once the hub has it (recovery.ts).
      published(ctx, processingState(turn, null));
      out.push(log('info', 'dequeue', { message_id: next.message_id, seq: next.seq, depth: s.queue.size, attempt: next.attempts + 1 }));
      if (s.lastBeatAt === null) out.push({ type: 'runner_status', status: 'working' });
      s.lastBeatAt ??= ctx.now;
      out.push({ type: 'codex_turn_start', threadId: s.codex.threadId, message_id: next.message_id, text: next.body });
      return;
    }
    default:
      return assertNever(s.codex, 'codex thread');
  }
}

/** Codex named the turn (turn/start response or turn/started): apply an interrupt asked meanwhile. */
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

/** Marks the working message interrupted; sends the Codex interrupt once the turn id is known. */
export function requestInterrupt(ctx: Ctx, by: string): boolean {
  const t = ctx.s.turn;
  if (t.status !== 'starting' && t.status !== 'active') return false;
  if (t.interrupt === null) ctx.s.turn = { ...t, interrupt: { by, sent: false } };
  sendInterrupt(ctx);
  return true;
}

/**
 * Sends turn/interrupt once. The turn's pending approvals are declined when the turn ends
 * (endTurn), not here: a decline racing the interrupt would let Codex finish the item as
 * `declined` or leave it dangling, at random. Until then nobody may resolve them.
 */
function sendInterrupt(ctx: Ctx): void {
  const { s } = ctx;
  const t = s.turn;
  if (t.status !== 'active' || t.interrupt === null || t.interrupt.sent || s.codex.status !== 'ready') return;
  s.turn = { ...t, interrupt: { ...t.interrupt, sent: true } };
  ctx.out.push({ type: 'codex_interrupt', threadId: s.codex.threadId, turnId: t.turnId });
}

/** The turn `turnId` is being interrupted: its approvals are withdrawn. */
export function interrupting(ctx: Ctx, turnId: string): boolean {
  const t = ctx.s.turn;
  return t.status === 'active' && t.turnId === turnId && t.interrupt !== null;
}

export function answerAll(ctx: Ctx, pending: readonly PendingApproval[], with_: 'onReject' | 'onExpire', reason: string): void {
  for (const p of pending) {
    ctx.out.push({ type: 'codex_answer', requestId: p.codexId, answer: p[with_] });
    ctx.out.push(log('info', 'approval_resolved', { request_id: p.approval.request_id, decision: p[with_].result, by: 'runner', reason }));
  }
}

/** Closes a turn: flush, reconcile with the final items, close dangling rows, then the final state. */
export function endTurn(ctx: Ctx, turnId: string, outcome: TurnOutcome, finals: readonly ThreadItem[]): void {
  const { s, out } = ctx;
  const t = s.turn;
  s.finishedTurns.set(turnId, true);
  if (t.status !== 'active' || t.turnId !== turnId) {
    out.push(log('warn', 'turn_end_unexpected', { turn_id: turnId, turn: t.status }));
    out.push(...s.stream.finishTurn(turnId, danglingStatus(outcome)));
    return;
  }
  const closing = completing(t, outcome);
  s.turn = closing;
  reconcileTurnRows(ctx, turnId, outcome, finals);
  answerAll(ctx, s.approvals.rejectAll(turnId), 'onReject', `turn ${outcome.status}`);
  const state = finalState(closing, outcome);
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
  const approval = t.status === 'active' ? (ctx.s.approvals.first(t.turnId)?.approval ?? null) : null;
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
  const head = s.queue.peek();
  if (head !== undefined) mark = Math.min(mark, head.trigger - 1);
  if (mark <= s.ackedSeq) return;
  s.ackedSeq = mark;
  ctx.out.push(durable ? { type: 'ack', seq: mark, durable } : { type: 'ack', seq: mark });
}

/** End of a turn's rows: flush what is pending, reconcile with Codex's final items, close the rest. */
export function reconcileTurnRows(ctx: Ctx, turnId: string, outcome: TurnOutcome, finals: readonly ThreadItem[]): void {
  const { s, out } = ctx;
  out.push(...s.stream.flush());
  s.lastFlushAt = ctx.now;
  for (const item of finals) {
    const spec = buildRow(turnId, item, 'completed');
    if (spec !== null) out.push(...s.stream.complete(spec));
  }
  out.push(...s.stream.finishTurn(turnId, danglingStatus(outcome)));
}
