import { describe, expect, it } from 'vitest';
import type { RowStatus } from '@pilothouse/protocol';
import { FakeHub } from '../../test/session-fixtures.js';
import type { Effect } from './effects.js';
import { appendText, completeRow, EMPTY_STREAM, finishTurn, flush, hasPending, openRow, refused, type RowSpec, type Stream, type StreamConfig } from './stream.js';
import { omissionMarker, renderBounded } from './text.js';

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

const config = { threadId: 'root-1', registryCap: 64, headChars: 64 * 1024, tailChars: 64 * 1024 };
const spec = (o: Partial<RowSpec> = {}): RowSpec => ({ key: 't1:i1', turnId: 't1', kind: 'assistant', body: null, meta: {}, status: 'streaming', eager: false, ...o });
const command = (o: Partial<RowSpec> = {}): RowSpec => spec({ key: 't1:call_1', kind: 'command', eager: true, meta: { command: 'ls', exit_code: null }, ...o });

/** The pure pipeline threaded through a variable, each call returning its effects. */
class StreamPipeline {
  state: Stream = EMPTY_STREAM;
  constructor(readonly config: StreamConfig) {}
  #run(fn: (out: Effect[]) => Stream): Effect[] {
    const out: Effect[] = [];
    this.state = fn(out);
    return out;
  }
  open(spec: RowSpec): Effect[] {
    return this.#run((out) => openRow(this.state, this.config, spec, out));
  }
  delta(key: string, text: string): { effects: Effect[]; accepted: boolean } {
    const out: Effect[] = [];
    const next = appendText(this.state, this.config, key, text, out);
    if (next !== null) this.state = next;
    return { effects: out, accepted: next !== null };
  }
  flush(): Effect[] {
    return this.#run((out) => flush(this.state, out));
  }
  refused(key: string): void {
    this.state = refused(this.state, key);
  }
  complete(spec: RowSpec): Effect[] {
    return this.#run((out) => completeRow(this.state, this.config, spec, out));
  }
  finishTurn(turnId: string, status: RowStatus): Effect[] {
    return this.#run((out) => finishTurn(this.state, this.config, turnId, status, out));
  }
  get hasPending(): boolean {
    return hasPending(this.state);
  }
}

describe('stream pipeline (plain data)', () => {
  it('never changes the stream it is given', () => {
    const s = new StreamPipeline(config);
    s.open(spec());
    s.delta('t1:i1', 'Hel');
    const frozen = structuredClone(s.state);
    deepFreeze(s.state);
    s.delta('t1:i1', 'lo');
    s.flush();
    s.complete(spec({ body: 'Hello', status: 'completed' }));
    expect(s.state).not.toEqual(frozen);
  });

  it('posts an eager row at once, then coalesces deltas into one append per flush', () => {
    const s = new StreamPipeline(config);
    expect(s.open(command())).toEqual([
      {
        type: 'post_row',
        turn_id: 't1',
        payload: { client_id: 'row:t1:call_1', thread_id: 'root-1', item_key: 't1:call_1', kind: 'command', body: '', meta: { command: 'ls', exit_code: null }, status: 'streaming' },
      },
    ]);
    expect(s.delta('t1:call_1', 'a\n').effects).toEqual([]);
    expect(s.delta('t1:call_1', 'b\n').effects).toEqual([]);
    expect(s.hasPending).toBe(true);
    expect(s.flush()).toEqual([{ type: 'append', turn_id: 't1', payload: { item_key: 't1:call_1', offset: 0, text: 'a\nb\n' } }]);
    expect(s.flush()).toEqual([]);
    s.delta('t1:call_1', 'c');
    expect(s.flush()).toEqual([{ type: 'append', turn_id: 't1', payload: { item_key: 't1:call_1', offset: 4, text: 'c' } }]);
  });

  it('posts a text row at its first text (no empty rows), and forwards rows in order', () => {
    const s = new StreamPipeline(config);
    expect(s.open(spec())).toEqual([]);
    const first = s.delta('t1:i1', 'Hel');
    expect(first.effects).toMatchObject([{ type: 'post_row', turn_id: 't1', payload: { body: 'Hel', kind: 'assistant', status: 'streaming' } }]);
    s.open(spec({ key: 't1:i2', kind: 'reasoning' }));
    s.delta('t1:i2', 'Think');
    s.delta('t1:i1', 'lo');
    s.delta('t1:i2', 'ing');
    expect(s.flush().map((e) => (e.type === 'append' ? e.payload : e))).toEqual([
      { item_key: 't1:i1', offset: 3, text: 'lo' },
      { item_key: 't1:i2', offset: 5, text: 'ing' },
    ]);
  });

  it('10,000 deltas within one flush window make exactly one append', () => {
    const s = new StreamPipeline(config);
    const hub = new FakeHub().apply(s.open(command()));
    for (let i = 0; i < 10_000; i += 1) hub.apply(s.delta('t1:call_1', `${i % 10}`).effects);
    const flushed = s.flush();
    expect(flushed).toHaveLength(1);
    hub.apply(flushed);
    expect(hub.row('t1:call_1').body).toHaveLength(10_000);
    expect(hub.writes).toBe(2);
  });

  it('completion with the streamed content appends what is pending and only closes the row', () => {
    const s = new StreamPipeline(config);
    const hub = new FakeHub();
    hub.apply(s.open(spec()));
    hub.apply(s.delta('t1:i1', 'Hello ').effects);
    hub.apply(s.flush());
    s.delta('t1:i1', 'there');
    const done = s.complete(spec({ body: 'Hello there', status: 'completed' }));
    expect(done).toEqual([
      { type: 'append', turn_id: 't1', payload: { item_key: 't1:i1', offset: 6, text: 'there' } },
      { type: 'update_row', turn_id: 't1', payload: { item_key: 't1:i1', status: 'completed' } },
    ]);
    hub.apply(done);
    expect(hub.row('t1:i1')).toEqual({ kind: 'assistant', body: 'Hello there', meta: {}, status: 'completed' });
    expect(s.flush()).toEqual([]);
  });

  it('a refused append stops the appends and the finish writes the whole body (never a silently short row)', () => {
    const s = new StreamPipeline(config);
    s.open(command());
    s.delta('t1:call_1', 'before\0after');
    expect(s.flush()).toEqual([{ type: 'append', turn_id: 't1', payload: { item_key: 't1:call_1', offset: 0, text: 'before\0after' } }]);
    s.refused('t1:call_1');
    s.delta('t1:call_1', '\n');
    expect(s.flush()).toEqual([]);
    expect(s.complete(command({ body: 'before\0after\n', status: 'completed' }))).toEqual([
      { type: 'update_row', turn_id: 't1', payload: { item_key: 't1:call_1', body: 'before\0after\n', status: 'completed' } },
    ]);
  });

  it('completion replaces a body that differs from what was streamed, with the final meta', () => {
    const s = new StreamPipeline(config);
    const hub = new FakeHub().apply(s.open(command()));
    s.delta('t1:call_1', 'partial');
    hub.apply(s.flush());
    const done = s.complete(command({ body: 'the real output\n', status: 'completed', meta: { command: 'ls', exit_code: 0 } }));
    expect(done).toEqual([{ type: 'update_row', turn_id: 't1', payload: { item_key: 't1:call_1', body: 'the real output\n', meta: { command: 'ls', exit_code: 0 }, status: 'completed' } }]);
    hub.apply(done);
    expect(hub.row('t1:call_1')).toMatchObject({ body: 'the real output\n', status: 'completed' });
  });

  it('keeps the streamed text when the final item carries none', () => {
    const s = new StreamPipeline(config);
    const hub = new FakeHub().apply(s.open(command()));
    s.delta('t1:call_1', 'out');
    hub.apply(s.complete(command({ body: null, status: 'declined' })));
    expect(hub.row('t1:call_1')).toMatchObject({ body: 'out', status: 'declined' });
  });

  it('posts a final item never streamed, once (duplicate guard by item key)', () => {
    const s = new StreamPipeline(config);
    const final = spec({ body: 'Hello', status: 'completed' });
    expect(s.complete(final)).toEqual([
      { type: 'post_row', turn_id: 't1', payload: { client_id: 'row:t1:i1', thread_id: 'root-1', item_key: 't1:i1', kind: 'assistant', body: 'Hello', meta: {}, status: 'completed' } },
    ]);
    expect(s.complete(final)).toEqual([]);
    expect(s.complete({ ...final, body: 'Hello!' })).toEqual([{ type: 'update_row', turn_id: 't1', payload: { item_key: 't1:i1', body: 'Hello!' } }]);
  });

  it('does not post an item that ends empty (a reasoning item without summary)', () => {
    const s = new StreamPipeline(config);
    expect(s.open(spec({ kind: 'reasoning' }))).toEqual([]);
    expect(s.complete(spec({ kind: 'reasoning', body: '', status: 'completed' }))).toEqual([]);
    expect(s.complete(spec({ key: 't1:i9', kind: 'reasoning', body: '', status: 'completed' }))).toEqual([]);
  });

  it('drops deltas for finished rows', () => {
    const s = new StreamPipeline(config);
    s.complete(spec({ body: 'done', status: 'completed' }));
    expect(s.delta('t1:i1', 'late')).toEqual({ effects: [], accepted: false });
    expect(s.delta('t1:unknown', 'x').accepted).toBe(false);
    expect(s.hasPending).toBe(false);
  });

  it('finishTurn closes every row the turn left open, and only those', () => {
    const s = new StreamPipeline(config);
    const hub = new FakeHub();
    hub.apply(s.open(spec()));
    hub.apply(s.delta('t1:i1', 'Hel').effects);
    s.delta('t1:i1', 'lo');
    hub.apply(s.open(command()));
    hub.apply(s.open(spec({ key: 't2:i1', turnId: 't2' })));
    hub.apply(s.delta('t2:i1', 'other turn').effects);
    hub.apply(s.open(spec({ key: 't1:i3' })));
    hub.apply(s.flush());
    const closed = s.finishTurn('t1', 'interrupted');
    hub.apply(closed);
    expect(hub.row('t1:i1')).toMatchObject({ body: 'Hello', status: 'interrupted' });
    expect(hub.row('t1:call_1')).toMatchObject({ body: '', status: 'interrupted' });
    expect(hub.row('t2:i1').status).toBe('streaming');
    expect(hub.rows.has('t1:i3')).toBe(false);
    expect(s.finishTurn('t1', 'interrupted')).toEqual([]);
  });

  it('a 5 MB output streams a bounded head, then ends as head + omission + tail', () => {
    const small = { ...config, headChars: 1000, tailChars: 500 };
    const s = new StreamPipeline(small);
    const hub = new FakeHub().apply(s.open(command()));
    const line = `${'y'.repeat(99)}\n`;
    let full = '';
    for (let chunk = 0; chunk < 500; chunk += 1) {
      const text = line.repeat(100);
      full += text;
      hub.apply(s.delta('t1:call_1', text).effects);
      if (chunk % 7 === 0) hub.apply(s.flush());
    }
    hub.apply(s.flush());
    expect(hub.row('t1:call_1').body).toHaveLength(1000);
    hub.apply(s.complete(command({ body: null, status: 'completed' })));
    const row = hub.row('t1:call_1');
    const omitted = 5_000_000 - 1500;
    expect(row.body).toBe(full.slice(0, 1000) + omissionMarker(omitted) + full.slice(-500));
    expect(row.meta).toMatchObject({ total_bytes: 5_000_000, omitted_bytes: omitted });
    expect(hub.appendedChars).toBeLessThan(1000 + 500 + 100);
    expect(row.body).toBe(renderBounded(full, small).body);
  });

  it("reconciles a streamed row with a final body the agent already cut: the full size in meta", () => {
    const small = { ...config, headChars: 1000, tailChars: 500 };
    const s = new StreamPipeline(small);
    const hub = new FakeHub();
    hub.apply(s.open(command({ body: null })));
    const head = 'h'.repeat(3000);
    hub.apply(s.delta('t1:call_1', head).effects);
    hub.apply(s.flush());
    const tail = 't'.repeat(3000);
    hub.apply(s.complete(command({ body: head + tail, status: 'completed', gap: { at: head.length, bytes: 1_000_000 } })));
    const row = hub.row('t1:call_1');
    const omitted = 1_006_000 - 1500;
    expect(row.body).toBe('h'.repeat(1000) + omissionMarker(omitted) + 't'.repeat(500));
    expect(row.meta).toMatchObject({ total_bytes: 1_006_000, omitted_bytes: omitted });
    expect(row.status).toBe('completed');
  });

  it('a row pushed out by the cap is closed, not left streaming', () => {
    const s = new StreamPipeline({ ...config, registryCap: 2 });
    const hub = new FakeHub();
    hub.apply(s.open(command({ key: 'k1' })));
    hub.apply(s.open(command({ key: 'k2' })));
    hub.apply(s.open(command({ key: 'k3' })));
    expect(hub.row('k1').status).toBe('interrupted');
    expect(hub.row('k3').status).toBe('streaming');
  });
});
