import { describe, expect, it } from 'vitest';
import { emptyThread, messagesOf, threadStep, type ThreadInput, type ThreadState } from './thread.js';
import { MAX_PENDING } from './snapshot-view.js';
import { heldEvents, nothingHeld } from '@pilothouse/protocol';
import { ev, msg, row } from '../../test/state-fixtures.js';

const run = (inputs: ThreadInput[], start: ThreadState = emptyThread('t1')) => inputs.reduce(threadStep, start);
const bodies = (s: ThreadState) => messagesOf(s).map((m) => [m.id, m.body]);

describe('thread state', () => {
  it('loads a snapshot, then applies the events after its head in order', () => {
    const s = run([
      { type: 'snapshot', head_seq: 3, messages: [msg('t1', 1, { body: 'root' }), row('a', 2, 'Hel')] },
      { type: 'event', event: ev.append(4, 'a', 3, 'lo') },
      { type: 'event', event: ev.message(row('b', 5, '')) },
      { type: 'event', event: ev.append(6, 'b', 0, 'next') },
    ]);
    expect(s).toMatchObject({ status: 'ready', seq: 6, stale: false });
    expect(bodies(s)).toEqual([
      ['t1', 'root'],
      ['a', 'Hello'],
      ['b', 'next'],
    ]);
  });

  it('buffers events that arrive before the snapshot and keeps only those above its head', () => {
    const s = run([
      { type: 'event', event: ev.append(3, 'a', 0, 'Hel') }, // already in the snapshot
      { type: 'event', event: ev.append(4, 'a', 3, 'lo') },
      { type: 'snapshot', head_seq: 3, messages: [row('a', 2, 'Hel')] },
    ]);
    expect(bodies(s)).toEqual([['a', 'Hello']]);
    expect(s.pending).toEqual(nothingHeld);
  });

  it('is idempotent: replayed events, repeated appends and repeated messages change nothing', () => {
    const base = run([{ type: 'snapshot', head_seq: 2, messages: [row('a', 2, 'Hi')] }]);
    const once = run([{ type: 'event', event: ev.append(3, 'a', 2, '!') }], base);
    const twice = run([{ type: 'event', event: ev.append(3, 'a', 2, '!') }], once);
    expect(twice).toBe(once);
    // The same text re-sent under a later seq (a runner retry the hub answered as a repeat) is skipped too.
    const repeat = run([{ type: 'event', event: ev.append(4, 'a', 2, '!') }], once);
    expect(bodies(repeat)).toEqual([['a', 'Hi!']]);
    expect(repeat.stale).toBe(false);
    const again = run([{ type: 'event', event: ev.message(row('a', 2, 'Hi')) }], once);
    expect(again).toBe(once);
  });

  it('marks the view stale when an append starts past the end or targets an unknown row', () => {
    const base = run([{ type: 'snapshot', head_seq: 2, messages: [row('a', 2, 'Hi')] }]);
    expect(run([{ type: 'event', event: ev.append(3, 'a', 5, 'x') }], base).stale).toBe(true);
    expect(run([{ type: 'event', event: ev.append(3, 'zz', 0, 'x') }], base).stale).toBe(true);
    const reloading = run([{ type: 'event', event: ev.append(3, 'a', 5, 'x') }, { type: 'load' }], base);
    expect(reloading).toMatchObject({ status: 'loading', stale: false, pending: nothingHeld });
  });

  it('sets only the fields a row update carries, and replaces message states', () => {
    const s = run([
      { type: 'snapshot', head_seq: 2, messages: [msg('m', 1), row('a', 2, 'draft', { meta: { x: 1 } })] },
      { type: 'event', event: ev.updated(3, 'a', { status: 'completed' }) },
      { type: 'event', event: ev.updated(4, 'a', { body: 'final' }) },
      { type: 'event', event: ev.state(5, 'm', { state: 'processing', reason: 'starting turn' }) },
    ]);
    expect(s.byId.a).toMatchObject({ body: 'final', status: 'completed', meta: { x: 1 } });
    expect(s.byId.m!.state).toEqual({ state: 'processing', reason: 'starting turn' });
    // An append after a body replacement continues from the new length.
    expect(run([{ type: 'event', event: ev.append(6, 'a', 5, '!') }], s).byId.a!.body).toBe('final!');
  });

  it("ignores other threads' events and keeps messages in seq order", () => {
    const s = run([
      { type: 'snapshot', head_seq: 5, messages: [msg('b', 5), msg('a', 1)] },
      { type: 'event', event: ev.message(msg('x', 6, { thread_id: 't2' })) },
      { type: 'event', event: ev.append(7, 'b', 0, 'nope', 't2') },
      { type: 'event', event: ev.message(msg('c', 8)) },
    ]);
    expect(s.order).toEqual(['a', 'b', 'c']);
    expect(s.seq).toBe(8);
  });

  it('stops buffering past MAX_PENDING and asks for a reload instead', () => {
    let s = emptyThread('t1');
    for (let i = 0; i <= MAX_PENDING; i++) s = threadStep(s, { type: 'event', event: ev.append(i + 1, 'a', i, 'x') });
    expect(s).toMatchObject({ stale: true });
    expect(heldEvents(s.pending)).toEqual([]);
  });

  it('keeps a snapshot that lands after the buffer overflowed stale: the dropped events are missing', () => {
    let s = emptyThread('t1');
    for (let i = 0; i <= MAX_PENDING + 1; i++) s = threadStep(s, { type: 'event', event: ev.append(i + 1, 'a', i, 'x') });
    const landed = threadStep(s, { type: 'snapshot', head_seq: 1, messages: [row('a', 1, 'x')] });
    expect(landed).toMatchObject({ status: 'ready', seq: 1, stale: true, pending: nothingHeld });
  });
});

describe('clipped bodies (get_thread sends big bodies clipped)', () => {
  const clippedSnapshot: ThreadInput = { type: 'snapshot', head_seq: 2, messages: [row('a', 2, 'head')], clipped: [{ message_id: 'a', length: 10 }] };

  it('an append at the full length grows it without text; repeats change nothing; a gap reloads', () => {
    const s = run([clippedSnapshot, { type: 'event', event: ev.append(3, 'a', 10, 'xyz') }]);
    expect(s.clipped).toEqual({ a: 13 });
    expect(bodies(s)).toEqual([['a', 'head']]);
    expect(run([{ type: 'event', event: ev.append(4, 'a', 0, 'headtail') }], s)).toMatchObject({ seq: 4, stale: false, clipped: { a: 13 } });
    expect(run([{ type: 'event', event: ev.append(4, 'a', 20, 'late') }], s).stale).toBe(true);
  });

  it('the loaded body replaces the head and unclips it once it is whole', () => {
    const s = run([clippedSnapshot, { type: 'body', message_id: 'a', body: 'headtail12' }]);
    expect(s.clipped).toEqual({});
    expect(bodies(s)).toEqual([['a', 'headtail12']]);
    // Loaded before an append that arrived meanwhile: still clipped at the new length.
    const grown = run([clippedSnapshot, { type: 'event', event: ev.append(3, 'a', 10, 'xyz') }, { type: 'body', message_id: 'a', body: 'headtail12' }]);
    expect(grown.clipped).toEqual({ a: 13 });
    expect(bodies(grown)).toEqual([['a', 'headtail12']]);
  });
});
