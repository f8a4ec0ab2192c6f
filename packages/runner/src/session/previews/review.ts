// Port-forward review: the decisions of the previews sub-state. For each listener seen it prompts,
// skips, revokes or closes; it resolves prompts by button or chat command (the one place a
// port-forward decision is authorised). Rules: docs/cli.md "Previews (port forwarding)", docs/protocol.md §14.
import { assertNever, mayDecide } from '@pilothouse/protocol';
import type { ActorRef, AllowedActor } from '../actors.js';
import { decisionLog, type LogEffect } from '../effects.js';
import { parseCommand } from './commands.js';
import { PROMPT_CHOICES, type Choice } from './rows.js';

/** Every registry here holds at most this many entries; the oldest goes first. */
export const REVIEW_CAP = 64;

export interface Target {
  readonly port: number;
  readonly pid: number;
  readonly command: string;
  readonly cwd: string;
}

export interface PendingRequest {
  readonly id: string;
  readonly target: Target;
}

export interface Approval {
  readonly port: number;
  /** The process approved; null for `--forward` or manual forwards until a listener shows up. */
  readonly target: Target | null;
  readonly source: 'initial' | 'prompt' | 'manual';
}

export interface ReviewConfig {
  /** False until the session is bound to a thread: nowhere to prompt. */
  readonly bound: boolean;
  readonly suppressed: readonly number[];
  readonly allowed: readonly AllowedActor[];
  /** Request ids are `${idPrefix}${seq}`. */
  readonly idPrefix: string;
}

export interface ReviewState {
  readonly config: ReviewConfig;
  readonly seq: number;
  readonly pending: readonly PendingRequest[];
  readonly approved: readonly Approval[];
  /** Denied (port, pid) pairs: not asked again while that process lives. */
  readonly dismissed: readonly Target[];
}

export type ReviewEvent =
  | { readonly type: 'listener_seen'; readonly listener: Target }
  | { readonly type: 'listener_closed'; readonly listener: Target }
  | { readonly type: 'bound_changed'; readonly bound: boolean }
  | { readonly type: 'decision'; readonly id: string; readonly decision: Decision; readonly actor: ActorRef | null; readonly via: Via }
  | { readonly type: 'manual_forward'; readonly port: number; readonly actor: ActorRef | null }
  | { readonly type: 'chat_command'; readonly text: string; readonly actor: ActorRef | null };

export type Decision = 'approve' | 'deny';
/** How a decision reached the review: the prompt's buttons, a chat command, or an alert's action (a decision code). */
export type Via = 'button' | 'command' | 'push' | 'email';

export type RejectCode = 'port_forward_request_not_found' | 'sender_not_allowed' | 'invalid_port' | 'invalid_command';
export type SkipReason = 'not_bound' | 'suppressed' | 'already_approved' | 'already_pending' | 'dismissed';

export type ReviewEffect =
  | {
      readonly type: 'prompt';
      readonly id: string;
      readonly port: number;
      readonly pid: number;
      readonly command: string;
      readonly cwd: string;
      readonly label: string;
      readonly choices: readonly Choice[];
    }
  | {
      readonly type: 'resolved';
      readonly id: string | null;
      readonly port: number;
      readonly outcome: 'approved' | 'denied';
      readonly target: Target | null;
      readonly actor: ActorRef | null;
      readonly via: Via | 'manual';
    }
  /** An approved port (`--forward`, manual) is now held by this process: serve it (or name it). */
  | { readonly type: 'found'; readonly port: number; readonly target: Target; readonly source: 'initial' | 'manual' }
  | { readonly type: 'revoked'; readonly port: number; readonly previous: Target | null; readonly reason: 'listener_changed' | 'evicted' }
  | { readonly type: 'closed'; readonly port: number; readonly target: Target; readonly id: string | null; readonly was: 'pending' | 'approved'; readonly reason: 'process_exited' | 'evicted' }
  | { readonly type: 'rejected'; readonly code: RejectCode; readonly id: string | null; readonly port: number | null; readonly actor: ActorRef | null }
  | LogEffect;

export interface StepResult {
  readonly state: ReviewState;
  readonly effects: readonly ReviewEffect[];
}

export function initialReviewState(options: {
  bound: boolean;
  allowed: readonly AllowedActor[];
  suppressed?: readonly number[];
  initialForward?: readonly number[];
  idPrefix?: string;
}): ReviewState {
  const ports = [...new Set(options.initialForward ?? [])].filter(isPort).slice(-REVIEW_CAP);
  return {
    config: { bound: options.bound, allowed: options.allowed, suppressed: options.suppressed ?? [], idPrefix: options.idPrefix ?? 'pf_' },
    seq: 0,
    pending: [],
    approved: ports.map((port) => ({ port, target: null, source: 'initial' })),
    dismissed: [],
  };
}

export function promptLabel(target: Target): string {
  return `Open runner port ${target.port} from ${target.command}?`;
}

export function step(state: ReviewState, event: ReviewEvent): StepResult {
  switch (event.type) {
    case 'listener_seen':
      return onSeen(state, event.listener);
    case 'listener_closed':
      return onClosed(state, event.listener);
    case 'bound_changed':
      return { state: { ...state, config: { ...state.config, bound: event.bound } }, effects: [] };
    case 'decision':
      return onDecision(state, event.id, event.decision, event.actor, event.via);
    case 'manual_forward':
      return onManualForward(state, event.port, event.actor);
    case 'chat_command': {
      const command = parseCommand(event.text);
      if (command === null) return { state, effects: [] };
      switch (command.type) {
        case 'approve':
        case 'deny':
          return onDecision(state, command.id, command.type, event.actor, 'command');
        case 'forward':
          return onManualForward(state, command.port, event.actor);
        case 'malformed':
          return { state, effects: [{ type: 'rejected', code: 'invalid_command', id: null, port: null, actor: event.actor }, refused(event.actor, command.verb, 'invalid_command', { reason: command.reason })] };
        default:
          return assertNever(command, 'port command');
      }
    }
    default:
      return assertNever(event, 'review event');
  }
}

function onSeen(state: ReviewState, listener: Target): StepResult {
  const skip = (reason: SkipReason): StepResult => ({
    state,
    effects: [log('forward_port_skipped', { reason, port: listener.port, pid: listener.pid })],
  });
  if (!state.config.bound) return skip('not_bound');
  if (state.config.suppressed.includes(listener.port)) return skip('suppressed');
  const effects: ReviewEffect[] = [];
  let next = state;
  const approval = state.approved.find((a) => a.port === listener.port);
  if (approval !== undefined) {
    if (approval.target === null) {
      // An approved port (--forward, manual) found with its process: remember the target.
      const approved = state.approved.map((a) => (a === approval ? { ...a, target: listener } : a));
      // Only initial and manual approvals start without a target.
      const source = approval.source === 'prompt' ? 'manual' : approval.source;
      return {
        state: { ...state, approved },
        effects: [
          { type: 'found', port: listener.port, target: listener, source },
          log('forward_port_target_found', { port: listener.port, pid: listener.pid, source: approval.source }),
        ],
      };
    }
    if (approval.target.pid === listener.pid) return skip('already_approved');
    next = { ...next, approved: next.approved.filter((a) => a !== approval) };
    effects.push(
      { type: 'revoked', port: listener.port, previous: approval.target, reason: 'listener_changed' },
      log('forward_port_revoked', { reason: 'listener_changed', port: listener.port, previous_pid: approval.target.pid, pid: listener.pid }),
    );
  }
  if (next.pending.some((p) => p.target.port === listener.port)) return { state: next, effects: [...effects, ...skip('already_pending').effects] };
  if (next.dismissed.some((d) => d.port === listener.port && d.pid === listener.pid)) return { state: next, effects: [...effects, ...skip('dismissed').effects] };
  const id = `${next.config.idPrefix}${next.seq + 1}`;
  const [pending, evicted] = capped([...next.pending, { id, target: listener }]);
  effects.push(
    { type: 'prompt', id, port: listener.port, pid: listener.pid, command: listener.command, cwd: listener.cwd, label: promptLabel(listener), choices: PROMPT_CHOICES },
    log('forward_port_requested', { id, port: listener.port, pid: listener.pid, command: listener.command, cwd: listener.cwd }),
    ...evicted.map((p): ReviewEffect => ({ type: 'closed', port: p.target.port, target: p.target, id: p.id, was: 'pending', reason: 'evicted' })),
  );
  return { state: { ...next, seq: next.seq + 1, pending }, effects };
}

function onClosed(state: ReviewState, listener: Target): StepResult {
  const same = (t: Target | null): boolean => t !== null && t.port === listener.port && t.pid === listener.pid;
  const effects: ReviewEffect[] = [];
  const pending = state.pending.filter((p) => {
    if (!same(p.target)) return true;
    effects.push({ type: 'closed', port: p.target.port, target: p.target, id: p.id, was: 'pending', reason: 'process_exited' });
    return false;
  });
  const approved: Approval[] = [];
  for (const a of state.approved) {
    if (a.target === null || !same(a.target)) {
      approved.push(a);
      continue;
    }
    effects.push({ type: 'closed', port: a.port, target: a.target, id: null, was: 'approved', reason: 'process_exited' });
    // `--forward` ports stay approved for whatever listens next; approvals of one process end with it.
    if (a.source === 'initial') approved.push({ ...a, target: null });
  }
  // The pid may be reused by an unrelated process: forget the dismissal with the process.
  const dismissed = state.dismissed.filter((d) => !same(d));
  if (effects.length > 0) effects.push(log('forward_port_closed', { port: listener.port, pid: listener.pid }));
  return { state: { ...state, pending, approved, dismissed }, effects };
}

function onDecision(state: ReviewState, id: string, decision: Decision, actor: ActorRef | null, via: Via): StepResult {
  const request = state.pending.find((p) => p.id === id);
  if (request === undefined) {
    return { state, effects: [{ type: 'rejected', code: 'port_forward_request_not_found', id, port: null, actor }, refused(actor, id, 'port_forward_request_not_found', { via })] };
  }
  if (!mayDecide(state.config.allowed, actor)) {
    return {
      state,
      effects: [{ type: 'rejected', code: 'sender_not_allowed', id, port: request.target.port, actor }, refused(actor, id, 'sender_not_allowed', { port: request.target.port, via })],
    };
  }
  const pending = state.pending.filter((p) => p !== request);
  const { target } = request;
  switch (decision) {
    case 'approve': {
      const [approved, effects] = addApproval(state.approved.filter((a) => a.port !== target.port), { port: target.port, target, source: 'prompt' });
      return {
        state: { ...state, pending, approved },
        effects: [{ type: 'resolved', id, port: target.port, outcome: 'approved', target, actor, via }, decided(actor, id, 'approved', { port: target.port, via }), ...effects],
      };
    }
    case 'deny': {
      const [dismissed] = capped([...state.dismissed, target]);
      return {
        state: { ...state, pending, dismissed },
        effects: [{ type: 'resolved', id, port: target.port, outcome: 'denied', target, actor, via }, decided(actor, id, 'denied', { port: target.port, reason: 'port_forward_denied', via })],
      };
    }
    default:
      return assertNever(decision, 'decision');
  }
}

function onManualForward(state: ReviewState, port: number, actor: ActorRef | null): StepResult {
  const target = `port ${port}`;
  if (!isPort(port)) return { state, effects: [{ type: 'rejected', code: 'invalid_port', id: null, port, actor }, refused(actor, target, 'invalid_port', { port, via: 'manual' })] };
  if (!mayDecide(state.config.allowed, actor)) {
    return { state, effects: [{ type: 'rejected', code: 'sender_not_allowed', id: null, port, actor }, refused(actor, target, 'sender_not_allowed', { port, via: 'manual' })] };
  }
  if (state.approved.some((a) => a.port === port)) return { state, effects: [decided(actor, target, 'approved', { port, via: 'manual', already: true })] };
  // The listen user asking is the approval; a prompt already out for the port is resolved by it.
  const request = state.pending.find((p) => p.target.port === port);
  if (request !== undefined) return onDecision(state, request.id, 'approve', actor, 'command');
  const [approved, effects] = addApproval(state.approved, { port, target: null, source: 'manual' });
  return {
    state: { ...state, approved },
    effects: [{ type: 'resolved', id: null, port, outcome: 'approved', target: null, actor, via: 'manual' }, decided(actor, target, 'approved', { port, via: 'manual' }), ...effects],
  };
}

function addApproval(list: readonly Approval[], approval: Approval): [Approval[], ReviewEffect[]] {
  const [approved, evicted] = capped([...list, approval]);
  return [approved, evicted.map((a): ReviewEffect => ({ type: 'revoked', port: a.port, previous: a.target, reason: 'evicted' }))];
}

function capped<T>(list: T[]): [T[], T[]] {
  const over = Math.max(0, list.length - REVIEW_CAP);
  return [list.slice(over), list.slice(0, over)];
}

function isPort(port: number): boolean {
  return Number.isInteger(port) && port >= 1 && port <= 65535;
}

function log(event: string, fields: Record<string, unknown>): ReviewEffect {
  return { type: 'log', level: 'info', event, fields };
}

/** The one structured line per port-forward decision (target: the request id, or `port N`). */
function decided(actor: ActorRef | null, target: string, outcome: 'approved' | 'denied', extra: Record<string, unknown>): ReviewEffect {
  return decisionLog('port_forward', actor?.name ?? 'runner', target, outcome, extra);
}

function refused(actor: ActorRef | null, target: string, code: RejectCode, extra: Record<string, unknown>): ReviewEffect {
  return decisionLog('port_forward', actor?.name ?? 'runner', target, `refused:${code}`, { code, ...extra });
}
