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

describe('a long thread opened at its end (root and newest page), older pages on demand', () => {
  // The root t1 (seq 1), then rows a..e (seq 2..6); the newest page holds d and e.
  const opened = run([{ type: 'snapshot', head_seq: 6, older: 5, messages: [msg('t1', 1, { body: 'root' }), row('d', 5, 'D'), row('e', 6, 'E')] }]);

  it('holds the root and the newest page; events for unloaded older rows are skipped, not a reason to reload', () => {
    expect(opened).toMatchObject({ status: 'ready', older: 5, stale: false });
    expect(bodies(opened)).toEqual([['t1', 'root'], ['d', 'D'], ['e', 'E']]);
    const s = run([
      { type: 'event', event: ev.append(7, 'b', 1, 'x') },
      { type: 'event', event: ev.updated(8, 'c', { status: 'completed' }) },
      { type: 'event', event: ev.state(9, 'a', { state: 'processed' }) },
      { type: 'event', event: ev.state(10, 't1', { state: 'processed' }) },
      { type: 'event', event: ev.append(11, 'e', 1, '!') },
    ], opened);
    expect(s).toMatchObject({ seq: 11, stale: false });
    expect(s.byId.t1!.state).toEqual({ state: 'processed' });
    expect(bodies(s)).toEqual([['t1', 'root'], ['d', 'D'], ['e', 'E!']]);
  });

  it('older pages join in seq order (the root kept once), and the history is complete at the root', () => {
    const one = run([{ type: 'older', next: 3, messages: [row('c', 3, 'C'), row('b', 4, 'B')], clipped: [{ message_id: 'c', length: 99 }] }], opened);
    expect(one.order).toEqual(['t1', 'c', 'b', 'd', 'e']);
    expect(one).toMatchObject({ older: 3, clipped: { c: 99 } });
    const all = run([{ type: 'older', next: null, messages: [msg('t1', 1, { body: 'stale copy' }), row('a', 2, 'A')] }], one);
    expect(all.older).toBeNull();
    expect(bodies(all)).toEqual([['t1', 'root'], ['a', 'A'], ['c', 'C'], ['b', 'B'], ['d', 'D'], ['e', 'E']]);
    // Once whole, an event for a message the view lacks is a gap again.
    expect(run([{ type: 'event', event: ev.append(7, 'zz', 0, 'x') }], all).stale).toBe(true);
  });

  it('a snapshot whose root is also in its newest page (a short thread) holds it once', () => {
    const s = run([{ type: 'snapshot', head_seq: 3, older: null, messages: [msg('t1', 1), msg('t1', 1), row('a', 2, 'A')] }]);
    expect(s.order).toEqual(['t1', 'a']);
  });

  it('an older page that lands after a reload started changes nothing (the new snapshot replaces all)', () => {
    const reloading = run([{ type: 'load' }], opened);
    expect(run([{ type: 'older', next: null, messages: [row('a', 2, 'A')] }], reloading)).toBe(reloading);
  });
});
