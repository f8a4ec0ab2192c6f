import { describe, expect, it } from 'vitest';
import type { ServerRequest } from '../codex/generated/index.js';
import { ApprovalRegistry, type ApprovalContext } from './approvals.js';
import { ALICE, BOB, item, request } from './test-fixtures.js';

const ctx: ApprovalContext = {
  now: 1_000,
  allowed: [{ name: 'Alice', user_id: 'u-alice' }],
  policy: { approval_policy: 'on-request', sandbox: 'workspace-write' },
  timeoutMs: null,
};

function open(registry: ApprovalRegistry, req: ServerRequest, c: ApprovalContext = ctx) {
  const result = registry.open(req, c);
  if (result.type !== 'pending') throw new Error(result.reason);
  return result;
}

describe('ApprovalRegistry', () => {
  it('turns a command request into a prompt with the choices Codex offers, plus Deny', () => {
    const r = new ApprovalRegistry(64);
    const req = request.command(0, 't1', 'call_6', ['accept', { acceptWithExecpolicyAmendment: { execpolicy_amendment: ['echo', 'hi'] } }, 'cancel']);
    const { pending } = open(r, req);
    expect(pending.approval).toEqual({
      request_id: 't1:0',
      kind: 'command',
      summary: "/bin/bash -lc 'echo hi'",
      reason: 'Need to run echo outside the sandbox',
      choices: [
        { id: 'approve', label: 'Approve', description: 'Run it this once.' },
        { id: 'approve_rule', label: 'Always allow', description: 'Run it, and allow commands starting with `echo hi` from now on.' },
        { id: 'deny', label: 'Deny', description: 'Do not run it; the agent continues without it.' },
        { id: 'cancel', label: 'Cancel', description: 'Do not run it, and stop the turn.' },
      ],
      allowed: [{ name: 'Alice', user_id: 'u-alice' }],
      detail: {
        cwd: '/abs/ws',
        approval_kind: 'command',
        command_actions: [],
        additional_permissions: null,
        policy: { approval_policy: 'on-request', sandbox: 'workspace-write' },
      },
    });
    expect(pending.itemKey).toBe('t1:call_6');
    const method = 'item/commandExecution/requestApproval';
    expect(Object.fromEntries(pending.answers)).toEqual({
      approve: { method, result: { decision: 'accept' } },
      approve_rule: { method, result: { decision: { acceptWithExecpolicyAmendment: { execpolicy_amendment: ['echo', 'hi'] } } } },
      deny: { method, result: { decision: 'decline' } },
      cancel: { method, result: { decision: 'cancel' } },
    });
  });

  it('offers approve / approve for session / deny when Codex lists no decisions', () => {
    const { pending } = open(new ApprovalRegistry(64), request.command(1, 't1', 'call_1'));
    expect(pending.approval.choices.map((c) => [c.id, c.label])).toEqual([
      ['approve', 'Approve'],
      ['approve_session', 'Approve for session'],
      ['deny', 'Deny'],
    ]);
    expect(pending.answers.get('approve_session')?.result).toEqual({ decision: 'acceptForSession' });
  });

  it('joins a file-change request with the diff seen in item/started', () => {
    const r = new ApprovalRegistry(64);
    r.noteItem('t1', item.fileChange('call_3', [{ path: '/abs/ws/hello.txt', kind: { type: 'add' }, diff: 'hello world\n' }]));
    const { pending } = open(r, request.fileChange(0, 't1', 'call_3'));
    expect(pending.approval.kind).toBe('file_change');
    expect(pending.approval.summary).toBe('/abs/ws/hello.txt\n\n--- /dev/null\n+++ /abs/ws/hello.txt\n@@ -0,0 +1,1 @@\n+hello world\n');
    expect(pending.approval.detail).toMatchObject({ paths: ['/abs/ws/hello.txt'] });
    expect(pending.answers.get('deny')).toEqual({ method: 'item/fileChange/requestApproval', result: { decision: 'decline' } });
    expect(open(r, request.fileChange(1, 't1', 'unseen')).pending.approval.summary).toBe('Apply a patch');
  });

  it('resolves once, for an allowed actor only', () => {
    const r = new ApprovalRegistry(64);
    open(r, request.command(0, 't1', 'call_6'));
    expect(r.resolve('t1:9', 'approve', ALICE)).toMatchObject({ ok: false, code: 'approval_request_not_found' });
    expect(r.resolve('t1:0', 'approve', BOB)).toMatchObject({ ok: false, code: 'sender_not_allowed' });
    expect(r.resolve('t1:0', 'approve', null)).toMatchObject({ ok: false, code: 'sender_not_allowed' });
    expect(r.resolve('t1:0', 'maybe', ALICE)).toMatchObject({ ok: false, code: 'bad_request' });
    const ok = r.resolve('t1:0', 'approve', { user_id: 'other-id', name: 'ALICE' });
    expect(ok).toMatchObject({ ok: true, choice: 'approve', answer: { result: { decision: 'accept' } } });
    expect(r.resolve('t1:0', 'approve', ALICE)).toMatchObject({ ok: false, code: 'approval_request_not_found' });
    expect(r.size).toBe(0);
  });

  it('is closed by serverRequest/resolved', () => {
    const r = new ApprovalRegistry(64);
    open(r, request.command(0, 't1', 'call_6'));
    expect(r.closeByCodexId(0)?.approval.request_id).toBe('t1:0');
    expect(r.closeByCodexId(0)).toBeUndefined();
    expect(r.resolve('t1:0', 'approve', ALICE)).toMatchObject({ code: 'approval_request_not_found' });
  });

  it('expires after the timeout, answering cancel', () => {
    const r = new ApprovalRegistry(64);
    const { pending } = open(r, request.command(0, 't1', 'call_6'), { ...ctx, timeoutMs: 60_000 });
    expect(pending.approval.detail).toMatchObject({ expires_at: 61_000 });
    expect(r.nextExpiry()).toBe(61_000);
    expect(r.expire(60_999)).toEqual([]);
    const expired = r.expire(61_000);
    expect(expired.map((p) => p.onExpire.result)).toEqual([{ decision: 'cancel' }]);
    expect(r.nextExpiry()).toBeNull();
  });

  it('rejectAll declines the approvals of one turn, or all', () => {
    const r = new ApprovalRegistry(64);
    open(r, request.command(0, 't1', 'a'));
    open(r, request.command(1, 't2', 'b'));
    expect(r.first('t1')?.approval.request_id).toBe('t1:0');
    expect(r.rejectAll('t1').map((p) => [p.approval.request_id, p.onReject.result])).toEqual([['t1:0', { decision: 'decline' }]]);
    expect(r.first('t1')).toBeUndefined();
    expect(r.rejectAll().map((p) => p.approval.request_id)).toEqual(['t2:1']);
  });

  it('permissions: grant for the turn or the session, or nothing', () => {
    const { pending } = open(new ApprovalRegistry(64), {
      method: 'item/permissions/requestApproval',
      id: 4,
      params: { threadId: 'th', turnId: 't1', itemId: 'p1', environmentId: null, startedAtMs: 0, cwd: '/abs/ws', reason: 'needs network', permissions: { network: { enabled: true }, fileSystem: null } },
    });
    expect(pending.approval).toMatchObject({ kind: 'permissions', summary: 'needs network' });
    expect(pending.answers.get('approve_session')?.result).toEqual({ permissions: { network: { enabled: true } }, scope: 'session' });
    expect(pending.onReject.result).toEqual({ permissions: {}, scope: 'turn' });
  });

  it('user input: the options of a single question, and skip', () => {
    const { pending } = open(new ApprovalRegistry(64), {
      method: 'item/tool/requestUserInput',
      id: 5,
      params: {
        threadId: 'th',
        turnId: 't1',
        itemId: 'q1',
        isBlocking: true,
        autoResolutionMs: null,
        questions: [{ id: 'color', header: 'Color', question: 'Which one?', isOther: false, isSecret: false, options: [{ label: 'Red', description: 'warm' }, { label: 'Blue', description: 'cool' }] }],
      },
    });
    expect(pending.approval).toMatchObject({ kind: 'user_input', summary: 'Color: Which one?' });
    expect(pending.approval.choices.map((c) => c.label)).toEqual(['Red', 'Blue', 'Skip']);
    expect(pending.answers.get('option_1')?.result).toEqual({ answers: { color: { answers: ['Blue'] } } });
    expect(pending.onExpire.result).toEqual({ answers: {} });
  });

  it('refuses server requests that are not approvals', () => {
    const result = new ApprovalRegistry(64).open({ method: 'currentTime/read', id: 9, params: { threadId: 'th' } }, ctx);
    expect(result).toEqual({ type: 'unsupported', reason: 'currentTime/read is not handled by the Pilothouse session' });
  });

  it('stays within its cap, handing back what it evicted', () => {
    const r = new ApprovalRegistry(2);
    open(r, request.command(0, 't1', 'a'));
    open(r, request.command(1, 't1', 'b'));
    const third = open(r, request.command(2, 't1', 'c'));
    expect(third.evicted.map((p) => p.approval.request_id)).toEqual(['t1:0']);
    expect(r.closeByCodexId(0)).toBeUndefined();
    expect(r.size).toBe(2);
  });
});
