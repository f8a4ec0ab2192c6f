// Pending approvals, as plain data: an agent's approval request becomes the prompt the message
// state shows, resolved once by an allowed actor with one of its choices; the agent may also
// withdraw it, it may expire, or be rejected when its turn ends or the runner closes. What a
// choice means to the agent stays in its adapter; the core only names choices.

import { mayDecide, type Approval, type DecisionOutcome } from '@pilothouse/protocol';
import type { ApprovalRequest } from '../agent/vocabulary.js';
import type { ActorRef, AllowedActor } from './actors.js';
import * as lru from './bounded.js';

export interface ApprovalContext {
  readonly now: number;
  readonly allowed: readonly AllowedActor[];
  /** Approval policy and sandbox in force, shown with the prompt. */
  readonly policy: Readonly<Record<string, string | null>>;
  readonly timeoutMs: number | null;
  readonly cap: number;
}

export interface PendingApproval {
  /** The wire shape published with the message state (request_id is `${turnId}:${requestId}`). */
  readonly approval: Approval;
  /** The agent's id of the request. */
  readonly requestId: string;
  readonly turnId: string;
  readonly itemKey: string;
  /** What each choice id means (for the record of the decision). */
  readonly outcomes: Readonly<Record<string, DecisionOutcome>>;
  /** Sent when the turn is interrupted or fails, or the runner closes. */
  readonly onReject: string;
  /** Sent when nobody decided in time. */
  readonly onExpire: string;
  readonly expiresAt: number | null;
}

/** Keyed by the wire request id, oldest first. */
export type Approvals = lru.Lru<PendingApproval>;

export type ResolveResult =
  | { readonly ok: true; readonly approvals: Approvals; readonly pending: PendingApproval; readonly choice: string }
  | { readonly ok: false; readonly code: 'approval_request_not_found' | 'sender_not_allowed' | 'bad_request'; readonly message: string };

const SUMMARY_MAX = 20_000;
const clip = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/** Registers a request; what the cap pushed out comes back (answer each with `onExpire`). */
export function openApproval(approvals: Approvals, req: ApprovalRequest, ctx: ApprovalContext): { approvals: Approvals; pending: PendingApproval; evicted: PendingApproval[] } {
  const requestId = `${req.turnId}:${req.requestId}`;
  const expiresAt = ctx.timeoutMs === null ? null : ctx.now + ctx.timeoutMs;
  const pending: PendingApproval = {
    approval: {
      request_id: requestId,
      kind: req.kind,
      summary: clip(req.summary, SUMMARY_MAX),
      reason: req.reason === null ? null : clip(req.reason, SUMMARY_MAX),
      choices: req.choices.slice(0, 16).map((c) => ({ id: c.id, label: clip(c.label, 200), description: clip(c.description, 2000) })),
      allowed: ctx.allowed.slice(0, 64).map((a) => (a.user_id === undefined ? { name: a.name } : { name: a.name, user_id: a.user_id })),
      detail: { ...req.detail, policy: ctx.policy, ...(expiresAt === null ? {} : { expires_at: expiresAt }) },
    },
    requestId: req.requestId,
    turnId: req.turnId,
    itemKey: req.itemKey,
    outcomes: req.outcomes,
    onReject: req.onReject,
    onExpire: req.onExpire,
    expiresAt,
  };
  const set = lru.set(approvals, requestId, pending, ctx.cap);
  return { approvals: set.lru, pending, evicted: lru.values(set.evicted) };
}

export function resolveApproval(approvals: Approvals, requestId: string, choice: string, actor: ActorRef | null | undefined): ResolveResult {
  const pending = lru.get(approvals, requestId);
  if (pending === undefined) return { ok: false, code: 'approval_request_not_found', message: `No pending approval ${requestId}.` };
  if (!mayDecide(pending.approval.allowed, actor)) {
    return { ok: false, code: 'sender_not_allowed', message: `${actor?.name ?? 'An unknown actor'} may not decide this approval.` };
  }
  if (!pending.approval.choices.some((c) => c.id === choice)) return { ok: false, code: 'bad_request', message: `Approval ${requestId} has no choice ${choice}.` };
  return { ok: true, approvals: lru.remove(approvals, requestId), pending, choice };
}

/** The agent closed the request itself: the approval it was, if it was pending. */
export function withdraw(approvals: Approvals, agentRequestId: string): { approvals: Approvals; pending: PendingApproval | undefined } {
  const pending = lru.values(approvals).find((p) => p.requestId === agentRequestId);
  return { approvals: pending === undefined ? approvals : lru.remove(approvals, pending.approval.request_id), pending };
}

/** Splits off the approvals matching `test` (in age order). */
export function take(approvals: Approvals, test: (p: PendingApproval) => boolean): { approvals: Approvals; taken: PendingApproval[] } {
  const taken = lru.values(approvals).filter(test);
  return taken.length === 0 ? { approvals, taken } : { approvals: approvals.filter(([, p]) => !test(p)), taken };
}

/** Approvals whose deadline passed (answer each with `onExpire`). */
export const isDue =
  (now: number) =>
  (p: PendingApproval): boolean =>
    p.expiresAt !== null && p.expiresAt <= now;

/** The oldest pending approval of a turn: the one the message state shows. */
export function firstOf(approvals: Approvals, turnId: string): PendingApproval | undefined {
  for (const [, p] of approvals) if (p.turnId === turnId) return p;
  return undefined;
}

export function nextExpiry(approvals: Approvals): number | null {
  let next: number | null = null;
  for (const [, p] of approvals) if (p.expiresAt !== null && (next === null || p.expiresAt < next)) next = p.expiresAt;
  return next;
}
