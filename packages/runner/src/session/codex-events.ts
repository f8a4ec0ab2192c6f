// Codex events for the session's thread: one table of notification method -> handler (methods
// not listed are not the session's business), approval requests, and the outcomes of the
// requests the shell made for the session (turn/start, thread start). Every item kind goes
// through the same calls on the stream pipeline; kinds differ only in the data of items.ts.

import type { ServerNotification, ServerRequest } from '../codex/generated/index.js';
import type { NotificationParams } from '../codex/methods.js';
import { assertNever, log, setState } from './effects.js';
import { buildRow, DELTA_KINDS, itemKey, planRow, REASONING_PART_SEPARATOR, terminalInputKey, terminalInputRow, type DeltaMethod, type StreamKind } from './items.js';
import { abandonForeign, endForeign, isForeign, leftToTui, onTurnStarted, onUserMessage } from './foreign.js';
import { advanceAck, answerAll, drain, endTurn } from './lifecycle.js';
import type { Ctx } from './state.js';
import { IDLE, isRecoverableThreadError, reasonForKind, type ProcessingReason, type TurnOutcome } from './turn.js';

type Method = ServerNotification['method'];
type Handler<M extends Method> = (ctx: Ctx, params: NotificationParams<M>) => void;

/** The active turn (or the followed foreign one) when `turnId` is it; otherwise the event is late or unknown and dropped. */
function activeTurn(ctx: Ctx, turnId: string, what: string): boolean {
  const t = ctx.s.turn;
  if ((t.status === 'active' && t.turnId === turnId) || isForeign(ctx, turnId)) return true;
  const late = ctx.s.finishedTurns.has(turnId);
  ctx.out.push(log('debug', late ? 'late_event_dropped' : 'foreign_event_dropped', { turn_id: turnId, event: what }));
  return false;
}

function setActivity(ctx: Ctx, activity: ProcessingReason): void {
  const t = ctx.s.turn;
  if (t.status === 'active' && t.activity !== activity) ctx.s.turn = { ...t, activity };
}

/** Text for a row, opening it on first sight (deltas can precede or lack item/started). */
function streamText(ctx: Ctx, turnId: string, key: string, kind: StreamKind, text: string): void {
  const { stream } = ctx.s;
  if (!stream.has(key)) ctx.out.push(...stream.open({ item_key: key, turnId, kind, body: null, meta: {}, status: 'streaming', eager: false }));
  const result = stream.delta(key, text);
  ctx.out.push(...result.effects);
  // A post that carried the row's first text is this window's write: the next waits a full window.
  if (result.effects.length > 0 && !stream.hasPending) ctx.s.lastFlushAt = ctx.now;
  if (!result.accepted) ctx.out.push(log('debug', 'delta_dropped', { item_key: key, chars: text.length }));
  setActivity(ctx, reasonForKind(kind));
}

const onDelta =
  <M extends DeltaMethod>(method: M): Handler<M> =>
  (ctx, p: NotificationParams<DeltaMethod>) => {
    if (activeTurn(ctx, p.turnId, method)) streamText(ctx, p.turnId, itemKey(p.turnId, p.itemId), DELTA_KINDS[method], p.delta);
  };

function outcomeOf(turn: NotificationParams<'turn/completed'>['turn']): TurnOutcome {
  switch (turn.status) {
    case 'completed':
      return { status: 'completed' };
    case 'interrupted':
      return { status: 'interrupted' };
    case 'failed':
      return { status: 'failed', reason: turn.error?.message ?? 'the turn failed' };
    case 'inProgress':
      return { status: 'failed', reason: 'the turn ended while still in progress' };
    default:
      return assertNever(turn.status, 'turn status');
  }
}

const handlers: { readonly [M in Method]?: Handler<M> } = {
  'turn/started': (ctx, p) => onTurnStarted(ctx, p.turn.id),
  'item/started': (ctx, p) => {
    if (!activeTurn(ctx, p.turnId, 'item/started')) return;
    if (p.item.type === 'userMessage') return onUserMessage(ctx, p.turnId, p.item);
    ctx.s.approvals.noteItem(p.turnId, p.item);
    const spec = buildRow(p.turnId, p.item, 'started');
    if (spec === null) return;
    ctx.out.push(...ctx.s.stream.open(spec));
    if (spec.eager) setActivity(ctx, reasonForKind(spec.kind));
  },
  'item/agentMessage/delta': onDelta('item/agentMessage/delta'),
  'item/reasoning/summaryTextDelta': onDelta('item/reasoning/summaryTextDelta'),
  'item/commandExecution/outputDelta': onDelta('item/commandExecution/outputDelta'),
  'item/plan/delta': onDelta('item/plan/delta'),
  'item/reasoning/summaryPartAdded': (ctx, p) => {
    const key = itemKey(p.turnId, p.itemId);
    if (p.summaryIndex > 0 && activeTurn(ctx, p.turnId, 'summaryPartAdded')) streamText(ctx, p.turnId, key, 'reasoning', REASONING_PART_SEPARATOR);
  },
  'item/commandExecution/terminalInteraction': (ctx, p) => {
    if (!activeTurn(ctx, p.turnId, 'terminalInteraction')) return;
    const key = terminalInputKey(p.turnId, p.itemId);
    if (!ctx.s.stream.has(key)) ctx.out.push(...ctx.s.stream.open(terminalInputRow(p.turnId, p.itemId, p.processId)));
    streamText(ctx, p.turnId, key, 'terminal_input', p.stdin);
  },
  'item/completed': (ctx, p) => {
    if (!activeTurn(ctx, p.turnId, 'item/completed')) return;
    if (p.item.type === 'userMessage') return onUserMessage(ctx, p.turnId, p.item);
    const spec = buildRow(p.turnId, p.item, 'completed');
    if (spec !== null) ctx.out.push(...ctx.s.stream.complete(spec));
    if (p.item.type === 'commandExecution' && ctx.s.stream.isOpen(terminalInputKey(p.turnId, p.item.id))) {
      ctx.out.push(...ctx.s.stream.complete({ ...terminalInputRow(p.turnId, p.item.id, p.item.processId ?? ''), status: 'completed' }));
    }
  },
  'turn/plan/updated': (ctx, p) => {
    if (activeTurn(ctx, p.turnId, 'turn/plan/updated')) ctx.out.push(...ctx.s.stream.complete(planRow(p.turnId, p.explanation, p.plan)));
  },
  'turn/completed': (ctx, p) => (isForeign(ctx, p.turn.id) ? endForeign : endTurn)(ctx, p.turn.id, outcomeOf(p.turn), p.turn.items),
  'serverRequest/resolved': (ctx, p) => {
    const closed = ctx.s.approvals.closeByCodexId(p.requestId);
    if (closed !== undefined) ctx.out.push(log('info', 'approval_closed', { request_id: closed.approval.request_id, by: 'codex' }));
  },
  'thread/status/changed': (ctx, p) => ctx.out.push(log('debug', 'thread_status', { status: p.status })),
  error: (ctx, p) => ctx.out.push(log('warn', 'codex_error', { turn_id: p.turnId, message: p.error.message, will_retry: p.willRetry })),
  warning: (ctx, p) => ctx.out.push(log('warn', 'codex_warning', { ...p })),
};

export function onNotification(ctx: Ctx, notification: ServerNotification): void {
  const params: unknown = notification.params;
  const codex = ctx.s.codex;
  const threadId = typeof params === 'object' && params !== null && 'threadId' in params ? params.threadId : undefined;
  if (typeof threadId === 'string' && codex.status === 'ready' && threadId !== codex.threadId) {
    ctx.out.push(log('debug', 'other_thread_event', { method: notification.method, thread_id: threadId }));
    return;
  }
  // The table pairs each method with its own params type; TypeScript cannot follow the pairing.
  const handler = handlers[notification.method] as ((ctx: Ctx, params: unknown) => void) | undefined;
  handler?.(ctx, params);
}

const APPROVAL_METHODS = new Set<string>(['item/commandExecution/requestApproval', 'item/fileChange/requestApproval', 'item/permissions/requestApproval', 'item/tool/requestUserInput']);

export function onServerRequest(ctx: Ctx, request: ServerRequest): void {
  if (leftToTui(ctx, request)) return;
  const { s, out } = ctx;
  const { allowed, policy, approvalTimeoutMs } = s.config;
  const opened = s.approvals.open(request, { now: ctx.now, allowed, policy, timeoutMs: approvalTimeoutMs });
  if (opened.type === 'unsupported') {
    out.push({ type: 'codex_refuse', requestId: request.id, message: opened.reason });
    out.push(log(APPROVAL_METHODS.has(request.method) ? 'warn' : 'debug', 'server_request_refused', { method: request.method, reason: opened.reason }));
    return;
  }
  const { pending, evicted } = opened;
  answerAll(ctx, evicted, 'onExpire', 'too many pending approvals');
  const t = s.turn;
  if (t.status !== 'active' || t.turnId !== pending.turnId) {
    s.approvals.closeByCodexId(request.id);
    answerAll(ctx, [pending], 'onReject', 'not the active turn');
    out.push(log('info', 'approval_ignored', { request_id: pending.approval.request_id, reason: 'not the active turn' }));
    return;
  }
  // While an interrupt is on its way the prompt is not shown, and the turn's end declines it
  // (see sendInterrupt: declining now would race the interrupt).
  const held = t.interrupt !== null;
  out.push(log('info', held ? 'approval_held' : 'approval_pending', { request_id: pending.approval.request_id, kind: pending.approval.kind, summary: pending.approval.summary.slice(0, 200), pending: s.approvals.size }));
}

/** The turn/start request failed: a lost thread is replaced and the message retried once. */
export function onTurnStartFailed(ctx: Ctx, messageId: string, error: string): void {
  const { s, out } = ctx;
  const t = s.turn;
  if (t.status !== 'starting' || t.message.message_id !== messageId) {
    out.push(log('warn', 'turn_start_failed_stale', { message_id: messageId, error }));
    return;
  }
  s.turn = IDLE;
  if (isRecoverableThreadError(error) && t.message.attempts === 0 && s.codex.status === 'ready') {
    s.queue.pushFront({ ...t.message, attempts: t.message.attempts + 1 });
    out.push(log('warn', 'thread_lost', { thread_id: s.codex.threadId, message_id: messageId, error }));
    s.codex = { status: 'missing', previous: s.codex.threadId, resume: false };
  } else {
    out.push(setState(messageId, { state: 'failed', reason: `could not start the turn: ${error}`, approval: null }));
    out.push(log('error', 'turn_start_failed', { message_id: messageId, error }));
  }
  drain(ctx);
}

export function onThreadStarted(ctx: Ctx, threadId: string): void {
  const previous = ctx.s.codex.status === 'ready' ? ctx.s.codex.threadId : ctx.s.codex.previous;
  ctx.s.codex = { status: 'ready', threadId };
  ctx.out.push(log('info', 'thread_started', { old_thread_id: previous, thread_id: threadId }));
  drain(ctx);
}

/** No Codex thread could be started: the message waiting for it fails; the next one tries again. */
export function onThreadStartFailed(ctx: Ctx, error: string): void {
  const { s, out } = ctx;
  s.codex = { status: 'missing', previous: ctx.s.codex.status === 'ready' ? ctx.s.codex.threadId : ctx.s.codex.previous, resume: false };
  const waiting = s.turn.status === 'idle' ? s.queue.dequeue() : undefined;
  if (waiting !== undefined) out.push(setState(waiting.message_id, { state: 'failed', reason: `could not start a Codex thread: ${error}`, approval: null }));
  out.push(log('error', 'thread_start_failed', { error, message_id: waiting?.message_id ?? null }));
  drain(ctx);
}

/** Codex went away: the running turn fails (its approvals die with the process); resume later. */
export function onCodexExited(ctx: Ctx, reason: string): void {
  const { s, out } = ctx;
  const previous = s.codex.status === 'ready' ? s.codex.threadId : s.codex.previous;
  s.codex = { status: 'missing', previous, resume: previous !== null };
  const t = s.turn;
  const dropped = s.approvals.rejectAll();
  // A starting turn may have reached Codex (its turn/start goes out once `processing` is on the
  // hub): it fails like a running one rather than start again unasked (docs/protocol.md §10.2).
  if (t.status !== 'idle') {
    if (t.status !== 'starting') {
      out.push(...s.stream.flush(), ...s.stream.finishTurn(t.turnId, 'failed'));
      s.finishedTurns.set(t.turnId, true);
    }
    s.turn = IDLE;
    advanceAck(ctx, true);
    out.push(setState(t.message.message_id, { state: 'failed', reason: `Codex exited: ${reason}`, approval: null }));
  }
  out.push(log('error', 'codex_exited', { reason, thread_id: previous, message_id: t.status === 'idle' ? null : t.message.message_id, approvals_dropped: dropped.length }));
  s.turn = IDLE;
  abandonForeign(ctx, { status: 'failed', reason }, 'Codex exited');
  drain(ctx);
}
