import type { Message } from '@pilothouse/protocol';
import { describe, expect, it } from 'vitest';
import { ALICE, BOB, CODEX_THREAD, Harness, HUB_THREAD, hubControl, hubMessage, note, only, wire } from '../../test/session-fixtures.js';

const T = 'turn-1';
const msg = (seq: number, body: string, o: Partial<Message> = {}): Message => {
  const event = hubMessage(ALICE, body, { seq, ...o });
  if (event.type !== 'message') throw new Error('not a message');
  return event.payload.message;
};
const state = (s: NonNullable<Message['state']>['state'], reason: string | null = null) => ({ state: s, reason, approval: null });

describe('recovery after a crash (--resume)', () => {
  // The dead process saw seqs 4..9: msg-5 ran (processing, an approval pending), msg-6 was queued,
  // msg-4 was processed; a row of msg-5's turn was streaming. The cursor was held at 4.
  const thread = {
    head_seq: 9,
    messages: [
      msg(4, 'done'),
      msg(5, 'running', { state: { state: 'processing', reason: 'awaiting approval', approval: null } }),
      msg(6, 'waiting', { state: state('queued') }),
      msg(7, 'a row', { runner_id: 'runner-1', kind: 'command', item_key: 'old-turn:call_1', status: 'streaming', state: null }),
      msg(8, 'from bob', { author: BOB, state: state('ignored', 'not the listen user (alice)') }),
    ].map((m) => (m.seq === 4 ? { ...m, state: state('processed') } : m)),
  };

  const restarted = () => {
    const h = new Harness({}, 4);
    h.hub.rows.set('old-turn:call_1', { kind: 'command', body: 'a row', meta: {}, status: 'streaming' });
    return h;
  };

  it('closes what the dead process left open and runs nothing twice', () => {
    const h = restarted();
    const recovered = h.feed({ type: 'recover', thread });
    expect(wire(recovered)).toEqual([
      { type: 'set_state', payload: { message_id: 'msg-5', state: state('failed', 'runner restarted') } },
      { type: 'update_row', turn_id: null, payload: { item_key: 'old-turn:call_1', status: 'interrupted' } },
      { type: 'set_state', payload: { message_id: 'msg-6', state: state('processing', 'starting turn') } },
      { type: 'runner_status', status: 'working', thread_id: HUB_THREAD },
      { type: 'start_turn', threadId: CODEX_THREAD, message_id: 'msg-6', text: 'waiting' },
    ]);
    // The replay of what the dead process saw changes nothing.
    for (const seq of [5, 6, 8]) expect(wire(h.hub_(hubMessage(seq === 8 ? BOB : ALICE, 'x', { seq }))).filter((e) => e.type !== 'ack')).toEqual([]);
    // A message posted after the restart runs normally, after msg-6.
    h.hub_(hubMessage(ALICE, 'new', { seq: 10 }));
    h.feed({ type: 'turn_start_ok', message_id: 'msg-6', turnId: T });
    const end = h.codex(note.turnCompleted(T, 'completed'));
    expect(only(end, 'start_turn').map((e) => e.message_id)).toEqual(['msg-10']);
    expect(only(h.effects, 'start_turn').map((e) => e.message_id)).toEqual(['msg-6', 'msg-10']);
  });

  it('retries a failed message once per ask, by control or chat command, only for allowed actors', () => {
    const h = restarted();
    h.feed({ type: 'recover', thread });
    h.feed({ type: 'turn_start_ok', message_id: 'msg-6', turnId: T });
    h.codex(note.turnCompleted(T, 'completed'));
    expect(only(h.hub_(hubControl(BOB, { type: 'retry', message_id: 'msg-5' }, 10)), 'post_row')[0]?.payload.body).toMatch(/retry refused: bob is not allowed/);
    h.hub_(hubControl(ALICE, { type: 'retry', message_id: 'msg-5' }, 11));
    expect(h.hub.lastState('msg-5')).toEqual({ state: 'processing', reason: 'starting turn' });
    // Asked again while it runs: refused (it is not failed).
    expect(only(h.hub_(hubControl(ALICE, { type: 'retry', message_id: 'msg-5' }, 12)), 'post_row')[0]?.payload.body).toMatch(/is processing, not failed/);
    h.feed({ type: 'turn_start_ok', message_id: 'msg-5', turnId: 'turn-2' });
    h.codex(note.turnCompleted('turn-2', 'failed'));
    expect(h.hub.lastState('msg-5')?.state).toBe('failed');
    h.hub_(hubMessage(ALICE, '/pilothouse retry', { seq: 13 }));
    expect(h.hub.lastState('msg-13')).toEqual({ state: 'processed', reason: 'retrying msg-5' });
    expect(only(h.effects, 'start_turn').map((e) => e.message_id)).toEqual(['msg-6', 'msg-5', 'msg-5']);
    h.hub_(hubMessage(ALICE, '/pilothouse retry msg-4', { seq: 14 }));
    expect(h.hub.lastState('msg-14')).toEqual({ state: 'failed', reason: 'invalid_command: message msg-4 is processed, not failed' });
  });

  it('a replayed retry counts only if the message was still failed when the thread was read', () => {
    const failedThen = { head_seq: 12, messages: [msg(5, 'x', { state: state('failed', 'runner restarted') }), msg(11, 'y', { state: state('failed', 'runner restarted') })] };
    const h = new Harness({}, 4);
    h.feed({ type: 'recover', thread: { ...failedThen, messages: [failedThen.messages[0]!, { ...failedThen.messages[1]!, state: state('processing', 'streaming response') }] } });
    // msg-11's retry (seq 12) was taken up and running when the runner died: not again.
    h.hub_(hubControl(ALICE, { type: 'retry', message_id: 'msg-11' }, 12));
    // msg-5's retry (seq 10) was never taken up: it runs.
    const h2 = new Harness({}, 4);
    h2.feed({ type: 'recover', thread: failedThen });
    h2.hub_(hubControl(ALICE, { type: 'retry', message_id: 'msg-5' }, 10));
    expect(only(h.effects, 'start_turn')).toEqual([]);
    expect(only(h2.effects, 'start_turn').map((e) => e.message_id)).toEqual(['msg-5']);
  });

  it('closes a row the dead process wrote after the thread was read, never one of its own or one the read saw', () => {
    const h = restarted();
    h.feed({ type: 'recover', thread });
    const row = (seq: number, key: string) => hubMessage(ALICE, 'Done ', { seq, runner_id: 'runner-1', kind: 'assistant', item_key: key, status: 'streaming' });
    // Seen by the read (seq <= 9): the recovery already answered for it.
    expect(only(h.hub_(row(7, 'old-turn:call_1')), 'update_row')).toEqual([]);
    // Late: the dead process's last frame reached the hub after the read.
    h.hub.rows.set('old-turn:msg_2', { kind: 'assistant', body: 'Done ', meta: {}, status: 'streaming' });
    expect(only(h.hub_(row(10, 'old-turn:msg_2')), 'update_row').map((e) => e.payload)).toEqual([{ item_key: 'old-turn:msg_2', status: 'interrupted' }]);
    // This process's own row comes back as an event: left to the stream.
    h.feed({ type: 'turn_start_ok', message_id: 'msg-6', turnId: T });
    h.codex(note.agentDelta(T, 'msg_3', 'Hello'));
    h.tick(1_000);
    const own = only(h.effects, 'post_row').find((e) => e.payload.kind === 'assistant');
    expect(own?.payload.item_key).toBeDefined();
    expect(only(h.hub_(row(11, own!.payload.item_key!)), 'update_row')).toEqual([]);
  });
});

