import { describe, expect, it } from 'vitest';
import { buildRow, codexOutput, fileDiff, itemKey, planRow, terminalInputRow } from './items.js';
import { item } from '../../test/session-fixtures.js';

describe('buildRow', () => {
  it('keys items by turn and item id (item ids repeat across turns)', () => {
    expect(itemKey('t1', 'msg_2')).toBe('t1:msg_2');
    expect(buildRow('t1', item.agent('msg_2', ''), 'started')?.key).not.toBe(buildRow('t2', item.agent('msg_2', ''), 'started')?.key);
  });

  it('agent message: text body, streaming then completed, shown at first text', () => {
    expect(buildRow('t1', item.agent('msg_2', ''), 'started')).toEqual({ key: 't1:msg_2', kind: 'assistant', body: '', meta: {}, status: 'streaming', eager: false });
    expect(buildRow('t1', item.agent('msg_2', 'Hello from the fake model.'), 'completed')).toMatchObject({ body: 'Hello from the fake model.', status: 'completed' });
  });

  it('reasoning: the summary parts', () => {
    expect(buildRow('t1', item.reasoning('rs_2', ['Thinking about it.', 'Then this.']), 'completed')).toMatchObject({
      kind: 'reasoning',
      body: 'Thinking about it.\n\nThen this.',
      status: 'completed',
    });
  });

  it('command: output body and command, cwd, exit code, duration, status meta', () => {
    expect(buildRow('t1', item.command('call_1'), 'started')).toEqual({
      key: 't1:call_1',
      kind: 'command',
      body: null,
      meta: { command: "/bin/bash -lc 'echo hi'", cwd: '/abs/ws', status: 'inProgress', exit_code: null, duration_ms: null },
      status: 'streaming',
      eager: true,
    });
    const done = buildRow('t1', item.command('call_1', { status: 'completed', output: 'hi\n', exitCode: 0, durationMs: 805 }), 'completed');
    expect(done).toMatchObject({ body: 'hi\n', status: 'completed', meta: { exit_code: 0, duration_ms: 805, status: 'completed' } });
    expect(buildRow('t1', item.command('call_6', { status: 'declined' }), 'completed')).toMatchObject({ status: 'declined', body: null });
  });

  it("command: Codex's cut of a huge output becomes a gap of the size it cut", () => {
    const head = 'h'.repeat(512 * 1024);
    const tail = 't'.repeat(512 * 1024);
    const output = `${head}\n... 3951433 bytes omitted ...\n${tail}`;
    expect(codexOutput(output)).toEqual({ body: head + tail, gap: { at: head.length, bytes: 3_951_433 } });
    const done = buildRow('t1', item.command('call_1', { status: 'completed', output, exitCode: 0, durationMs: 5 }), 'completed');
    expect(done).toMatchObject({ body: head + tail, gap: { at: head.length, bytes: 3_951_433 } });
    // A short output that merely prints such a line is the command's own text.
    const printed = 'x\n... 12 bytes omitted ...\ny\n';
    expect(codexOutput(printed)).toEqual({ body: printed });
    expect(buildRow('t1', item.command('call_1', { status: 'completed', output: printed, exitCode: 0, durationMs: 5 }), 'completed')).not.toHaveProperty('gap');
  });

  it('file change: unified diffs and the changed paths', () => {
    const row = buildRow('t1', item.fileChange('call_3', [{ path: '/abs/ws/hello.txt', kind: { type: 'add' }, diff: 'hello world\n' }]), 'started');
    expect(row).toMatchObject({
      kind: 'file_change',
      body: '--- /dev/null\n+++ /abs/ws/hello.txt\n@@ -0,0 +1,1 @@\n+hello world\n',
      meta: { changes: [{ path: '/abs/ws/hello.txt', kind: 'add' }], status: 'inProgress' },
      status: 'streaming',
      eager: true,
    });
  });

  it('web search: the queries', () => {
    expect(buildRow('t1', item.webSearch('ws_1', 'codex', ['codex app-server', 'codex approvals']), 'completed')).toMatchObject({
      kind: 'web_search',
      body: 'codex app-server\ncodex approvals',
      status: 'completed',
    });
    expect(buildRow('t1', item.webSearch('ws_1', 'plain query'), 'started')?.body).toBe('plain query');
  });

  it('user input and internal items are not rows', () => {
    expect(buildRow('t1', item.user('u1', 'say hello'), 'completed')).toBeNull();
    expect(buildRow('t1', { type: 'contextCompaction', id: 'c1' }, 'completed')).toBeNull();
  });
});

describe('fileDiff', () => {
  it('renders deletes and passes unified diffs of updates through', () => {
    expect(fileDiff({ path: 'a.txt', kind: { type: 'delete' }, diff: 'x\ny\n' })).toBe('--- a.txt\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-x\n-y\n');
    expect(fileDiff({ path: 'a.txt', kind: { type: 'update', move_path: 'b.txt' }, diff: '@@ -1 +1 @@\n-x\n+y' })).toBe('--- a.txt\n+++ b.txt\n@@ -1 +1 @@\n-x\n+y\n');
    const full = '--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n';
    expect(fileDiff({ path: 'x', kind: { type: 'update', move_path: null }, diff: full })).toBe(full);
  });
});

describe('derived rows', () => {
  it('terminal input: one row per command', () => {
    expect(terminalInputRow('t1', 'call_1', '1053')).toMatchObject({ key: 't1:call_1:stdin', kind: 'terminal_input', meta: { process_id: '1053' } });
  });

  it('plan: a checklist replaced on each update', () => {
    const row = planRow('t1', 'Two steps', [
      { step: 'read', status: 'completed' },
      { step: 'write', status: 'inProgress' },
      { step: 'test', status: 'pending' },
    ]);
    expect(row).toMatchObject({ key: 't1:plan', kind: 'plan', body: 'Two steps\n\n- [x] read\n- [~] write\n- [ ] test', status: 'completed' });
  });
});
