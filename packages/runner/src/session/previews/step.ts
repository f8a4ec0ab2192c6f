// The previews sub-machine's entry points, called from the session's `step`: scan results and
// their failures, the hub's replies to preview_open, a reconnect, the clock (the next scan), close,
// and the two ways people decide: `/pilothouse …` chat commands and resolve_port_forward buttons.
// Each returns the new previews state and the session effects; the input state is never changed.

import { assertNever } from '@pilothouse/protocol';
import type { Actor, ChannelEventPayloads } from '@pilothouse/protocol';
import { describeAllowed } from '../actors.js';
import { clientId, decisionLog, log, setState, type Effect } from '../effects.js';
import { parseCommand, unknownCommand } from './commands.js';
import { closeAll, openFailed, opened, perform, reopenAll, type Run } from './outcomes.js';
import { step as review, type ReviewEffect, type ReviewEvent, type Target } from './review.js';
import type { PreviewsState } from './state.js';

export type PreviewsInput =
  /** One scan of what the agent's processes listen on (the answer to scan_listeners). */
  | { readonly type: 'listeners_scanned'; readonly now: number; readonly listeners: readonly Target[] }
  /** `permanent`: the scanner cannot work here (a tool is missing): no more scans. */
  | { readonly type: 'listener_scan_failed'; readonly now: number; readonly error: string; readonly permanent: boolean }
  | { readonly type: 'preview_opened'; readonly now: number; readonly preview_id: string; readonly url: string }
  | { readonly type: 'preview_open_failed'; readonly now: number; readonly preview_id: string; readonly error: string }
  /** The hub connection came back after a loss. */
  | { readonly type: 'hub_reconnected'; readonly now: number };

export interface PreviewsResult {
  readonly state: PreviewsState;
  readonly effects: Effect[];
}

type Control = ChannelEventPayloads['control'];
type Rejected = Extract<ReviewEffect, { type: 'rejected' }>;

const OFF = 'port forwarding is off on this runner';

export function stepPreviews(state: PreviewsState, input: PreviewsInput): PreviewsResult {
  return within(state, (run) => {
    if (run.p.closed) return;
    switch (input.type) {
      case 'listeners_scanned':
        return scanned(run, input.now, input.listeners);
      case 'listener_scan_failed':
        return scanFailed(run, input.now, input.error, input.permanent);
      case 'preview_opened':
        return opened(run, input.preview_id, input.url);
      case 'preview_open_failed':
        return openFailed(run, input.preview_id, input.error);
      case 'hub_reconnected':
        return reopenAll(run);
      default:
        return assertNever(input, 'previews input');
    }
  });
}

/** Time passed: ask the shell for the scan that is due (one at a time). */
export function previewsTick(state: PreviewsState, now: number): PreviewsResult {
  return within(state, (run) => {
    const { scan } = run.p;
    if (run.p.closed || scan.status !== 'idle' || now < scan.dueAt) return;
    run.p = { ...run.p, scan: { status: 'scanning', failing: scan.failing } };
    run.out.push({ type: 'scan_listeners' });
  });
}

export function closePreviews(state: PreviewsState): PreviewsResult {
  return within(state, (run) => (run.p.closed ? undefined : closeAll(run)));
}

/** A `/pilothouse …` message (any author: the review decides who may); it ends processed or failed. */
export function portCommand(state: PreviewsState | null, messageId: string, text: string, actor: Actor): { state: PreviewsState | null; effects: Effect[] } {
  const fail = (reason: string): Effect => setState(messageId, { state: 'failed', reason, approval: null });
  const parsed = parseCommand(text);
  if (parsed === null) return { state, effects: [fail(unknownCommand(text))] };
  const target = parsed.type === 'forward' ? `port ${parsed.port}` : parsed.type === 'malformed' ? parsed.verb : parsed.id;
  const refused = (reason: string) => decisionLog('port_forward', actor.name, target, 'refused:invalid_command', { code: 'invalid_command', reason, via: 'command' });
  if (state === null || state.closed) return { state, effects: [fail(`invalid_command: ${OFF}`), refused(OFF)] };
  if (parsed.type === 'malformed') return { state, effects: [fail(`invalid_command: ${parsed.verb}: ${parsed.reason}`), refused(parsed.reason)] };
  return within(state, (run) => {
    const event: ReviewEvent = parsed.type === 'forward' ? { type: 'manual_forward', port: parsed.port, actor } : { type: 'decision', id: parsed.id, decision: parsed.type, actor, via: 'command' };
    const effects = decide(run, event);
    const rejected = effects.find((e) => e.type === 'rejected');
    const resolved = effects.find((e) => e.type === 'resolved');
    if (rejected !== undefined) return void run.out.push(fail(`${rejected.code}: ${describeRejection(rejected, run.p)}`));
    const note = resolved !== undefined ? `port ${resolved.port} ${resolved.outcome}` : parsed.type === 'forward' ? `port ${parsed.port} is already approved` : null;
    run.out.push(setState(messageId, { state: 'processed', reason: note, approval: null }));
  });
}

/** A resolve_port_forward button; a refusal becomes a notice row keyed by the control (idempotent). */
export function portControl(state: PreviewsState | null, control: Control, requestId: string, decision: 'approve' | 'deny'): { state: PreviewsState | null; effects: Effect[] } {
  if (state === null || state.closed) {
    const refused = decisionLog('port_forward', control.actor.name, requestId, 'refused:invalid_command', { code: 'invalid_command', reason: OFF, via: 'button' });
    return { state, effects: [notice(control, 'invalid_command', `${OFF}.`, state?.threadId ?? control.thread_id), refused] };
  }
  return within(state, (run) => {
    const effects = decide(run, { type: 'decision', id: requestId, decision, actor: control.actor, via: control.via ?? 'button' });
    const rejected = effects.find((e) => e.type === 'rejected');
    if (rejected !== undefined) run.out.push(notice(control, rejected.code, describeRejection(rejected, run.p), run.p.threadId));
  });
}

function within(state: PreviewsState, body: (run: Run) => void): PreviewsResult {
  const run: Run = { p: state, out: [] };
  body(run);
  return { state: run.p, effects: run.out };
}

/** One review event: its decisions become rows and pushes; the review's own effects are returned. */
function decide(run: Run, event: ReviewEvent): readonly ReviewEffect[] {
  const result = review(run.p.review, event);
  run.p = { ...run.p, review: result.state };
  for (const effect of result.effects) perform(run, effect);
  return result.effects;
}

/** A scan's diff against the last one, keyed by (port, pid): exits first, then new listeners. */
function scanned(run: Run, now: number, listeners: readonly Target[]): void {
  const { scan, config } = run.p;
  if (scan.status === 'off' || config.scanMs === null) return;
  const key = (t: Target) => `${t.port}/${t.pid}`;
  const known = new Set(run.p.listeners.map(key));
  const fresh = listeners.map((l): Target => ({ port: l.port, pid: l.pid, command: l.command, cwd: l.cwd }));
  const freshKeys = new Set(fresh.map(key));
  const before = run.p.listeners;
  run.p = { ...run.p, listeners: fresh, scan: { status: 'idle', dueAt: now + config.scanMs, failing: false } };
  for (const l of before) if (!freshKeys.has(key(l))) decide(run, { type: 'listener_closed', listener: l });
  for (const l of fresh) if (!known.has(key(l))) decide(run, { type: 'listener_seen', listener: l });
}

/** Said once per run of failures (the scan runs again on schedule), or once for good if permanent. */
function scanFailed(run: Run, now: number, error: string, permanent: boolean): void {
  const { scan, config } = run.p;
  if (scan.status === 'off' || config.scanMs === null) return;
  run.out.push(log(scan.failing ? 'debug' : 'warn', 'forward_port_scan_failed', { err: error, permanent }));
  run.p = { ...run.p, scan: permanent ? { status: 'off' } : { status: 'idle', dueAt: now + config.scanMs, failing: true } };
}

function notice(control: Control, code: string, message: string, threadId: string): Effect {
  return {
    type: 'post_row',
    turn_id: null,
    payload: {
      client_id: clientId('port-control', control.control_id),
      thread_id: threadId,
      kind: 'notice',
      body: `resolve_port_forward refused: ${message}`,
      meta: { code, control_id: control.control_id, action: 'resolve_port_forward', actor: control.actor.name },
    },
  };
}

function describeRejection(rejected: Rejected, p: PreviewsState): string {
  switch (rejected.code) {
    case 'sender_not_allowed':
      return `${rejected.actor?.name ?? 'nobody'} may not decide port forwards (${describeAllowed(p.allowed)} can).`;
    case 'port_forward_request_not_found':
      return `No pending port-forward request "${rejected.id ?? ''}" (already decided, closed, or never asked).`;
    case 'invalid_port':
      return `${String(rejected.port)} is not a TCP port (1–65535).`;
    case 'invalid_command':
      return 'Use approve-port-forward <id>, deny-port-forward <id> or forward <port>.';
    default:
      return assertNever(rejected.code, 'rejection code');
  }
}
