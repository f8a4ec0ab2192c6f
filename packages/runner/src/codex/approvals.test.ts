// The Codex adapter's approvals: requests shaped as codex 0.169.0 sends them
// (docs/decisions/codex-app-server.md), as agent approval requests with the exact Codex answer
// behind each choice id.
import { describe, expect, it } from 'vitest';
import { item, request } from '../../test/session-fixtures.js';
import { CodexAdapter } from './adapter.js';
import { draftApproval, seenChange, type Drafted, type SeenChange } from './approvals.js';
import type { ServerRequest } from './generated/index.js';

const none = (): SeenChange | undefined => undefined;

function draft(req: ServerRequest, seen: (key: string) => SeenChange | undefined = none): Drafted {
  const d = draftApproval(req, seen);
  if (typeof d === 'string') throw new Error(d);
  return d;
}

describe('Codex approval requests', () => {
  it('turns a command request into a prompt with the choices Codex offers, plus Deny', () => {
    const req = request.command(0, 't1', 'call_6', ['accept', { acceptWithExecpolicyAmendment: { execpolicy_amendment: ['echo', 'hi'] } }, 'cancel']);
    const { request: approval, answers, threadId } = draft(req);
    expect(threadId).toBe('019a-thread');
    expect(approval).toEqual({
      requestId: '0',
      turnId: 't1',
      itemKey: 't1:call_6',
      kind: 'command',
      summary: "/bin/bash -lc 'echo hi'",
      reason: 'Need to run echo outside the sandbox',
      choices: [
        { id: 'approve', label: 'Approve', description: 'Run it this once.' },
        { id: 'approve_rule', label: 'Always allow', description: 'Run it, and allow commands starting with `echo hi` from now on.' },
        { id: 'deny', label: 'Deny', description: 'Do not run it; the agent continues without it.' },
        { id: 'cancel', label: 'Cancel', description: 'Do not run it, and stop the turn.' },
      ],
      // What each choice means, for the record of the decision ("Always allow" is always_allowed).
      outcomes: { approve: 'approved', approve_rule: 'always_allowed', deny: 'denied', cancel: 'cancelled' },
      detail: { cwd: '/abs/ws', approval_kind: 'command', command_actions: [], additional_permissions: null },
      onReject: 'deny',
      onExpire: 'cancel',
    });
    const method = 'item/commandExecution/requestApproval';
    expect(answers).toEqual({
      approve: { method, result: { decision: 'accept' } },
      approve_rule: { method, result: { decision: { acceptWithExecpolicyAmendment: { execpolicy_amendment: ['echo', 'hi'] } } } },
      deny: { method, result: { decision: 'decline' } },
      cancel: { method, result: { decision: 'cancel' } },
    });
  });

  it('offers approve / approve for session / deny when Codex lists no decisions (cancel stays the expiry answer)', () => {
    const { request: approval, answers } = draft(request.command(1, 't1', 'call_1'));
    expect(approval.choices.map((c) => [c.id, c.label])).toEqual([
      ['approve', 'Approve'],
      ['approve_session', 'Approve for session'],
      ['deny', 'Deny'],
    ]);
    expect(answers.approve_session?.result).toEqual({ decision: 'acceptForSession' });
    expect(answers[approval.onExpire]?.result).toEqual({ decision: 'cancel' });
  });

  it('joins a file-change request with the diff seen in item/started', () => {
    const change = seenChange(item.fileChange('call_3', [{ path: '/abs/ws/hello.txt', kind: { type: 'add' }, diff: 'hello world\n' }]));
    const seen = (key: string) => (key === 't1:call_3' && change !== null ? change : undefined);
    const { request: approval, answers } = draft(request.fileChange(0, 't1', 'call_3'), seen);
    expect(approval.kind).toBe('file_change');
    expect(approval.summary).toBe('/abs/ws/hello.txt\n\n--- /dev/null\n+++ /abs/ws/hello.txt\n@@ -0,0 +1,1 @@\n+hello world\n');
    expect(approval.detail).toMatchObject({ paths: ['/abs/ws/hello.txt'] });
    expect(answers.deny).toEqual({ method: 'item/fileChange/requestApproval', result: { decision: 'decline' } });
    expect(draft(request.fileChange(1, 't1', 'unseen'), seen).request.summary).toBe('Apply a patch');
  });

  it('the adapter remembers file changes from item/started and answers a choice once', () => {
    const adapter = new CodexAdapter();
    adapter.notification({ method: 'item/started', params: { threadId: 'th', turnId: 't1', item: item.fileChange('call_3', [{ path: '/a', kind: { type: 'add' }, diff: 'x\n' }]), startedAtMs: 0 } }, 0);
    const input = adapter.request(request.fileChange(0, 't1', 'call_3'), 0);
    expect(input).toMatchObject({ type: 'approval_requested', requestId: '0', summary: '/a\n\n--- /dev/null\n+++ /a\n@@ -0,0 +1,1 @@\n+x\n' });
    expect(adapter.answer('0', 'approve')).toEqual({ kind: 'result', result: { decision: 'accept' } });
    expect(adapter.answer('0', 'approve')).toBeUndefined();
    expect(adapter.refuse('7', 'no')).toEqual({ kind: 'error', code: -32603, message: 'no' });
  });

  it('permissions: grant for the turn or the session, or nothing', () => {
    const { request: approval, answers } = draft({
      method: 'item/permissions/requestApproval',
      id: 4,
      params: { threadId: 'th', turnId: 't1', itemId: 'p1', environmentId: null, startedAtMs: 0, cwd: '/abs/ws', reason: 'needs network', permissions: { network: { enabled: true }, fileSystem: null } },
    });
    expect(approval).toMatchObject({ kind: 'permissions', summary: 'needs network' });
    expect(answers.approve_session?.result).toEqual({ permissions: { network: { enabled: true } }, scope: 'session' });
    expect(answers[approval.onReject]?.result).toEqual({ permissions: {}, scope: 'turn' });
  });

  it('user input: the options of a single question, and skip', () => {
    const { request: approval, answers } = draft({
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
    expect(approval).toMatchObject({ kind: 'user_input', summary: 'Color: Which one?' });
    expect(approval.choices.map((c) => c.label)).toEqual(['Red', 'Blue', 'Skip']);
    expect(answers.option_1?.result).toEqual({ answers: { color: { answers: ['Blue'] } } });
    expect(answers[approval.onExpire]?.result).toEqual({ answers: {} });
  });

  it('refuses server requests that are not approvals', () => {
    expect(draftApproval({ method: 'currentTime/read', id: 9, params: { threadId: 'th' } }, none)).toBe('currentTime/read is not handled by the Pilothouse session');
    expect(new CodexAdapter().request({ method: 'currentTime/read', id: 9, params: { threadId: 'th' } }, 3)).toEqual({
      type: 'request_unsupported',
      now: 3,
      requestId: '9',
      turnId: null,
      method: 'currentTime/read',
      reason: 'currentTime/read is not handled by the Pilothouse session',
      approval: false,
    });
  });
});
