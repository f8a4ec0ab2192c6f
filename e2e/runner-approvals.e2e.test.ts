// Approvals end to end: Codex asks (escalated command, patch under a read-only sandbox), the
// source message shows the prompt with its metadata, and only an allowed actor's decision counts.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Message } from '@pilothouse/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { startSessionHarness, type SessionHarness } from './support/session-harness.js';
import { hasState, runnerRows, stateOf } from './support/rows.js';

let h: SessionHarness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const CMD = 'echo approved-output';
const JUSTIFICATION = 'Need to run outside the sandbox';

/** Posts a message whose turn asks to run CMD escalated; resolves with the thread once the prompt shows. */
async function askForCommand(harness: SessionHarness, after: string[] = ['done']): Promise<{ id: string; thread: Message[] }> {
  harness.model.enqueue({ type: 'exec', cmd: CMD, escalated: JUSTIFICATION, login: false }, { type: 'text', chunks: after });
  const id = await harness.say(harness.alice, 'run it');
  const thread = await harness.waitFor(hasState(id, 'processing', 'awaiting approval'), 'approval prompt');
  return { id, thread };
}

const approvalOf = (thread: Message[], id: string) => stateOf(thread, id)!.approval!;

describe('runner approvals', () => {
  it('shows a command approval with its metadata while it is pending', async () => {
    h = await startSessionHarness();
    const { id, thread } = await askForCommand(h);
    const command = thread.find((m) => m.kind === 'command')!;
    const turnId = command.item_key!.split(':')[0]!;
    // The runner runs as alice: its root message's author is the listen user.
    const me = thread[0]!.author;
    expect(stateOf(thread, id)).toEqual({
      state: 'processing',
      reason: 'awaiting approval',
      approval: {
        request_id: `${turnId}:0`,
        kind: 'command',
        summary: command.meta!.command,
        reason: JUSTIFICATION,
        choices: [
          { id: 'approve', label: 'Approve', description: 'Run it this once.' },
          { id: 'approve_rule', label: 'Always allow', description: expect.stringContaining('echo approved-output') },
          { id: 'deny', label: 'Deny', description: 'Do not run it; the agent continues without it.' },
          { id: 'cancel', label: 'Cancel', description: 'Do not run it, and stop the turn.' },
        ],
        allowed: [{ name: 'alice', user_id: me.user_id }],
        detail: expect.objectContaining({ cwd: expect.any(String), policy: { approval_policy: 'on-request', sandbox: 'workspace-write' } }),
      },
    });
    expect(command.meta!.command).toContain(CMD);
    expect(command).toMatchObject({ kind: 'command', status: 'streaming', body: '' });
  });

  it("refuses bob's decision with sender_not_allowed; alice's approval runs the command", async () => {
    h = await startSessionHarness();
    const { id, thread } = await askForCommand(h, ['ran it']);
    const { request_id } = approvalOf(thread, id);
    await expect(h.control(h.bob, { type: 'resolve_approval', request_id, choice: 'approve' })).rejects.toMatchObject({ code: 'sender_not_allowed' });
    expect(stateOf(await h.thread(), id)).toMatchObject({ state: 'processing', reason: 'awaiting approval' });

    await h.control(h.alice, { type: 'resolve_approval', request_id, choice: 'approve' });
    const done = await h.waitFor(hasState(id, 'processed'), 'processed');
    expect(runnerRows(done)).toEqual([
      {
        kind: 'command',
        body: 'approved-output\n',
        status: 'completed',
        meta: { command: expect.stringContaining(CMD), cwd: expect.any(String), status: 'completed', exit_code: 0, duration_ms: expect.any(Number) },
      },
      { kind: 'assistant', body: 'ran it', status: 'completed', meta: {} },
    ]);
    // The prompt was cleared once decided; its record stays: who, how, what.
    expect(stateOf(done, id)).toEqual({
      state: 'processed',
      reason: null,
      approval: null,
      decided: [expect.objectContaining({ request_id, outcome: 'approved', choice: 'approve', by: { user_id: done[0]!.author.user_id, name: 'alice' }, via: 'control' })],
    });
    const reasons = h.states(id).map((s) => s.reason);
    expect(reasons.slice(reasons.indexOf('awaiting approval'))).toEqual(['awaiting approval', 'running terminal command', 'streaming response', null]);
  });

  it('a denied command ends declined and the turn completes', async () => {
    h = await startSessionHarness();
    const { id, thread } = await askForCommand(h, ['not running it']);
    await h.control(h.alice, { type: 'resolve_approval', request_id: approvalOf(thread, id).request_id, choice: 'deny' });
    const done = await h.waitFor(hasState(id, 'processed'), 'processed');
    expect(runnerRows(done)).toEqual([
      {
        kind: 'command',
        body: '',
        status: 'declined',
        meta: { command: expect.stringContaining(CMD), cwd: expect.any(String), status: 'declined', exit_code: null, duration_ms: null },
      },
      { kind: 'assistant', body: 'not running it', status: 'completed', meta: {} },
    ]);
    expect(stateOf(done, id)).toEqual({ state: 'processed', reason: null, approval: null, decided: [expect.objectContaining({ outcome: 'denied', choice: 'deny', via: 'control' })] });
  });

  it('lets a user the owner allowed (--allow bob) approve', async () => {
    h = await startSessionHarness({ runner: { allow: ['bob'] } });
    const { id, thread } = await askForCommand(h, ['bob said yes']);
    expect(approvalOf(thread, id).allowed).toEqual([{ name: 'alice', user_id: thread[0]!.author.user_id }, { name: 'bob' }]);
    await h.control(h.bob, { type: 'resolve_approval', request_id: approvalOf(thread, id).request_id, choice: 'approve' });
    const done = await h.waitFor(hasState(id, 'processed'), 'processed');
    expect(runnerRows(done).map((r) => [r.kind, r.body, r.status])).toEqual([
      ['command', 'approved-output\n', 'completed'],
      ['assistant', 'bob said yes', 'completed'],
    ]);
  });

  it('asks before a patch under a read-only sandbox, shows the diff, and applies it once approved', async () => {
    h = await startSessionHarness({ codex: { sandbox: 'read-only' } });
    const patch = '*** Begin Patch\n*** Add File: hello.txt\n+hello world\n*** End Patch\n';
    h.model.enqueue({ type: 'apply_patch', patch }, { type: 'text', chunks: ['patched'] });
    const id = await h.say(h.alice, 'add hello.txt');
    const asking = await h.waitFor(hasState(id, 'processing', 'awaiting approval'), 'patch approval');
    const path = join(h.workspace, 'hello.txt');
    const diff = `--- /dev/null\n+++ ${path}\n@@ -0,0 +1,1 @@\n+hello world\n`;
    const approval = approvalOf(asking, id);
    expect(approval).toMatchObject({ kind: 'file_change', summary: `${path}\n\n${diff}`, detail: expect.objectContaining({ paths: [path], policy: { approval_policy: 'on-request', sandbox: 'read-only' } }) });
    expect(runnerRows(asking)).toEqual([{ kind: 'file_change', body: diff, status: 'streaming', meta: { changes: [{ path, kind: 'add' }], status: 'inProgress' } }]);
    expect(existsSync(path)).toBe(false);

    await h.control(h.alice, { type: 'resolve_approval', request_id: approval.request_id, choice: 'approve' });
    const done = await h.waitFor(hasState(id, 'processed'), 'processed');
    expect(runnerRows(done)).toEqual([
      { kind: 'file_change', body: diff, status: 'completed', meta: { changes: [{ path, kind: 'add' }], status: 'completed' } },
      { kind: 'assistant', body: 'patched', status: 'completed', meta: {} },
    ]);
    expect(readFileSync(path, 'utf8')).toBe('hello world\n');
  });

  it('an interrupt while an approval is pending declines it and finalizes the rows', async () => {
    h = await startSessionHarness();
    const { id } = await askForCommand(h);
    await h.control(h.alice, { type: 'interrupt' });
    const done = await h.waitFor(hasState(id, 'processed'), 'interrupted');
    const withdrawn = [expect.objectContaining({ outcome: 'withdrawn', by: null, via: 'runner', reason: 'turn interrupted' })];
    expect(stateOf(done, id)).toEqual({ state: 'processed', reason: 'interrupted by alice', approval: null, decided: withdrawn });
    expect(runnerRows(done)).toEqual([
      { kind: 'command', body: '', status: 'interrupted', meta: { command: expect.stringContaining(CMD), cwd: expect.any(String), status: 'inProgress', exit_code: null, duration_ms: null } },
    ]);
    // The prompt is withdrawn as soon as the interrupt is asked; the command never ran.
    expect(h.states(id).slice(-2)).toEqual([
      { state: 'processing', reason: 'interrupt requested', approval: null },
      { state: 'processed', reason: 'interrupted by alice', approval: null, decided: withdrawn },
    ]);
    expect(h.model.requests).toHaveLength(1);
  });

  it('expires an approval nobody answered in time as expired, not declined', async () => {
    h = await startSessionHarness({ runner: { approvalTimeoutMs: 300 } });
    h.model.enqueue({ type: 'exec', cmd: CMD, escalated: JUSTIFICATION, login: false }, { type: 'text', chunks: ['never sent'] });
    const id = await h.say(h.alice, 'run it');
    // Waiting for the end, not the prompt: a slow check could miss a prompt that lives 300 ms.
    const done = await h.waitFor(hasState(id, 'processed'), 'turn over');
    const asked = h.states(id).find((s) => s.reason === 'awaiting approval');
    expect(asked?.approval).toMatchObject({ kind: 'command', detail: { expires_at: expect.any(Number) } });
    // Codex is told `cancel`, which ends the turn; the message says the approval expired.
    expect(stateOf(done, id)).toEqual({ state: 'processed', reason: 'approval expired', approval: null, decided: [expect.objectContaining({ outcome: 'expired', by: null, choice: 'cancel' })] });
    expect(h.states(id).map((s) => s.reason).slice(-3)).toEqual(['awaiting approval', 'approval expired', 'approval expired']);
    // The command never ran; Codex reports a cancelled item as declined.
    expect(runnerRows(done)).toEqual([
      { kind: 'command', body: '', status: 'declined', meta: { command: expect.stringContaining(CMD), cwd: expect.any(String), status: 'declined', exit_code: null, duration_ms: null } },
    ]);
    expect(h.model.requests).toHaveLength(1);
    expect(h.model.pending()).toBe(1);
  });
});
