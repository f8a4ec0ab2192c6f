// Real `codex app-server`: approvals arrive as server requests and our answers steer Codex.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { answer, type ServerRequest } from '../src/index.js';
import { startHarness, type Harness } from './harness.js';
import { runTurn, startThread } from './turn-helpers.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

type ApprovalRequest = Extract<ServerRequest, { method: 'item/commandExecution/requestApproval' | 'item/fileChange/requestApproval' }>;

/** Answers every command or patch approval with `decision` and records the requests. */
function approveAll(harness: Harness, decision: 'accept' | 'decline'): ApprovalRequest[] {
  const seen: ApprovalRequest[] = [];
  harness.codex.onServerRequest((request) => {
    if (request.method !== 'item/commandExecution/requestApproval' && request.method !== 'item/fileChange/requestApproval') {
      throw new Error(`unexpected server request ${request.method}`);
    }
    seen.push(request);
    return answer(request, { decision });
  });
  return seen;
}

// Output spread over time so Codex streams it as deltas (a command that exits at once, here
// within a few hundred ms, may deliver its output only in the completed item).
const CMD = 'echo one; sleep 0.6; echo two';

describe('codex approvals', () => {
  it('asks before running an escalated command and runs it once accepted', async () => {
    h = await startHarness({ sandbox: 'workspace-write' });
    const seen = approveAll(h, 'accept');
    h.model.enqueue({ type: 'exec', cmd: CMD, escalated: 'Need to run outside the sandbox' }, { type: 'text', chunks: ['ran it'] });
    const threadId = await startThread(h);
    const done = await runTurn(h, threadId, 'run it');

    expect(seen).toEqual([
      {
        method: 'item/commandExecution/requestApproval',
        id: 0,
        params: expect.objectContaining({ threadId, turnId: done.turn.id, reason: 'Need to run outside the sandbox', availableDecisions: expect.arrayContaining(['accept']) }),
      },
    ]);
    const itemId = seen[0]!.params.itemId;
    expect(h.recorder.all('serverRequest/resolved')).toEqual([expect.objectContaining({ threadId, requestId: 0 })]);
    const output = h.recorder.all('item/commandExecution/outputDelta').filter((d) => d.itemId === itemId).map((d) => d.delta).join('');
    // Under load Codex may fold early output into item/completed without a delta: deltas are a
    // non-empty part of the final output, the completed item is the truth.
    expect(output).toMatch(/two\n$/);
    const command = h.recorder.all('item/completed').find((p) => p.item.id === itemId)?.item;
    expect(command).toMatchObject({ type: 'commandExecution', status: 'completed', exitCode: 0, aggregatedOutput: expect.stringContaining('one\ntwo\n') });
    expect(done.turn.status).toBe('completed');

    // Codex reported the result back to the model on its second request.
    const input = (h.model.requests[1]!.body as { input: { type: string; call_id?: string; output?: string }[] }).input;
    expect(input.at(-1)).toMatchObject({ type: 'function_call_output', call_id: itemId, output: expect.stringContaining('one\ntwo') });
  });

  it('marks a declined command as declined and tells the model', async () => {
    h = await startHarness({ sandbox: 'workspace-write' });
    const seen = approveAll(h, 'decline');
    h.model.enqueue({ type: 'exec', cmd: 'touch declined.txt', escalated: 'Write outside' }, { type: 'text', chunks: ['ok, not running it'] });
    const threadId = await startThread(h);
    const done = await runTurn(h, threadId, 'run it');

    const itemId = seen[0]!.params.itemId;
    const command = h.recorder.all('item/completed').find((p) => p.item.id === itemId)?.item;
    expect(command).toMatchObject({ type: 'commandExecution', status: 'declined', exitCode: null });
    expect(existsSync(join(h.workspace, 'declined.txt'))).toBe(false);
    expect(done.turn.status).toBe('completed');
    const input = (h.model.requests[1]!.body as { input: { type: string; output?: string }[] }).input;
    expect(input.at(-1)).toMatchObject({ type: 'function_call_output', output: expect.stringContaining('rejected by user') });
  });

  it('asks before applying a patch under a read-only sandbox and applies it once accepted', async () => {
    h = await startHarness({ sandbox: 'read-only' });
    const seen = approveAll(h, 'accept');
    const patch = '*** Begin Patch\n*** Add File: hello.txt\n+hello world\n*** End Patch\n';
    h.model.enqueue({ type: 'apply_patch', patch }, { type: 'text', chunks: ['patched'] });
    const threadId = await startThread(h);
    const done = await runTurn(h, threadId, 'add hello.txt');

    expect(seen).toEqual([{ method: 'item/fileChange/requestApproval', id: 0, params: expect.objectContaining({ threadId, turnId: done.turn.id }) }]);
    const itemId = seen[0]!.params.itemId;
    // The approval carries no diff: it is on the earlier item/started of the same item id.
    const started = h.recorder.all('item/started').find((p) => p.item.id === itemId)?.item;
    expect(started).toMatchObject({
      type: 'fileChange',
      status: 'inProgress',
      changes: [{ path: join(h.workspace, 'hello.txt'), kind: { type: 'add' }, diff: 'hello world\n' }],
    });
    expect(h.recorder.all('item/completed').find((p) => p.item.id === itemId)?.item).toMatchObject({ type: 'fileChange', status: 'completed' });
    expect(await readFile(join(h.workspace, 'hello.txt'), 'utf8')).toBe('hello world\n');
  });

  it('reports a failing approval handler and lets Codex fail the command', async () => {
    h = await startHarness({ sandbox: 'workspace-write' });
    h.codex.onServerRequest(() => {
      throw new Error('approval service unavailable');
    });
    h.model.enqueue({ type: 'exec', cmd: 'echo never', escalated: 'Outside' }, { type: 'text', chunks: ['could not run'] });
    const threadId = await startThread(h);
    const done = await runTurn(h, threadId, 'run it');

    expect(h.recorder.events.filter((e) => e.type === 'protocol_error').map((e) => e.type === 'protocol_error' && e.error.message)).toEqual([
      'handling item/commandExecution/requestApproval failed: approval service unavailable',
    ]);
    // A JSON-RPC error answer is not a decline: the item fails and the turn goes on.
    const command = h.recorder.all('item/completed').find((p) => p.item.type === 'commandExecution')?.item;
    expect(command).toMatchObject({ status: 'failed' });
    expect(done.turn.status).toBe('completed');
  });
});
