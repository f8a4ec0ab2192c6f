// Hub events for the session thread: human messages (queued when they come from an allowed
// steerer, otherwise marked ignored with the reason; `/pilothouse …` commands decided by the
// previews sub-state, never sent to Codex; an instruction in an older session thread of this
// runner is queued too and re-binds the session when it runs, rebind.ts) and controls (interrupt, drop queued, resolve an
// approval, port-forward decisions), each checked against the allowed actors once. Refusals are
// visible: a notice row in the thread, plus a log.

import { assertNever, isChatCommand, mayDecide, type Actor, type ChannelEventPayloads, type ControlAction, type Message } from '@pilothouse/protocol';
import { describeAllowed } from './actors.js';
import { resolveApproval } from './approvals.js';
import * as lru from './bounded.js';
import { chosen, recordDecision } from './decided.js';
import { clientId, decisionLog, log, setState } from './effects.js';
import { drain, interrupting, requestInterrupt } from './lifecycle.js';
import { dropThrough } from './queue.js';
import { alreadyHandled, closeOrphan, latestFailed, retry } from './recovery.js';
import { portCommand, portControl } from './previews/step.js';
import { isOlderThread } from './rebind.js';
import { listenUser, type Ctx } from './state.js';

type Control = ChannelEventPayloads['control'];

export function onMessage(ctx: Ctx, message: Message): void {
  const { s, out } = ctx;
  // Rows (the runner's own included) and threads that are not this runner's sessions are not steering input.
  const older = message.thread_id !== s.bound;
  if ((older && !isOlderThread(s, message.thread_id)) || message.id === message.thread_id) return;
  if (message.runner_id !== null) return void closeOrphan(ctx, message);
  if (message.kind !== 'text') return;
  if (alreadyHandled(ctx, message.seq, message.id)) {
    out.push(log('info', 'replay_skipped', { message_id: message.id, seq: message.seq, state: s.recovered?.states[message.id] ?? null }));
    return;
  }
  // In an older thread only an instruction re-binds the session; commands act on the bound thread.
  if (older && (retryCommand(message.body) !== null || isChatCommand(message.body))) return ignore(ctx, message, 'commands apply to the thread the session is bound to; send an instruction here to re-bind it first');
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
  if (!mayDecide(s.config.allowed, message.author)) return ignore(ctx, message, `not the listen user (${listenUser(s)})`);
  if (s.queue.length >= s.config.maxQueued) {
    const reason = `the queue is full (${s.config.maxQueued} messages)`;
    out.push(setState(message.id, { state: 'failed', reason, approval: null }));
    out.push(log('warn', 'message_refused', { message_id: message.id, seq: message.seq, reason }));
    return;
  }
  const entry = { message_id: message.id, thread_id: message.thread_id, seq: message.seq, trigger: message.seq, body: message.body, author: message.author, attempts: 0 };
  s.queue = [...s.queue, entry];
  s.steered = lru.set(s.steered, message.id, { message: entry, state: 'queued' }, s.config.registryCap).lru;
  out.push(setState(message.id, { state: 'queued', reason: null, approval: null }));
  out.push(log('info', 'enqueue', { message_id: message.id, seq: message.seq, author: message.author.name, depth: s.queue.length, ...(older ? { thread_id: message.thread_id } : {}) }));
  drain(ctx);
}

function ignore(ctx: Ctx, message: Message, reason: string): void {
  ctx.out.push(setState(message.id, { state: 'ignored', reason, approval: null }));
  ctx.out.push(log('info', 'message_ignored', { message_id: message.id, seq: message.seq, author: message.author.name, reason }));
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
  if (id === null) ctx.out.push(decisionLog('retry', message.author.name, message.id, 'refused:no_failed_message', { reason: 'no failed message to retry' }));
}

export function onControl(ctx: Ctx, control: Control): void {
  const { s, out } = ctx;
  if (control.thread_id !== s.bound) return;
  const { action, actor } = control;
  if (action.type === 'resolve_approval') {
    const turnId = lru.get(s.approvals, action.request_id)?.turnId;
    if (turnId !== undefined && interrupting(ctx, turnId)) {
      return refuse(ctx, control, 'approval_request_not_found', `Approval ${action.request_id} was withdrawn: the turn is being interrupted.`);
    }
    const result = resolveApproval(s.approvals, action.request_id, action.choice, actor);
    if (!result.ok) return refuse(ctx, control, result.code, result.message);
    s.approvals = result.approvals;
    out.push({ type: 'answer', requestId: result.pending.requestId, choice: result.choice });
    out.push(decisionLog('approval', actor.name, action.request_id, result.choice, { control_id: control.control_id }));
    recordDecision(ctx, result.pending, chosen(result.pending, result.choice, actor, control.via ?? 'control'));
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
      if (!result.ok) refuse(ctx, control, 'message_not_found', result.reason, false);
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
  const target = targeted ? t.message.message_id : (through ?? 'none');
  const outcome = interrupted ? 'interrupted' : dropped > 0 ? 'dropped' : 'noop';
  ctx.out.push(decisionLog('interrupt', actor.name, target, outcome, { through_seq: through ?? null, dropped }));
}

function dropQueued(ctx: Ctx, actor: Actor, through: number, via: ControlAction['type']): number {
  const { queue, dropped } = dropThrough(ctx.s.queue, through);
  ctx.s.queue = queue;
  for (const m of dropped) ctx.out.push(setState(m.message_id, { state: 'ignored', reason: `dropped by ${actor.name}`, approval: null }));
  if (via === 'drop_queued') ctx.out.push(decisionLog('drop_queued', actor.name, through, dropped.length > 0 ? 'dropped' : 'noop', { dropped: dropped.length, depth: queue.length }));
  return dropped.length;
}

/** A control that cannot be carried out: a notice row in the thread, and the decision line (unless retry() wrote it). */
function refuse(ctx: Ctx, control: Control, code: string, message: string, logged = true): void {
  ctx.out.push({
    type: 'post_row',
    turn_id: null,
    payload: {
      client_id: clientId('control', control.control_id),
      thread_id: ctx.s.bound,
      kind: 'notice',
      body: `${control.action.type} refused: ${message}`,
      meta: { code, control_id: control.control_id, action: control.action.type, actor: control.actor.name },
    },
  });
  if (logged) ctx.out.push(decisionLog(decisionAction(control.action), control.actor.name, decisionTarget(control), `refused:${code}`, { control_id: control.control_id, reason: message }));
}

const decisionAction = (action: ControlAction): string => (action.type === 'resolve_approval' ? 'approval' : action.type === 'resolve_port_forward' ? 'port_forward' : action.type);

function decisionTarget({ action, seq }: Control): string | number {
  switch (action.type) {
    case 'resolve_approval':
    case 'resolve_port_forward':
      return action.request_id;
    case 'retry':
      return action.message_id;
    case 'interrupt':
    case 'drop_queued':
      return action.through_seq ?? seq;
    default:
      return assertNever(action, 'control action');
  }
}
