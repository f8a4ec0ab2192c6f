import { describe, expect, it } from 'vitest';
import { emptyThreadList, summariesOf, threadListStep, threadTitle, type ThreadListInput } from './threads.js';
import { ev, msg, row } from '../../test/state-fixtures.js';

const run = (inputs: ThreadListInput[]) => inputs.reduce(threadListStep, emptyThreadList);

describe('thread list state', () => {
  it('lists roots newest first and counts replies from the events after the snapshot', () => {
    const s = run([
      { type: 'event', event: ev.message(msg('r', 11, { thread_id: 't1' })) },
      { type: 'snapshot', head_seq: 10, threads: [{ root: msg('t1', 1, { body: 'old' }), reply_count: 2, last_seq: 9 }] },
      { type: 'event', event: ev.message(msg('t2', 12, { thread_id: 't2', body: 'new' })) },
      { type: 'event', event: ev.message(msg('r', 11, { thread_id: 't1' })) }, // replayed: already counted
    ]);
    expect(summariesOf(s).map((t) => [t.root.id, t.reply_count, t.last_seq])).toEqual([
      ['t2', 0, 12],
      ['t1', 3, 11],
    ]);
  });

  it('streams a root row in place', () => {
    const root = row('t1', 1, 'Codex', { kind: 'session' });
    const s = run([
      { type: 'snapshot', head_seq: 1, threads: [{ root, reply_count: 0, last_seq: 1 }] },
      { type: 'event', event: ev.append(2, 't1', 5, ' session') },
      { type: 'event', event: ev.updated(3, 't1', { status: 'completed' }) },
    ]);
    expect(s.byId.t1!.root).toMatchObject({ body: 'Codex session', status: 'completed' });
  });

  it('names a session by its first instruction as it arrives, then by the title a person sets, live', () => {
    const root = row('t1', 1, 'Codex session in `/w`.', { kind: 'session' });
    const at = '2026-12-05T10:00:00.000Z';
    const actor = { user_id: 'u-alice', name: 'alice' };
    const s = run([
      { type: 'snapshot', head_seq: 1, threads: [{ root, reply_count: 0, last_seq: 1 }] },
      { type: 'event', event: ev.message(msg('c', 2, { body: '/pilothouse status' })) },
      { type: 'event', event: ev.message(msg('i1', 3, { body: 'Fix the login bug\nand more', created_at: at })) },
      { type: 'event', event: ev.message(msg('i2', 4, { body: 'Then the docs' })) },
    ]);
    const line = (b: string) => b.split('\n')[0]!;
    expect(s.byId.t1).toMatchObject({ title: null, instruction: 'Fix the login bug', reply_count: 3 });
    expect(threadTitle(s.byId.t1!, line)).toBe('Fix the login bug');
    const titled = threadListStep(s, { type: 'event', event: { type: 'title', payload: { seq: 5, thread_id: 't1', title: 'Login bug', actor } } });
    expect(threadTitle(titled.byId.t1!, line)).toBe('Login bug');
    const cleared = threadListStep(titled, { type: 'event', event: { type: 'title', payload: { seq: 6, thread_id: 't1', title: null, actor } } });
    expect(threadTitle(cleared.byId.t1!, line)).toBe('Fix the login bug');
    expect(threadTitle(run([{ type: 'snapshot', head_seq: 1, threads: [{ root, reply_count: 0, last_seq: 1 }] }]).byId.t1!, line)).toBe('Codex session in `/w`.');
  });
});
