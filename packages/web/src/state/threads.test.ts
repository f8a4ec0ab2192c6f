import { describe, expect, it } from 'vitest';
import { emptyThreadList, summariesOf, threadListStep, type ThreadListInput } from './threads.js';
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
});
