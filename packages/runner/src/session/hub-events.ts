// Hub events for the session thread: human messages (queued when they come from an allowed
// steerer, otherwise marked ignored with the reason; `/pilothouse …` commands decided by the
// previews sub-state, never sent to Codex) and controls (interrupt, drop queued, resolve an
// approval, port-forward decisions), each checked against the allowed actors once. Refusals are
// visible: a notice row in the thread, plus a log.

import { isChatCommand, mayDecide, type Actor, type ChannelEventPayloads, type ControlAction, type Message } from '@pilothouse/protocol';
import { describeAllowed } from './actors.js';
import { assertNever, clientId, log, setState } from './effects.js';
import { drain, interrupting, requestInterrupt } from './lifecycle.js';
import { alreadyHandled, latestFailed, retry } from './recovery.js';
import { portCommand, portControl } from './previews/step.js';
import { listenUser, type Ctx } from './state.js';

type Control = ChannelEventPayloads['control'];

export function onMessage(ctx: Ctx, message: Message): void {
  const { s, out } = ctx;
  // Rows (the runner's own included) and other threads are not steering input.
  if (message.thread_id !== s.config.threadId || message.id === s.config.threadId) return;
  if (message.runner_id !== null || message.kind !== 'text') return;
  if (alreadyHandled(ctx, message.seq, message.id)) {
    out.push(log('info', 'replay_skipped', { message_id: message.id, seq: message.seq, state: s.recovered?.states.get(message.id) ?? null }));
    return;
  }
  const retryOf = retryCommand(message.body);
  if (retryOf !== null) return retryByCommand(ctx, message, retryOf);
  if (isChatCommand(message.body)) {
    // Whoever sent it: the port-forward review decides who may, and the outcome becomes the state.
    out.push(log('info', 'chat_command', { message_id: message.id, seq: message.seq, author: message.author.name }));
    const result = portCommand(s.previews, message.id, message.body, message.author);
    s.previews = result.state;
    out.push(...result.effects);
    return;
  }
  if (!mayDecide(s.config.allowed, message.author)) {
    const reason = `not the listen user (${listenUser(s)})`;
    out.push(setState(message.id, { state: 'ignored', reason, approval: null }));
    out.push(log('info', 'message_ignored', { message_id: message.id, seq: message.seq, author: message.author.name, reason }));
    return;
  }
  if (s.queue.size >= s.config.maxQueued) {
    const reason = `the queue is full (${s.config.maxQueued} messages)`;
    out.push(setState(message.id, { state: 'failed', reason, approval: null }));
    out.push(log('warn', 'message_refused', { message_id: message.id, seq: message.seq, reason }));
    return;
  }
  const entry = { message_id: message.id, seq: message.seq, trigger: message.seq, body: message.body, author: message.author, attempts: 0 };
  s.queue.enqueue(entry);
  s.steered.set(message.id, { message: entry, state: 'queued' });
  out.push(setState(message.id, { state: 'queued', reason: null, approval: null }));
  out.push(log('info', 'enqueue', { message_id: message.id, seq: message.seq, author: message.author.name, depth: s.queue.size }));
  drain(ctx);
}

export { isChatCommand };

/** `/pilothouse retry [message id]`: the id, '' for "the latest failed", or null for another text. */
export function retryCommand(body: string): string | null {
  const m = /^\s*\/pilothouse\s+retry(?:\s+(\S+))?\s*$/i.exec(body);
  return m === null ? null : (m[1] ?? '');
}

function retryByCommand(ctx: Ctx, message: Message, target: string): void {
  const id = target === '' ? latestFailed(ctx, message.seq) : target;
  const result = id === null ? { ok: false as const, reason: 'no failed message to retry' } : retry(ctx, id, message.author, message.seq);
  ctx.out.push(
    setState(message.id, result.ok ? { state: 'processed', reason: `retrying ${id ?? ''}`, approval: null } : { state: 'failed', reason: `invalid_command: ${result.reason}`, approval: null }),
  );
  if (!result.ok) ctx.out.push(log('warn', 'retry_refused', { message_id: message.id, target: id, reason: result.reason }));
}

export function onControl(ctx: Ctx, control: Control): void {
  const { s, out } = ctx;
  if (control.thread_id !== s.config.threadId) return;
  const { action, actor } = control;
  if (action.type === 'resolve_approval') {
    const turnId = s.approvals.turnOf(action.request_id);
    if (turnId !== undefined && interrupting(ctx, turnId)) {
      return refuse(ctx, control, 'approval_request_not_found', `Approval ${action.request_id} was withdrawn: the turn is being interrupted.`);
    }
    const result = s.approvals.resolve(action.request_id, action.choice, actor);
    if (!result.ok) return refuse(ctx, control, result.code, result.message);
    out.push({ type: 'codex_answer', requestId: result.pending.codexId, answer: result.answer });
    out.push(log('info', 'approval_resolved', { request_id: action.request_id, choice: action.choice, decision: result.answer.result, by: actor.name }));
    return;
  }
  if (action.type === 'resolve_port_forward') {
    // Authorised once, by the review (previews/review.ts), which answers a refusal with a notice.
    const result = portControl(s.previews, control, action.request_id, action.decision);
    s.previews = result.state;
    out.push(...result.effects);
    return;
  }
  if (!mayDecide(s.config.allowed, actor)) {
    return refuse(ctx, control, 'sender_not_allowed', `${actor.name} is not allowed to steer this session (${describeAllowed(s.config.allowed)} can).`);
  }
  switch (action.type) {
    case 'interrupt':
      return interrupt(ctx, actor, action.through_seq);
    case 'drop_queued':
      dropQueued(ctx, actor, action.through_seq, 'drop_queued');
      return;
    case 'retry': {
      const result = retry(ctx, action.message_id, actor, control.seq);
      if (!result.ok) refuse(ctx, control, 'message_not_found', result.reason);
      return;
    }
    default:
      return assertNever(action, 'control action');
  }
}

/** Drops queued messages through `through` (if given) and interrupts the running one if targeted. */
function interrupt(ctx: Ctx, actor: Actor, through: number | undefined): void {
  const dropped = through === undefined ? 0 : dropQueued(ctx, actor, through, 'interrupt');
  const t = ctx.s.turn;
  const targeted = t.status !== 'idle' && (through === undefined || t.message.seq <= through);
  const interrupted = targeted && requestInterrupt(ctx, actor.name);
  const fields = { by: actor.name, through_seq: through ?? null, dropped, interrupted, message_id: targeted ? t.message.message_id : null };
  ctx.out.push(log(interrupted || dropped > 0 ? 'info' : 'warn', interrupted || dropped > 0 ? 'interrupt' : 'interrupt_noop', fields));
}

function dropQueued(ctx: Ctx, actor: Actor, through: number, via: ControlAction['type']): number {
  const dropped = ctx.s.queue.dropThrough(through);
  for (const m of dropped) ctx.out.push(setState(m.message_id, { state: 'ignored', reason: `dropped by ${actor.name}`, approval: null }));
  if (via === 'drop_queued') ctx.out.push(log('info', 'drop_queued', { by: actor.name, through_seq: through, dropped: dropped.length, depth: ctx.s.queue.size }));
  return dropped.length;
}

function refuse(ctx: Ctx, control: Control, code: string, message: string): void {
  ctx.out.push({
    type: 'post_row',
    payload: {
      client_id: clientId('control', control.control_id),
      thread_id: ctx.s.config.threadId,
      kind: 'notice',
      body: `${control.action.type} refused: ${message}`,
      meta: { code, control_id: control.control_id, action: control.action.type, actor: control.actor.name },
    },
  });
  ctx.out.push(log('warn', 'control_refused', { code, control_id: control.control_id, action: control.action.type, by: control.actor.name, reason: message }));
}
