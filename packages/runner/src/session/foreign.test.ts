// Turns the runner did not start (the owner's TUI, `pilothouse run --tui`): notification sequences
// as docs/decisions/tui-mirror.md saw them from codex 0.169.0, fed through `step`.
import { describe, expect, it } from 'vitest';
import type { ThreadItem } from '../codex/generated/v2/index.js';
import { inputText } from '../codex/translate.js';
import { omissionMarker } from './text.js';
import { ALICE, CODEX_THREAD, Harness, HUB_THREAD, hubMessage, item, note, only, request, wire } from '../../test/session-fixtures.js';

const F = 'turn-tui';
const T = 'turn-1';
/** A userMessage item as Codex reports it: `clientId` is the TUI's own id, or turn/start's clientUserMessageId. */
const typed = (id: string, text: string, clientId: string | null): ThreadItem => ({ type: 'userMessage', id, clientId, content: [{ type: 'text', text, text_elements: [] }] });
const mirroredRow = (turnId: string, itemId: string, body: string) => ({
  type: 'post_row',
  turn_id: turnId,
  payload: { client_id: `tui:${turnId}:${itemId}`, thread_id: HUB_THREAD, kind: 'text', body, meta: { source: 'tui', turn_id: turnId, item_id: itemId } },
});
const events = (effects: ReturnType<Harness['feed']>) => only(effects, 'log').map((l) => l.event);

describe('a turn typed in the TUI', () => {
  it('mirrors the input as a runner text row, then streams its items like any turn, once', () => {
    const h = new Harness();
    expect(wire(h.codex(note.status([]), note.turnStarted(F)))).toEqual([{ type: 'runner_status', status: 'working', thread_id: HUB_THREAD }]);
    expect(wire(h.codex(note.started(F, typed('u1', 'fix the tests', 'tui-uuid-1'))))).toEqual([mirroredRow(F, 'u1', 'fix the tests')]);
    // item/completed repeats the same input: the key guards it.
    expect(wire(h.codex(note.completed(F, typed('u1', 'fix the tests', 'tui-uuid-1'))))).toEqual([]);

    expect(wire(h.codex(note.started(F, item.agent('msg_2', '')), note.agentDelta(F, 'msg_2', 'On '), note.agentDelta(F, 'msg_2', 'it.')))).toEqual([
      { type: 'post_row', turn_id: F, payload: { client_id: `row:${F}:msg_2`, thread_id: HUB_THREAD, item_key: `${F}:msg_2`, kind: 'assistant', body: 'On ', meta: {}, status: 'streaming' } },
    ]);
    const final = item.agent('msg_2', 'On it.');
    const end = h.codex(note.completed(F, final), note.status('idle'), note.turnCompleted(F, 'completed', [final]));
    expect(wire(end)).toEqual([
      { type: 'append', turn_id: F, payload: { item_key: `${F}:msg_2`, offset: 3, text: 'it.' } },
      { type: 'update_row', turn_id: F, payload: { item_key: `${F}:msg_2`, status: 'completed' } },
      { type: 'runner_status', status: 'idle', thread_id: HUB_THREAD },
    ]);
    expect(events(end)).toContain('foreign_turn_completed');
    expect([...h.hub.rows.entries()]).toMatchObject([
      [`tui:${F}:u1`, { kind: 'text', body: 'fix the tests', meta: { source: 'tui', turn_id: F, item_id: 'u1' } }],
      [`${F}:msg_2`, { kind: 'assistant', body: 'On it.', meta: {}, status: 'completed' }],
    ]);
    expect(h.hub.states.size).toBe(0);

    // Late repeats of the finished turn change nothing.
    expect(wire(h.codex(note.turnStarted(F), note.started(F, typed('u1', 'fix the tests', 'tui-uuid-1')), note.agentDelta(F, 'msg_2', '!')))).toEqual([]);
  });

  it('queues thread messages behind it and starts them when it ends', () => {
    const h = new Harness();
    h.codex(note.turnStarted(F), note.started(F, typed('u1', 'long job', 'tui-uuid-1')));
    const queued = h.hub_(hubMessage(ALICE, 'after that, this', { seq: 7 }));
    expect(wire(queued)).toEqual([
      { type: 'set_state', payload: { message_id: 'msg-7', state: { state: 'queued', reason: null, approval: null } } },
      { type: 'ack', seq: 6 },
    ]);
    expect(only(queued, 'start_turn')).toEqual([]);
    const end = h.codex(note.turnCompleted(F, 'completed'));
    expect(only(end, 'start_turn')).toEqual([{ type: 'start_turn', threadId: CODEX_THREAD, message_id: 'msg-7', text: 'after that, this' }]);
    expect(h.hub.lastState('msg-7')).toEqual({ state: 'processing', reason: 'starting turn' });
  });

  it('leaves its approvals to the TUI: no answer, no prompt in the thread', () => {
    const h = new Harness();
    h.codex(note.turnStarted(F), note.started(F, typed('u1', 'touch /root/x', 'tui-uuid-1')), note.started(F, item.command('call_3')));
    const asked = h.ask(request.command(0, F, 'call_3'));
    expect(wire(asked)).toEqual([]);
    expect(events(asked)).toEqual(['approval_left_to_tui']);
    expect(h.state.approvals.length).toBe(0);
    expect(wire(h.codex(note.resolved(0)))).toEqual([]);
    h.codex(note.completed(F, item.command('call_3', { status: 'completed', output: '', exitCode: 0 })), note.turnCompleted(F, 'completed'));
    expect(h.hub.row(`${F}:call_3`)).toMatchObject({ kind: 'command', status: 'completed' });
  });

  it('keeps the heartbeat while it runs', () => {
    const h = new Harness();
    h.codex(note.turnStarted(F));
    expect(only(h.tick(5_000), 'runner_status')).toEqual([{ type: 'runner_status', status: 'working', thread_id: HUB_THREAD }]);
    h.codex(note.turnCompleted(F, 'interrupted'));
    expect(only(h.tick(5_000), 'runner_status')).toEqual([]);
  });

  it('closes its rows when Codex exits or the runner closes', () => {
    const exited = new Harness();
    exited.codex(note.turnStarted(F), note.started(F, item.agent('m', '')), note.agentDelta(F, 'm', 'par'));
    exited.feed({ type: 'agent_exited', reason: 'signal SIGKILL' });
    expect(exited.hub.row(`${F}:m`)).toEqual({ kind: 'assistant', body: 'par', meta: {}, status: 'failed' });
    exited.hub_(hubMessage(ALICE, 'next', { seq: 3 }));
    expect(only(exited.effects, 'start_thread')).toHaveLength(1);

    const closed = new Harness();
    closed.codex(note.turnStarted(F), note.started(F, item.agent('m', '')), note.agentDelta(F, 'm', 'par'));
    closed.feed({ type: 'close', reason: 'SIGINT' });
    expect(closed.hub.row(`${F}:m`).status).toBe('interrupted');
    expect(only(closed.effects, 'runner_status').at(-1)).toEqual({ type: 'runner_status', status: 'idle', thread_id: HUB_THREAD });
  });

  it('keeps the mirror registry bounded', () => {
    const h = new Harness({ registryCap: 2 });
    for (const turn of ['a', 'b', 'c', 'd']) {
      h.codex(note.turnStarted(turn), note.started(turn, typed('u', `input ${turn}`, `tui-${turn}`)), note.turnCompleted(turn, 'completed'));
    }
    expect(only(h.effects, 'post_row').map((e) => e.payload.body)).toEqual(['input a', 'input b', 'input c', 'input d']);
    expect(h.state.mirrored.length).toBe(2);
  });
});

describe('input typed in the TUI while a thread message runs (steer)', () => {
  function running(): Harness {
    const h = new Harness();
    h.hub_(hubMessage(ALICE, 'say hello', { seq: 5 }));
    h.feed({ type: 'turn_start_ok', message_id: 'msg-5', turnId: T });
    h.codex(note.turnStarted(T));
    return h;
  }

  it('mirrors the steering input, never the runner own input', () => {
    const h = running();
    expect(wire(h.codex(note.started(T, typed('u1', 'say hello', 'msg-5')), note.started(T, typed('u0', 'say hello', null))))).toEqual([]);
    const steer = h.codex(note.started(T, typed('u2', 'and be brief', 'tui-uuid-2')), note.completed(T, typed('u2', 'and be brief', 'tui-uuid-2')));
    expect(wire(steer)).toEqual([mirroredRow(T, 'u2', 'and be brief')]);
    h.codex(note.turnCompleted(T, 'completed'));
    expect(h.hub.lastState('msg-5')).toEqual({ state: 'processed', reason: null });
  });
});

describe('a TUI turn that starts while a thread message is starting', () => {
  it('stays foreign until the turn/start response names it; then the message owns it', () => {
    const h = new Harness();
    h.hub_(hubMessage(ALICE, 'from the thread', { seq: 5 }));
    h.codex(note.turnStarted(F), note.started(F, typed('u1', 'from the TUI', 'tui-uuid-1')));
    expect(h.hub.row(`tui:${F}:u1`).body).toBe('from the TUI');
    // Codex steered our input into the TUI's turn: turn/start answers with that turn's id.
    const claimed = h.feed({ type: 'turn_start_ok', message_id: 'msg-5', turnId: F });
    expect(events(claimed)).toEqual(['foreign_turn_claimed', 'turn_started']);
    expect(wire(h.codex(note.started(F, typed('u2', 'from the thread', 'msg-5'))))).toEqual([]);
    h.codex(note.started(F, item.agent('m', '')), note.agentDelta(F, 'm', 'Both.'), note.turnCompleted(F, 'completed', [item.agent('m', 'Both.')]));
    expect(h.hub.row(`${F}:m`)).toMatchObject({ body: 'Both.', status: 'completed' });
    expect(h.hub.lastState('msg-5')).toEqual({ state: 'processed', reason: null });
    expect(h.state.foreign).toBeNull();
  });

  it('a foreign turn that ended before our turn/start was served does not take the message', () => {
    const h = new Harness();
    h.hub_(hubMessage(ALICE, 'from the thread', { seq: 5 }));
    h.codex(note.turnStarted(F), note.started(F, typed('u1', 'quick', 'tui-uuid-1')), note.turnCompleted(F, 'completed'));
    expect(h.hub.lastState('msg-5')).toEqual({ state: 'processing', reason: 'starting turn' });
    h.feed({ type: 'turn_start_ok', message_id: 'msg-5', turnId: T });
    h.codex(note.turnStarted(T), note.started(T, typed('u2', 'from the thread', 'msg-5')), note.turnCompleted(T, 'completed'));
    expect(h.hub.lastState('msg-5')).toEqual({ state: 'processed', reason: null });
    expect(only(h.effects, 'post_row')).toHaveLength(1);
  });
});

describe('inputText', () => {
  it('names attachments, and long input is clipped like any row', () => {
    expect(
      inputText([
        { type: 'text', text: 'look at this', text_elements: [] },
        { type: 'localImage', path: '/tmp/shot.png' },
        { type: 'mention', name: 'README.md', path: '/ws/README.md' },
      ]),
    ).toBe('look at this\n[image: /tmp/shot.png]\n[mention: README.md]');
    const h = new Harness({ headChars: 10, tailChars: 5 });
    h.codex(note.turnStarted(F), note.started(F, typed('u1', `${'a'.repeat(20)}bbbbb`, 'tui-uuid-1')));
    const row = only(h.effects, 'post_row')[0]!.payload;
    expect(row.body).toBe(`${'a'.repeat(10)}${omissionMarker(10)}bbbbb`);
    expect(row.meta).toMatchObject({ source: 'tui', total_bytes: 25, omitted_bytes: 10 });
  });
});
