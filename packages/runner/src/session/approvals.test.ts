import { describe, expect, it } from 'vitest';
import type { ApprovalRequest } from '../agent/vocabulary.js';
import { ALICE, BOB } from '../../test/session-fixtures.js';
import { firstOf, isDue, nextExpiry, openApproval, resolveApproval, take, withdraw, type ApprovalContext, type Approvals } from './approvals.js';

const ctx: ApprovalContext = {
  now: 1_000,
  allowed: [{ name: 'Alice', user_id: 'u-alice' }],
  policy: { approval_policy: 'on-request', sandbox: 'workspace-write' },
  timeoutMs: null,
  cap: 64,
};

const req = (requestId: string, turnId = 't1', itemId = 'call_6'): ApprovalRequest => ({
  requestId,
  turnId,
  itemKey: `${turnId}:${itemId}`,
  kind: 'command',
  summary: "/bin/bash -lc 'echo hi'",
  reason: 'Need to run echo outside the sandbox',
  choices: [
    { id: 'approve', label: 'Approve', description: 'Run it this once.' },
    { id: 'deny', label: 'Deny', description: 'Do not run it; the agent continues without it.' },
  ],
  outcomes: { approve: 'approved', deny: 'denied', cancel: 'cancelled' },
  detail: { cwd: '/abs/ws' },
  onReject: 'deny',
  onExpire: 'cancel',
});

const open = (approvals: Approvals, r: ApprovalRequest, c: ApprovalContext = ctx) => openApproval(approvals, r, c);

describe('pending approvals (plain data)', () => {
  it('opens a prompt keyed by turn and request, with who may decide and the policy', () => {
    const before: Approvals = Object.freeze([]);
    const { approvals, pending, evicted } = open(before, req('0'));
    expect(before).toEqual([]);
    expect(evicted).toEqual([]);
    expect(pending).toEqual({
      approval: {
        request_id: 't1:0',
        kind: 'command',
        summary: "/bin/bash -lc 'echo hi'",
        reason: 'Need to run echo outside the sandbox',
        choices: req('0').choices,
        allowed: [{ name: 'Alice', user_id: 'u-alice' }],
        detail: { cwd: '/abs/ws', policy: { approval_policy: 'on-request', sandbox: 'workspace-write' } },
      },
      requestId: '0',
      turnId: 't1',
      itemKey: 't1:call_6',
      outcomes: { approve: 'approved', deny: 'denied', cancel: 'cancelled' },
      onReject: 'deny',
      onExpire: 'cancel',
      expiresAt: null,
    });
    expect(approvals).toEqual([['t1:0', pending]]);
  });

  it('resolves once, for an allowed actor only, with an offered choice only', () => {
    const { approvals } = open([], req('0'));
    expect(resolveApproval(approvals, 't1:9', 'approve', ALICE)).toMatchObject({ ok: false, code: 'approval_request_not_found' });
    expect(resolveApproval(approvals, 't1:0', 'approve', BOB)).toMatchObject({ ok: false, code: 'sender_not_allowed' });
    expect(resolveApproval(approvals, 't1:0', 'approve', null)).toMatchObject({ ok: false, code: 'sender_not_allowed' });
    expect(resolveApproval(approvals, 't1:0', 'maybe', ALICE)).toMatchObject({ ok: false, code: 'bad_request' });
    // The expiry choice is the runner's, not offered to people.
    expect(resolveApproval(approvals, 't1:0', 'cancel', ALICE)).toMatchObject({ ok: false, code: 'bad_request' });
    const ok = resolveApproval(approvals, 't1:0', 'approve', { user_id: 'other-id', name: 'ALICE' });
    expect(ok).toMatchObject({ ok: true, choice: 'approve', pending: { requestId: '0' }, approvals: [] });
    if (!ok.ok) throw new Error('not resolved');
    expect(resolveApproval(ok.approvals, 't1:0', 'approve', ALICE)).toMatchObject({ ok: false, code: 'approval_request_not_found' });
  });

  it('is withdrawn by the agent', () => {
    const { approvals } = open([], req('0'));
    const w = withdraw(approvals, '0');
    expect(w.pending?.approval.request_id).toBe('t1:0');
    expect(w.approvals).toEqual([]);
    expect(withdraw(w.approvals, '0').pending).toBeUndefined();
  });

  it('expires after the timeout, answering the expiry choice', () => {
    const { approvals, pending } = open([], req('0'), { ...ctx, timeoutMs: 60_000 });
    expect(pending.approval.detail).toMatchObject({ expires_at: 61_000 });
    expect(nextExpiry(approvals)).toBe(61_000);
    expect(take(approvals, isDue(60_999)).taken).toEqual([]);
    const expired = take(approvals, isDue(61_000));
    expect(expired.taken.map((p) => p.onExpire)).toEqual(['cancel']);
    expect(nextExpiry(expired.approvals)).toBeNull();
  });

  it('takes the approvals of one turn, or all', () => {
    let approvals = open([], req('0', 't1', 'a')).approvals;
    approvals = open(approvals, req('1', 't2', 'b')).approvals;
    expect(firstOf(approvals, 't1')?.approval.request_id).toBe('t1:0');
    const t1 = take(approvals, (p) => p.turnId === 't1');
    expect(t1.taken.map((p) => [p.approval.request_id, p.onReject])).toEqual([['t1:0', 'deny']]);
    expect(firstOf(t1.approvals, 't1')).toBeUndefined();
    expect(take(t1.approvals, () => true).taken.map((p) => p.approval.request_id)).toEqual(['t2:1']);
  });

  it('stays within its cap, handing back what it evicted', () => {
    const c = { ...ctx, cap: 2 };
    let approvals = open([], req('0', 't1', 'a'), c).approvals;
    approvals = open(approvals, req('1', 't1', 'b'), c).approvals;
    const third = open(approvals, req('2', 't1', 'c'), c);
    expect(third.evicted.map((p) => p.approval.request_id)).toEqual(['t1:0']);
    expect(withdraw(third.approvals, '0').pending).toBeUndefined();
    expect(third.approvals).toHaveLength(2);
  });
});
