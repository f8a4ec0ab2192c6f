// What the agent tells the session (agent/vocabulary.ts), one handler per input type: turns,
// items (every kind through the same calls on the stream pipeline; kinds differ only in data),
// approval requests, and the outcomes of what the session asked (turn start, thread start).

import { assertNever } from '@pilothouse/protocol';
import type { AgentInput, RowData, RowKind } from '../agent/vocabulary.js';
import { openApproval, withdraw } from './approvals.js';
import { awaitingApproval, recordDecision } from './decided.js';
import { log, setState } from './effects.js';
import { abandonForeign, claimForeign, endForeign, isForeign, leftToTui, onTurnStarted, onUserInput } from './foreign.js';
import { adoptTurnId, advanceAck, answerAll, drain, endTurn, finishedTurn } from './lifecycle.js';
import { streamConfig, type Ctx } from './state.js';
import { appendText, completeRow, finishTurn, flush, hasPending, hasRow, isOpen, openRow } from './stream.js';
import { IDLE, onRecord, reasonForKind, type ProcessingReason } from './turn.js';

export function onAgentInput(ctx: Ctx, input: AgentInput): void {
  const agent = ctx.s.agent;
  if (input.threadId !== undefined && agent.status === 'ready' && input.threadId !== agent.threadId) {
    ctx.out.push(log('debug', 'other_thread_event', { input: input.type, thread_id: input.threadId }));
    return;
  }
  switch (input.type) {
    case 'turn_started':
      return onTurnStarted(ctx, input.turnId);
    case 'turn_completed':
      return (isForeign(ctx, input.turnId) ? endForeign : endTurn)(ctx, input.turnId, input.outcome, input.finals);
    case 'turn_start_ok':
      claimForeign(ctx, input.turnId);
      return adoptTurnId(ctx, input.turnId, 'turn/start');
    case 'turn_start_failed':
      return onTurnStartFailed(ctx, input.message_id, input.error, input.threadLost);
    case 'item_started':
      return onItemStarted(ctx, input.turnId, input.row);
    case 'item_delta':
      if (activeTurn(ctx, input.turnId, 'item_delta')) streamText(ctx, input.turnId, input.key, input.kind, input.text, input.meta);
      return;
    case 'item_completed':
      if (!activeTurn(ctx, input.turnId, 'item_completed')) return;
      if (input.onlyIfOpen === true && !isOpen(ctx.s.stream, input.row.key)) return;
      ctx.s.stream = completeRow(ctx.s.stream, streamConfig(ctx.s), { ...input.row, turnId: input.turnId }, ctx.out);
      return;
    case 'approval_requested':
      return onApprovalRequested(ctx, input);
    case 'approval_withdrawn': {
      const { approvals, pending } = withdraw(ctx.s.approvals, input.requestId);
      ctx.s.approvals = approvals;
      if (pending !== undefined) {
        ctx.out.push(log('info', 'approval_closed', { request_id: pending.approval.request_id, by: 'agent' }));
        recordDecision(ctx, pending, { outcome: 'withdrawn', choice: null, by: null, via: 'agent', reason: 'the agent withdrew the request' });
      }
      return;
    }
    case 'agent_trouble':
      if (activeTurn(ctx, input.turnId, 'agent_trouble')) onTrouble(ctx, input);
      return;
    case 'request_unsupported':
      if (input.turnId !== null && leftToTui(ctx, input.turnId, input.method, input.requestId)) return;
      ctx.out.push({ type: 'refuse', requestId: input.requestId, message: input.reason });
      ctx.out.push(log(input.approval ? 'warn' : 'debug', 'server_request_refused', { method: input.method, reason: input.reason }));
      return;
    case 'user_input':
      if (activeTurn(ctx, input.turnId, 'user_input')) onUserInput(ctx, input);
      return;
    case 'thread_started':
      return onThreadStarted(ctx, input.threadId);
    case 'thread_start_failed':
      return onThreadStartFailed(ctx, input.error);
    case 'agent_exited':
      return onAgentExited(ctx, input.reason);
    case 'agent_note':
      ctx.out.push(log(input.level, input.event, input.fields));
      return;
    default:
      return assertNever(input, 'agent input');
  }
}

/** The active turn (or the followed foreign one) when `turnId` is it; otherwise the event is late or unknown and dropped. */
function activeTurn(ctx: Ctx, turnId: string, what: string): boolean {
  const t = ctx.s.turn;
  if ((t.status === 'active' && t.turnId === turnId) || isForeign(ctx, turnId)) return true;
  const late = ctx.s.finishedTurns.includes(turnId);
  ctx.out.push(log('debug', late ? 'late_event_dropped' : 'foreign_event_dropped', { turn_id: turnId, event: what }));
  return false;
}

/** What the turn does now; output flowing again also ends any trouble the agent reported. */
function setActivity(ctx: Ctx, activity: ProcessingReason): void {
  const t = ctx.s.turn;
  if (t.status === 'active' && (t.activity !== activity || t.trouble !== null)) ctx.s.turn = { ...t, activity, trouble: null, unreachableSince: null };
}

/**
 * The agent cannot reach its model: the message says so at once (attempts counted per turn).
 * While nothing answers at all, the clock of `unreachableMs` runs (session.ts gives the turn up).
 */
function onTrouble(ctx: Ctx, input: Extract<AgentInput, { type: 'agent_trouble' }>): void {
  const t = ctx.s.turn;
  if (t.status !== 'active') return;
  const attempt = (t.trouble?.attempt ?? 0) + 1;
  const unreachableSince = input.unreachable === true ? (t.unreachableSince ?? ctx.now) : null;
  ctx.s.turn = { ...t, trouble: { kind: input.kind, attempt, message: input.message.slice(0, 2000), http_status: input.httpStatus }, unreachableSince };
  ctx.out.push(log('warn', 'agent_trouble', { turn_id: input.turnId, kind: input.kind, attempt, http_status: input.httpStatus, unreachable: input.unreachable === true }));
}

function onItemStarted(ctx: Ctx, turnId: string, row: RowData): void {
  if (!activeTurn(ctx, turnId, 'item_started')) return;
  ctx.s.stream = openRow(ctx.s.stream, streamConfig(ctx.s), { ...row, turnId }, ctx.out);
  if (row.eager) setActivity(ctx, reasonForKind(row.kind));
}

/** Text for a row, opening it on first sight (deltas can precede or lack item_started). The hot path. */
function streamText(ctx: Ctx, turnId: string, key: string, kind: RowKind, text: string, meta: RowData['meta'] = {}): void {
  const { s, out } = ctx;
  if (!hasRow(s.stream, key)) s.stream = openRow(s.stream, streamConfig(s), { key, turnId, kind, body: null, meta, status: 'streaming', eager: false }, out);
  const before = out.length;
  const next = appendText(s.stream, streamConfig(s), key, text, out);
  if (next === null) out.push(log('debug', 'delta_dropped', { item_key: key, chars: text.length }));
  else {
    s.stream = next;
    // A post that carried the row's first text is this window's write: the next waits a full window.
    if (out.length > before && !hasPending(next)) s.lastFlushAt = ctx.now;
  }
  setActivity(ctx, reasonForKind(kind));
}

function onApprovalRequested(ctx: Ctx, req: Extract<AgentInput, { type: 'approval_requested' }>): void {
  if (leftToTui(ctx, req.turnId, req.kind, req.requestId)) return;
  const { s, out } = ctx;
  const { allowed, policy, approvalTimeoutMs, registryCap } = s.config;
  const { approvals, pending, evicted } = openApproval(s.approvals, req, { now: ctx.now, allowed, policy, timeoutMs: approvalTimeoutMs, cap: registryCap });
  s.approvals = approvals;
  answerAll(ctx, evicted, 'onExpire', 'too many pending approvals');
  const t = s.turn;
  if (t.status !== 'active' || t.turnId !== pending.turnId) {
    s.approvals = withdraw(s.approvals, req.requestId).approvals;
    answerAll(ctx, [pending], 'onReject', 'not the active turn');
    return;
  }
  // While an interrupt is on its way the prompt is not shown, and the turn's end declines it
  // (see sendInterrupt: declining now would race the interrupt).
  const held = t.interrupt !== null;
  if (!held) awaitingApproval(ctx, pending);
  out.push(log('info', held ? 'approval_held' : 'approval_pending', { request_id: pending.approval.request_id, kind: pending.approval.kind, summary: pending.approval.summary.slice(0, 200), pending: s.approvals.length }));
}

/** The turn start failed: a lost thread is replaced and the message retried once. */
function onTurnStartFailed(ctx: Ctx, messageId: string, error: string, threadLost: boolean): void {
  const { s, out } = ctx;
  const t = s.turn;
  if (t.status !== 'starting' || t.message.message_id !== messageId) {
    out.push(log('warn', 'turn_start_failed_stale', { message_id: messageId, error }));
    return;
  }
  s.turn = IDLE;
  if (threadLost && t.message.attempts === 0 && s.agent.status === 'ready') {
    s.queue = [{ ...t.message, attempts: t.message.attempts + 1 }, ...s.queue];
    out.push(log('warn', 'thread_lost', { thread_id: s.agent.threadId, message_id: messageId, error }));
    s.agent = { status: 'missing', previous: s.agent.threadId, resume: false };
  } else {
    out.push(setState(messageId, { state: 'failed', reason: `could not start the turn: ${error}`, approval: null }));
    out.push(log('error', 'turn_start_failed', { message_id: messageId, error }));
  }
  drain(ctx);
}

const previousThread = (ctx: Ctx): string | null => (ctx.s.agent.status === 'ready' ? ctx.s.agent.threadId : ctx.s.agent.previous);

function onThreadStarted(ctx: Ctx, threadId: string): void {
  const previous = previousThread(ctx);
  ctx.s.agent = { status: 'ready', threadId };
  ctx.out.push(log('info', 'thread_started', { old_thread_id: previous, thread_id: threadId }));
  drain(ctx);
}

/** No agent thread could be started: the message waiting for it fails; the next one tries again. */
function onThreadStartFailed(ctx: Ctx, error: string): void {
  const { s, out } = ctx;
  s.agent = { status: 'missing', previous: previousThread(ctx), resume: false };
  const waiting = s.turn.status === 'idle' ? s.queue[0] : undefined;
  if (waiting !== undefined) {
    s.queue = s.queue.slice(1);
    out.push(setState(waiting.message_id, { state: 'failed', reason: `could not start a Codex thread: ${error}`, approval: null }));
  }
  out.push(log('error', 'thread_start_failed', { error, message_id: waiting?.message_id ?? null }));
  drain(ctx);
}

/** The agent went away: the running turn fails (its approvals die with the process); resume later. */
function onAgentExited(ctx: Ctx, reason: string): void {
  const { s, out } = ctx;
  const previous = previousThread(ctx);
  s.agent = { status: 'missing', previous, resume: previous !== null };
  const t = s.turn;
  const dropped = s.approvals.length;
  // Their requests died with the process: nothing to answer; the record says so.
  for (const [, p] of s.approvals) recordDecision(ctx, p, { outcome: 'withdrawn', choice: null, by: null, via: 'runner', reason: `${s.config.agentTitle} exited: ${reason}` });
  s.approvals = [];
  // A starting turn may have reached the agent (its turn start goes out once `processing` is on the
  // hub): it fails like a running one rather than start again unasked (docs/protocol.md §10.2).
  if (t.status !== 'idle') {
    if (t.status !== 'starting') {
      s.stream = flush(s.stream, out);
      s.stream = finishTurn(s.stream, streamConfig(s), t.turnId, 'failed', out);
      finishedTurn(ctx, t.turnId);
    }
    const record = s.turn.status === 'idle' ? {} : onRecord(s.turn);
    s.turn = IDLE;
    advanceAck(ctx, true);
    out.push(setState(t.message.message_id, { state: 'failed', reason: `${s.config.agentTitle} exited: ${reason}`, approval: null, ...record }));
  }
  out.push(log('error', 'codex_exited', { reason, thread_id: previous, message_id: t.status === 'idle' ? null : t.message.message_id, approvals_dropped: dropped }));
  s.turn = IDLE;
  abandonForeign(ctx, { status: 'failed', reason }, `${s.config.agentTitle} exited`);
  drain(ctx);
}

