// Re-binding to an older session thread (rebind.ts): a reply there from an allowed actor runs
// there, in that session's agent thread; others' replies are ignored; unknown threads stay silent.
import { describe, expect, it } from 'vitest';
import { ALICE, BOB, CODEX_THREAD, Harness, HUB_THREAD, hubMessage, item, note, only, wire } from '../../test/session-fixtures.js';
import { REBOUND_NOTICE } from './rebind.js';

/** An older session of this runner: its hub thread and the Codex thread it used (the fixtures' notes speak for that one). */
const OLD = 'root-0';
/** The agent thread of the session the runner runs now. */
const NOW_AGENT = 'codex-now';
const queued = { state: 'queued', reason: null, approval: null } as const;

const session = () => new Harness({ agentThreadId: NOW_AGENT, threads: [{ threadId: OLD, agentThreadId: CODEX_THREAD }] });

const notice = (to: string, from: string, messageId: string) => ({
  type: 'post_row',
  turn_id: null,
  payload: { client_id: `rebound:${to}:${messageId}`, thread_id: to, kind: 'notice', body: REBOUND_NOTICE, meta: { from_thread: from, message_id: messageId } },
});

describe('a reply in an older session thread', () => {
  it('re-binds the session there: resumes its agent thread, runs the message, and its rows, states and presence go there', () => {
    const h = session();
    expect(wire(h.hub_(hubMessage(ALICE, 'continue please', { seq: 5, thread_id: OLD })))).toEqual([
      { type: 'set_state', payload: { message_id: 'msg-5', state: queued } },
      { type: 'runner_status', status: 'working', thread_id: OLD },
      notice(OLD, HUB_THREAD, 'msg-5'),
      { type: 'start_thread', resume: CODEX_THREAD, reason: 're-bound to an older session thread' },
      { type: 'ack', seq: 4 },
    ]);
    expect(only(h.effects, 'log').find((l) => l.event === 'thread_rebound')?.fields).toEqual({ from: HUB_THREAD, to: OLD, message_id: 'msg-5', agent_thread: CODEX_THREAD });
    expect({ bound: h.state.bound, older: h.state.older, agent: h.state.agent }).toEqual({
      bound: OLD,
      older: [{ threadId: HUB_THREAD, agentThreadId: NOW_AGENT }],
      agent: { status: 'starting', previous: CODEX_THREAD },
    });

    expect(wire(h.feed({ type: 'thread_started', threadId: CODEX_THREAD }))).toEqual([
      { type: 'set_state', payload: { message_id: 'msg-5', state: { state: 'processing', reason: 'starting turn', approval: null } } },
      { type: 'start_turn', threadId: CODEX_THREAD, message_id: 'msg-5', text: 'continue please' },
    ]);
    h.feed({ type: 'turn_start_ok', message_id: 'msg-5', turnId: 'turn-1' });
    const final = item.agent('m1', 'Done.');
    const end = h.codex(note.turnStarted('turn-1'), note.started('turn-1', item.agent('m1', '')), note.agentDelta('turn-1', 'm1', 'Done.'), note.completed('turn-1', final), note.turnCompleted('turn-1', 'completed', [final]));
    expect(wire(end)).toEqual([
      { type: 'post_row', turn_id: 'turn-1', payload: { client_id: 'row:turn-1:m1', thread_id: OLD, item_key: 'turn-1:m1', kind: 'assistant', body: 'Done.', meta: {}, status: 'streaming' } },
      { type: 'set_state', payload: { message_id: 'msg-5', state: { state: 'processing', reason: 'streaming response', approval: null } } },
      { type: 'update_row', turn_id: 'turn-1', payload: { item_key: 'turn-1:m1', status: 'completed' } },
      { type: 'ack', seq: 5, durable: true },
      { type: 'set_state', payload: { message_id: 'msg-5', state: { state: 'processed', reason: null, approval: null } } },
      { type: 'runner_status', status: 'idle', thread_id: OLD },
    ]);
  });

  it('from someone not allowed to steer: ignored with the reason, the session stays where it is', () => {
    const h = session();
    const before = h.state;
    expect(wire(h.hub_(hubMessage(BOB, 'hi', { seq: 5, thread_id: OLD })))).toEqual([
      { type: 'set_state', payload: { message_id: 'msg-5', state: { state: 'ignored', reason: 'not the listen user (alice)', approval: null } } },
      { type: 'ack', seq: 5 },
    ]);
    expect(h.state).toEqual({ ...before, lastSeq: 5, ackedSeq: 5 });
  });

  it('a command there is ignored with the reason (commands act on the bound thread)', () => {
    const h = session();
    expect(wire(h.hub_(hubMessage(ALICE, '/pilothouse retry', { seq: 5, thread_id: OLD })))).toEqual([
      { type: 'set_state', payload: { message_id: 'msg-5', state: { state: 'ignored', reason: 'commands apply to the thread the session is bound to; send an instruction here to re-bind it first', approval: null } } },
      { type: 'ack', seq: 5 },
    ]);
    expect(h.state.bound).toBe(HUB_THREAD);
  });

  it('a thread that is not one of this runner’s sessions stays ignored without a word', () => {
    const h = session();
    expect(wire(h.hub_(hubMessage(ALICE, 'hi', { seq: 5, thread_id: 'someone-elses-root' })))).toEqual([{ type: 'ack', seq: 5 }]);
    expect(h.state.bound).toBe(HUB_THREAD);
  });

  it('a reply back in the thread it left re-binds back, resuming that thread’s agent thread', () => {
    const h = session();
    h.hub_(hubMessage(ALICE, 'over there', { seq: 5, thread_id: OLD }));
    h.feed({ type: 'thread_started', threadId: CODEX_THREAD });
    h.feed({ type: 'turn_start_ok', message_id: 'msg-5', turnId: 'turn-1' });
    h.codex(note.turnCompleted('turn-1', 'completed'));
    expect(wire(h.hub_(hubMessage(ALICE, 'back here', { seq: 6 })))).toEqual([
      { type: 'set_state', payload: { message_id: 'msg-6', state: queued } },
      { type: 'runner_status', status: 'working', thread_id: HUB_THREAD },
      notice(HUB_THREAD, OLD, 'msg-6'),
      { type: 'start_thread', resume: NOW_AGENT, reason: 're-bound to an older session thread' },
    ]);
    expect({ bound: h.state.bound, older: h.state.older }).toEqual({ bound: HUB_THREAD, older: [{ threadId: OLD, agentThreadId: CODEX_THREAD }] });
    expect(only(h.feed({ type: 'thread_started', threadId: NOW_AGENT }), 'start_turn')).toEqual([{ type: 'start_turn', threadId: NOW_AGENT, message_id: 'msg-6', text: 'back here' }]);
  });

  it('keeps the queue order: a reply there waits behind the running turn, and the one after it re-binds back', () => {
    const h = new Harness({ threads: [{ threadId: OLD, agentThreadId: 'codex-old' }] });
    h.hub_(hubMessage(ALICE, 'one', { seq: 5 }));
    h.feed({ type: 'turn_start_ok', message_id: 'msg-5', turnId: 'turn-1' });
    // While turn-1 runs: one in the older thread, then one in the bound thread. Neither re-binds yet.
    expect(wire(h.hub_(hubMessage(ALICE, 'two', { seq: 6, thread_id: OLD })))).toEqual([{ type: 'set_state', payload: { message_id: 'msg-6', state: queued } }]);
    expect(wire(h.hub_(hubMessage(ALICE, 'three', { seq: 7 })))).toEqual([{ type: 'set_state', payload: { message_id: 'msg-7', state: queued } }]);
    expect(h.state.bound).toBe(HUB_THREAD);

    const first = h.codex(note.turnCompleted('turn-1', 'completed'));
    expect(only(first, 'start_thread')).toEqual([{ type: 'start_thread', resume: 'codex-old', reason: 're-bound to an older session thread' }]);
    expect(only(first, 'runner_status')).toEqual([{ type: 'runner_status', status: 'working', thread_id: OLD }]);
    expect(only(h.feed({ type: 'thread_started', threadId: 'codex-old' }), 'start_turn')).toEqual([{ type: 'start_turn', threadId: 'codex-old', message_id: 'msg-6', text: 'two' }]);
    h.feed({ type: 'turn_start_ok', message_id: 'msg-6', turnId: 'turn-2' });

    const second = h.feed({ type: 'turn_completed', threadId: 'codex-old', turnId: 'turn-2', outcome: { status: 'completed' }, finals: [] });
    expect(only(second, 'start_thread')).toEqual([{ type: 'start_thread', resume: CODEX_THREAD, reason: 're-bound to an older session thread' }]);
    expect(only(h.feed({ type: 'thread_started', threadId: CODEX_THREAD }), 'start_turn')).toEqual([{ type: 'start_turn', threadId: CODEX_THREAD, message_id: 'msg-7', text: 'three' }]);
    expect(only(h.effects, 'start_turn').map((e) => e.message_id)).toEqual(['msg-5', 'msg-6', 'msg-7']);
  });

  it('an older thread whose agent thread cannot be resumed: the message fails if no thread starts, and the session stays re-bound', () => {
    const h = session();
    h.hub_(hubMessage(ALICE, 'continue', { seq: 5, thread_id: OLD }));
    expect(wire(h.feed({ type: 'thread_start_failed', error: 'no rollout' }))).toEqual([
      { type: 'set_state', payload: { message_id: 'msg-5', state: { state: 'failed', reason: 'could not start a Codex thread: no rollout', approval: null } } },
      { type: 'runner_status', status: 'idle', thread_id: OLD },
      { type: 'ack', seq: 5 },
    ]);
    expect({ bound: h.state.bound, agent: h.state.agent }).toEqual({ bound: OLD, agent: { status: 'missing', previous: CODEX_THREAD, resume: false } });
  });
});
