// The session orchestrator's pure core: `step(state, input) -> {state, effects}` over plain data.
// Inputs are hub events, agent inputs (agent/vocabulary.ts, from the agent's adapter), the hub's
// refusal of a row write, clock ticks and close. No I/O, no timers, no clock: time comes with each
// input, and `nextDeadline` tells the shell when to send the next tick. `step` never changes the
// state it is given: it works on a shallow copy whose fields it replaces. The shell performs the
// effects in order (see effects.ts).

import { admit, assertNever } from '@pilothouse/protocol';
import type { ChannelEvent } from '@pilothouse/protocol';
import type { AgentInput } from '../agent/vocabulary.js';
import { onAgentInput } from './agent-events.js';
import { isDue, nextExpiry, take } from './approvals.js';
import { log, setState, type Effect } from './effects.js';
import { abandonForeign } from './foreign.js';
import { onControl, onMessage } from './hub-events.js';
import { closePreviews, previewsTick, stepPreviews, type PreviewsInput, type PreviewsResult } from './previews/step.js';
import { previewsDeadline, type PreviewsState } from './previews/state.js';
import { advanceAck, answerAll, publish, rejectApprovals } from './lifecycle.js';
import { noteStates, onRecover, type ThreadSnapshot } from './recovery.js';
import { streamConfig, type Ctx, type SessionState } from './state.js';
import { finishTurn, flush, hasPending, refused } from './stream.js';
import { onRecord } from './turn.js';
import { giveUpIfUnreachable, noteHeard, onModelProbed, probeDeadline, probeIfQuiet, unreachableDeadline, type ModelProbed } from './unreachable.js';

export type SessionInput =
  | AgentInput
  /** Any event of the channel feed, in seq order (replays included; repeats are skipped). */
  | { readonly type: 'hub_event'; readonly now: number; readonly event: ChannelEvent }
  /** The hub refused an append or update_row of a row (a code): its text is no longer in sync. */
  | { readonly type: 'row_refused'; readonly now: number; readonly item_key: string; readonly code: string }
  /** `--resume`: the session thread as the hub has it, before any hub event (recovery.ts). */
  | { readonly type: 'recover'; readonly now: number; readonly thread: ThreadSnapshot }
  /** Time passed: flush window, heartbeat, approval expiry, an unreachable model's deadline, a quiet turn's probe. */
  | { readonly type: 'tick'; readonly now: number }
  /** The answer to `probe_model`: whether anything answers HTTP at the agent's model URL. */
  | ModelProbed
  | { readonly type: 'close'; readonly now: number; readonly reason: string }
  /** Scan results, preview_open replies, a hub reconnect: the previews sub-state's own inputs. */
  | PreviewsInput;

export interface StepResult {
  readonly state: SessionState;
  readonly effects: Effect[];
}

export function step(state: SessionState, input: SessionInput): StepResult {
  const ctx: Ctx = { s: { ...state }, now: input.now, out: [] };
  if (state.closed && input.type !== 'tick') {
    ctx.out.push(log('debug', 'input_after_close', { input: input.type }));
    return { state, effects: ctx.out };
  }
  switch (input.type) {
    case 'hub_event':
      onHubEvent(ctx, input.event);
      break;
    case 'listeners_scanned':
    case 'listener_scan_failed':
    case 'preview_opened':
    case 'preview_open_failed':
    case 'hub_reconnected':
      withPreviews(ctx, (p) => stepPreviews(p, input));
      break;
    case 'row_refused':
      ctx.s.stream = refused(ctx.s.stream, input.item_key);
      break;
    case 'recover':
      onRecover(ctx, input.thread);
      break;
    case 'tick':
      onTick(ctx);
      break;
    case 'model_probed':
      onModelProbed(ctx, input);
      break;
    case 'close':
      onClose(ctx, input.reason);
      break;
    case 'turn_started':
    case 'turn_completed':
    case 'turn_start_ok':
    case 'turn_start_failed':
    case 'item_started':
    case 'item_delta':
    case 'item_completed':
    case 'approval_requested':
    case 'approval_withdrawn':
    case 'request_unsupported':
    case 'user_input':
    case 'thread_started':
    case 'thread_start_failed':
    case 'agent_exited':
    case 'agent_note':
    case 'agent_trouble':
      onAgentInput(ctx, input);
      noteHeard(ctx, input);
      break;
    default:
      return assertNever(input, 'session input');
  }
  publish(ctx);
  advanceAck(ctx);
  noteStates(ctx);
  return { state: ctx.s, effects: ctx.out };
}

/** When the shell should tick next (the past means now); null when nothing is waiting on time. */
export function nextDeadline(state: SessionState): number | null {
  const due: number[] = [];
  if (hasPending(state.stream)) due.push((state.lastFlushAt ?? Number.NEGATIVE_INFINITY) + state.config.flushMs);
  if (state.lastBeatAt !== null) due.push(state.lastBeatAt + state.config.heartbeatMs);
  const expiry = nextExpiry(state.approvals);
  if (expiry !== null) due.push(expiry);
  const scan = state.previews === null ? null : previewsDeadline(state.previews);
  if (scan !== null) due.push(scan);
  const unreachable = unreachableDeadline(state);
  if (unreachable !== null) due.push(unreachable);
  const probe = probeDeadline(state);
  if (probe !== null) due.push(probe);
  return due.length === 0 ? null : Math.min(...due);
}

function onHubEvent(ctx: Ctx, event: ChannelEvent): void {
  const { seq } = event.payload;
  // The protocol's seq gate: the feed resumes after the cursor; replays may repeat what was seen.
  if (admit(ctx.s.lastSeq, seq).type === 'repeat') {
    ctx.out.push(log('debug', 'hub_event_repeat', { seq, type: event.type }));
    return;
  }
  ctx.s.lastSeq = seq;
  switch (event.type) {
    case 'message':
      return onMessage(ctx, event.payload.message);
    case 'control':
      return onControl(ctx, event.payload);
    case 'append':
    case 'row_updated':
    case 'state':
    case 'presence':
    case 'title':
      return;
    default:
      return assertNever(event, 'channel event');
  }
}

function onTick(ctx: Ctx): void {
  const { s, now, out } = ctx;
  if (hasPending(s.stream) && (s.lastFlushAt === null || now - s.lastFlushAt >= s.config.flushMs)) {
    s.stream = flush(s.stream, out);
    s.lastFlushAt = now;
  }
  const { approvals, taken: expired } = take(s.approvals, isDue(now));
  s.approvals = approvals;
  answerAll(ctx, expired, 'onExpire', 'approval expired');
  const t = s.turn;
  if (t.status === 'active' && expired.some((p) => p.turnId === t.turnId)) s.turn = { ...t, activity: 'approval expired', expired: true };
  if (s.lastBeatAt !== null && (s.turn.status !== 'idle' || s.foreign !== null) && now - s.lastBeatAt >= s.config.heartbeatMs) {
    out.push({ type: 'runner_status', status: 'working', thread_id: s.bound });
    s.lastBeatAt = now;
  }
  withPreviews(ctx, (p) => previewsTick(p, now));
  giveUpIfUnreachable(ctx);
  probeIfQuiet(ctx);
}

/** Runs one previews entry point on the session's previews sub-state (none when port forwarding is off). */
function withPreviews(ctx: Ctx, fn: (p: PreviewsState) => PreviewsResult): void {
  if (ctx.s.previews === null) return;
  const result = fn(ctx.s.previews);
  ctx.s.previews = result.state;
  ctx.out.push(...result.effects);
}

/** The runner is closing: decline approvals, close the turn's rows, fail what can no longer run. */
function onClose(ctx: Ctx, reason: string): void {
  const { s, out } = ctx;
  s.stream = flush(s.stream, out);
  rejectApprovals(ctx, reason);
  const t = s.turn;
  if (t.status === 'active' || t.status === 'completing') s.stream = finishTurn(s.stream, streamConfig(s), t.turnId, 'interrupted', out);
  abandonForeign(ctx, { status: 'interrupted' }, reason);
  // Every open preview closes, and its row (and every open prompt's) says the runner closed.
  withPreviews(ctx, closePreviews);
  const failed = { state: 'failed', reason: `the runner closed: ${reason}`, approval: null } as const;
  // The approvals just rejected are on the turn's record.
  if (s.turn.status !== 'idle') out.push(setState(s.turn.message.message_id, { ...failed, ...onRecord(s.turn) }));
  for (const m of s.queue) out.push(setState(m.message_id, failed));
  s.queue = [];
  if (s.lastBeatAt !== null) out.push({ type: 'runner_status', status: 'idle', thread_id: s.bound });
  s.lastBeatAt = null;
  s.closed = true;
  s.turn = { status: 'idle' };
  out.push(log('info', 'session_closed', { reason }));
}
