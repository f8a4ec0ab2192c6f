// What a restarted runner (`--resume`) does about the process that died before it, and retries.
// The hub's thread, read at start, is the record: rows still `streaming` become `interrupted`,
// a message left `processing` (its approval with it) becomes `failed` "runner restarted", and a
// message left `queued` is queued again. The rule (docs/protocol.md, "Runner restarts"): an
// instruction runs once unless someone asks again, with a `retry` control or `/pilothouse retry`.
// Events the dead process had already seen (seq <= the thread's head at start) come back in the
// replay; they are judged by what the thread says became of them, never started a second time.

import { admit, isChatCommand, mayDecide, RUNNER_RESTARTED, type Actor, type Message, type MessageStateName } from '@pilothouse/protocol';
import * as lru from './bounded.js';
import { decisionLog, log, setState } from './effects.js';
import { drain } from './lifecycle.js';
import type { QueuedMessage } from './queue.js';
import { hasRow } from './stream.js';
import type { Ctx, Steered } from './state.js';

/** The session thread as the hub has it when a restarted runner starts (all pages). */
export interface ThreadSnapshot {
  readonly head_seq: number;
  readonly messages: readonly Message[];
}

/** Rows of these kinds are agent items; a dead process leaves them `streaming`. */
const ITEM_KINDS: ReadonlySet<Message['kind']> = new Set(['assistant', 'reasoning', 'command', 'file_change', 'web_search', 'plan', 'terminal_input']);

const leftStreaming = (m: Message): m is Message & { item_key: string } =>
  m.runner_id !== null && m.status === 'streaming' && m.item_key !== null && ITEM_KINDS.has(m.kind);

const queued = (m: Message, trigger = m.seq): QueuedMessage => ({ message_id: m.id, thread_id: m.thread_id, seq: m.seq, trigger, body: m.body, author: m.author, attempts: 0 });

/** A steering message of this session: a person's text in the thread, not a chat command. */
export const isSteering = (ctx: Ctx, m: Message): boolean =>
  m.thread_id === ctx.s.bound && m.id !== ctx.s.bound && m.runner_id === null && m.kind === 'text';

export function onRecover(ctx: Ctx, thread: ThreadSnapshot): void {
  const { s, out } = ctx;
  const states: Record<string, MessageStateName> = {};
  const steer = (m: Message, state: MessageStateName): void => void (s.steered = lru.set(s.steered, m.id, { message: queued(m), state }, s.config.registryCap).lru);
  let rows = 0;
  let failed = 0;
  let requeued = 0;
  for (const m of thread.messages) {
    if (m.thread_id !== s.bound) continue;
    if (leftStreaming(m)) {
      out.push({ type: 'update_row', turn_id: null, payload: { item_key: m.item_key, status: 'interrupted' } });
      rows += 1;
    }
    if (!isSteering(ctx, m) || m.state === null) continue;
    // Only events after the saved cursor come back in the replay: older ones need no verdict.
    if (admit(s.lastSeq, m.seq).type === 'new') states[m.id] = m.state.state;
    if (isChatCommand(m.body)) continue;
    switch (m.state.state) {
      case 'processing':
        // It may have started (a turn starts only once `processing` is on the hub): never again unasked.
        out.push(setState(m.id, { state: 'failed', reason: RUNNER_RESTARTED, approval: null }));
        steer(m, 'failed');
        failed += 1;
        break;
      case 'queued':
        s.queue = [...s.queue, queued(m)];
        steer(m, 'queued');
        requeued += 1;
        break;
      case 'processed':
      case 'ignored':
      case 'failed':
        steer(m, m.state.state);
        break;
    }
  }
  s.recovered = { throughSeq: thread.head_seq, states };
  out.push(log('info', 'recovered', { head_seq: thread.head_seq, rows_interrupted: rows, messages_failed: failed, messages_requeued: requeued }));
  drain(ctx);
}

/**
 * A streaming row of the session thread that reaches the hub after the thread was read, under a
 * key this process never streamed: the dead process wrote it late (its last frames were still on
 * their way). Nothing will ever finish it, so it is closed now, as the read thread's rows were.
 * True when the row was such an orphan.
 */
export function closeOrphan(ctx: Ctx, m: Message): boolean {
  const r = ctx.s.recovered;
  if (r === null || m.seq <= r.throughSeq || m.thread_id !== ctx.s.bound || !leftStreaming(m) || hasRow(ctx.s.stream, m.item_key)) return false;
  ctx.out.push({ type: 'update_row', turn_id: null, payload: { item_key: m.item_key, status: 'interrupted' } });
  ctx.out.push(log('warn', 'orphan_row_closed', { item_key: m.item_key, seq: m.seq, recovered_through: r.throughSeq }));
  return true;
}

/**
 * A replayed event the dead process had seen: true when the thread already says what became of
 * it (the session must not act on it again). A message with no state yet was never looked at.
 */
export function alreadyHandled(ctx: Ctx, seq: number, messageId: string): boolean {
  const r = ctx.s.recovered;
  return r !== null && seq <= r.throughSeq && Object.hasOwn(r.states, messageId);
}

/** A retry asked by `actor` (control or chat command at `trigger` seq): the message runs once more. One decision line either way. */
export function retry(ctx: Ctx, messageId: string, actor: Actor, trigger: number): { ok: true } | { ok: false; reason: string } {
  const result = retried(ctx, messageId, actor, trigger);
  const outcome = result.ok ? 'queued' : `refused:${result.code}`;
  ctx.out.push(decisionLog('retry', actor.name, messageId, outcome, { trigger_seq: trigger, ...(result.ok ? {} : { reason: result.reason }) }));
  if (result.ok) drain(ctx);
  return result.ok ? { ok: true } : { ok: false, reason: result.reason };
}

function retried(ctx: Ctx, messageId: string, actor: Actor, trigger: number): { ok: true } | { ok: false; code: string; reason: string } {
  const { s, out } = ctx;
  if (!mayDecide(s.config.allowed, actor)) return { ok: false, code: 'sender_not_allowed', reason: `${actor.name} is not allowed to steer this session` };
  const known = lru.get(s.steered, messageId);
  if (known === undefined) return { ok: false, code: 'message_not_found', reason: `message ${messageId} is not a failed instruction of this session` };
  const r = s.recovered;
  // A retry the dead process saw: it counts only if the message was still failed when the thread
  // was read (otherwise it was taken up then, and perhaps ran).
  const stateThen = r !== null && trigger <= r.throughSeq ? (r.states[messageId] ?? null) : known.state;
  if (stateThen !== 'failed' || known.state !== 'failed') return { ok: false, code: 'not_failed', reason: `message ${messageId} is ${known.state ?? 'not handled yet'}, not failed` };
  s.queue = [...s.queue, { ...known.message, trigger, attempts: 0 }];
  out.push(setState(messageId, { state: 'queued', reason: `retry asked by ${actor.name}`, approval: null }));
  return { ok: true };
}

/** The newest failed instruction before `seq`: what `/pilothouse retry` retries. */
export function latestFailed(ctx: Ctx, seq: number): string | null {
  let best: Steered | null = null;
  for (const [, entry] of ctx.s.steered) {
    if (entry.state === 'failed' && entry.message.seq < seq && (best === null || entry.message.seq > best.message.seq)) best = entry;
  }
  return best?.message.message_id ?? null;
}

/** Keeps the last state given to each steering message (what a retry checks). */
export function noteStates(ctx: Ctx): void {
  for (const e of ctx.out) {
    if (e.type !== 'set_state') continue;
    const known = lru.get(ctx.s.steered, e.payload.message_id);
    if (known !== undefined) ctx.s.steered = lru.set(ctx.s.steered, e.payload.message_id, { ...known, state: e.payload.state.state }, ctx.s.config.registryCap).lru;
  }
}
