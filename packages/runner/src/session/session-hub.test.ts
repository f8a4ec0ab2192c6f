// Session behaviour around the hub: who may steer, the cursor, heartbeats, closing, Codex exits.
import { describe, expect, it } from 'vitest';
import type { ServerNotification } from '../codex/generated/index.js';
import { nextDeadline, step } from './session.js';
import { createSession, sessionConfig } from './state.js';
import { ALICE, BOB, CODEX_THREAD, Harness, HUB_THREAD, hubControl, hubMessage, item, note, only, request, wire } from '../../test/session-fixtures.js';

const T = 'turn-1';

function running(options: ConstructorParameters<typeof Harness>[0] = {}): Harness {
  const h = new Harness(options);
  h.hub_(hubMessage(ALICE, 'say hello', { seq: 5 }));
  h.feed({ type: 'turn_start_ok', message_id: 'msg-5', turnId: T });
  return h;
}

describe('who may steer', () => {
  it('marks a message from anyone but the listen user ignored, with the reason', () => {
    const h = new Harness();
    const effects = h.hub_(hubMessage(BOB, 'do something else', { seq: 3 }));
    expect(wire(effects)).toEqual([
      { type: 'set_state', payload: { message_id: 'msg-3', state: { state: 'ignored', reason: 'not the listen user (alice)', approval: null } } },
      { type: 'ack', seq: 3 },
    ]);
    expect(only(effects, 'log')[0]).toMatchObject({ event: 'message_ignored', fields: { author: 'bob' } });
    expect(h.state.queue.length).toBe(0);
  });

  it('accepts allowed users by name (any case) or user id', () => {
    const h = new Harness({ allowed: [{ name: 'alice' }, { name: 'Carol', user_id: 'u-carol' }] });
    h.hub_(hubMessage({ user_id: 'x', name: 'CAROL' }, 'one', { seq: 3 }));
    h.hub_(hubMessage({ user_id: 'u-carol', name: 'carol-renamed' }, 'two', { seq: 4 }));
    expect(h.hub.lastState('msg-3')?.state).toBe('processing');
    expect(h.hub.lastState('msg-4')?.state).toBe('queued');
  });

  it('ignores the runner’s own rows, the root and other threads entirely', () => {
    const h = new Harness();
    const own = h.hub_(hubMessage(ALICE, 'a row', { seq: 3, runner_id: 'runner-1', kind: 'assistant' }));
    const root = h.hub_(hubMessage(ALICE, 'session', { seq: 4, id: HUB_THREAD }));
    const other = h.hub_(hubMessage(ALICE, 'elsewhere', { seq: 5, thread_id: 'other-root' }));
    expect([...wire(own), ...wire(root), ...wire(other)]).toEqual([
      { type: 'ack', seq: 3 },
      { type: 'ack', seq: 4 },
      { type: 'ack', seq: 5 },
    ]);
  });

  it('refuses controls from others and controls without permission, visibly', () => {
    const h = running();
    const refused = h.hub_(hubControl(BOB, { type: 'drop_queued', through_seq: 99 }, 20));
    expect(wire(refused)).toEqual([
      {
        type: 'post_row',
        turn_id: null,
        payload: {
          client_id: 'control:ctl-20',
          thread_id: HUB_THREAD,
          kind: 'notice',
          body: 'drop_queued refused: bob is not allowed to steer this session (alice can).',
          meta: { code: 'sender_not_allowed', control_id: 'ctl-20', action: 'drop_queued', actor: 'bob' },
        },
      },
    ]);
  });

  it('decides a port-forward button inside the session (the review: previews/previews.test.ts)', () => {
    const h = new Harness({ previews: { idPrefix: 'pf-', secret: 's'.repeat(32), initialForward: [], suppressed: [], scanMs: 1000 } });
    h.feed({ type: 'listeners_scanned', listeners: [{ port: 5173, pid: 10, command: 'vite', cwd: '/w' }] });
    const effects = wire(h.hub_(hubControl(ALICE, { type: 'resolve_port_forward', request_id: 'pf-1', decision: 'approve' }, 3)));
    expect(effects.map((e) => e.type)).toEqual(['update_row', 'preview_open', 'ack']);
    expect(effects[1]).toEqual({ type: 'preview_open', payload: { preview_id: expect.stringMatching(/^[0-9a-f]{20}$/), port: 5173, thread_id: HUB_THREAD } });
  });

  it('refuses a message when the queue is full', () => {
    const h = new Harness({ maxQueued: 1 });
    h.hub_(hubMessage(ALICE, 'running', { seq: 3 }));
    h.hub_(hubMessage(ALICE, 'queued', { seq: 4 }));
    h.hub_(hubMessage(ALICE, 'too many', { seq: 5 }));
    expect(h.hub.lastState('msg-5')).toEqual({ state: 'failed', reason: 'the queue is full (1 messages)' });
  });
});

describe('the hub cursor', () => {
  it('acks up to the oldest message still queued or running, and skips repeats', () => {
    const h = new Harness({}, 2);
    h.hub_(hubMessage(ALICE, 'first', { seq: 5 }));
    h.hub_(hubMessage(ALICE, 'second', { seq: 6 }));
    h.hub_(hubControl(ALICE, { type: 'drop_queued', through_seq: 0 }, 7));
    expect(only(h.effects, 'ack')).toEqual([{ type: 'ack', seq: 4 }]);
    expect(h.hub_(hubMessage(ALICE, 'first', { seq: 5 }))).toMatchObject([{ type: 'log', event: 'hub_event_repeat' }]);
    h.feed({ type: 'turn_start_ok', message_id: 'msg-5', turnId: T });
    h.codex(note.turnCompleted(T, 'completed'));
    expect(only(h.effects, 'ack').at(-1)).toEqual({ type: 'ack', seq: 5, durable: true });
    h.feed({ type: 'turn_start_ok', message_id: 'msg-6', turnId: 'turn-2' });
    h.codex(note.turnCompleted('turn-2', 'completed'));
    expect(only(h.effects, 'ack').at(-1)).toEqual({ type: 'ack', seq: 7, durable: true });
  });
});

describe('heartbeat and deadlines', () => {
  it('sends working every 5 s while a turn runs, idle when done', () => {
    const h = running();
    expect(nextDeadline(h.state)).toBe(5_000);
    expect(only(h.tick(4_999), 'runner_status')).toEqual([]);
    expect(only(h.tick(1), 'runner_status')).toEqual([{ type: 'runner_status', status: 'working', thread_id: HUB_THREAD }]);
    expect(nextDeadline(h.state)).toBe(10_000);
    h.codex(note.turnCompleted(T, 'completed'));
    expect(only(h.effects, 'runner_status').at(-1)).toEqual({ type: 'runner_status', status: 'idle', thread_id: HUB_THREAD });
    expect(nextDeadline(h.state)).toBeNull();
  });

  it('the first text goes out with the row; later deltas wait a full window, then at most one append per window', () => {
    const h = running();
    const start = h.now;
    const first = h.codex(note.turnStarted(T), note.started(T, item.agent('m', '')), note.agentDelta(T, 'm', 'a'), note.agentDelta(T, 'm', 'b'));
    expect(only(first, 'post_row').map((e) => e.payload.body)).toEqual(['a']);
    expect(nextDeadline(h.state)).toBe(start + 150);
    expect(only(h.tick(149), 'append')).toEqual([]);
    expect(only(h.tick(1), 'append').map((e) => e.payload.text)).toEqual(['b']);
    h.codex(note.agentDelta(T, 'm', 'c'));
    expect(nextDeadline(h.state)).toBe(start + 300);
    expect(only(h.tick(149), 'append')).toEqual([]);
    expect(only(h.tick(1), 'append').map((e) => e.payload.text)).toEqual(['c']);
  });
});

describe('Codex side', () => {
  it('ignores events of other Codex threads and unknown turns', () => {
    const h = running();
    const other: ServerNotification = { method: 'item/agentMessage/delta', params: { threadId: 'tui-thread', turnId: T, itemId: 'm', delta: 'x' } };
    expect(wire(h.codex(other, note.agentDelta('turn-x', 'm', 'y')))).toEqual([]);
  });

  it('streams terminal input, web search, and the turn plan through the same pipeline', () => {
    const h = running();
    h.codex(note.started(T, item.command('call_1')));
    h.codex({ method: 'item/commandExecution/terminalInteraction', params: { threadId: CODEX_THREAD, turnId: T, itemId: 'call_1', processId: '1053', stdin: 'y\n' } });
    h.codex(note.completed(T, item.command('call_1', { status: 'completed', output: 'ok\n', exitCode: 0 })));
    h.codex(note.started(T, item.webSearch('ws_1', '')), note.completed(T, item.webSearch('ws_1', 'codex', ['codex app-server'])));
    h.codex({ method: 'turn/plan/updated', params: { threadId: CODEX_THREAD, turnId: T, explanation: null, plan: [{ step: 'look', status: 'inProgress' }] } });
    h.codex({ method: 'turn/plan/updated', params: { threadId: CODEX_THREAD, turnId: T, explanation: null, plan: [{ step: 'look', status: 'completed' }] } });
    h.codex(note.turnCompleted(T, 'completed'));
    expect(h.hub.row(`${T}:call_1:stdin`)).toMatchObject({ kind: 'terminal_input', body: 'y\n', status: 'completed' });
    expect(h.hub.row(`${T}:ws_1`)).toMatchObject({ kind: 'web_search', body: 'codex app-server', status: 'completed' });
    expect(h.hub.row(`${T}:plan`)).toMatchObject({ kind: 'plan', body: '- [x] look', status: 'completed' });
  });

  it('refuses server requests it does not handle, and declines approvals of other turns', () => {
    const h = running();
    const tool = h.ask({ method: 'item/tool/call', id: 7, params: { threadId: CODEX_THREAD, turnId: T, callId: 'c', namespace: null, tool: 'x', arguments: null } });
    expect(wire(tool)).toEqual([{ type: 'refuse', requestId: '7', message: 'item/tool/call is not handled by the Pilothouse session' }]);
    expect(h.sent(tool)).toEqual([{ id: '7', error: 'item/tool/call is not handled by the Pilothouse session' }]);
    const other = h.ask(request.command(8, 'old-turn', 'call_1'));
    expect(wire(other)).toEqual([{ type: 'answer', requestId: '8', choice: 'deny' }]);
    expect(h.sent(other)).toEqual([{ id: '8', result: { decision: 'decline' } }]);
  });

  it('when Codex exits, the running message fails, rows close, and the thread is resumed for the next', () => {
    const h = running();
    h.hub_(hubMessage(ALICE, 'next', { seq: 9 }));
    h.codex(note.started(T, item.command('call_1')), note.outputDelta(T, 'call_1', 'partial'));
    h.ask(request.command(0, T, 'call_1'));
    const exited = h.feed({ type: 'agent_exited', reason: 'signal SIGKILL' });
    expect(h.sent(exited)).toEqual([]);
    expect(h.hub.row(`${T}:call_1`)).toMatchObject({ body: 'partial', status: 'failed' });
    expect(h.hub.lastState('msg-5')).toEqual({ state: 'failed', reason: 'Codex exited: signal SIGKILL' });
    expect(only(exited, 'start_thread')).toEqual([{ type: 'start_thread', resume: CODEX_THREAD, reason: 'the agent restarted' }]);
    expect(only(h.feed({ type: 'thread_started', threadId: CODEX_THREAD }), 'start_turn')[0]?.message_id).toBe('msg-9');
  });

  it('when Codex exits before naming the turn, the starting message fails too: it may have started', () => {
    const h = new Harness();
    h.hub_(hubMessage(ALICE, 'first', { seq: 5 }));
    h.hub_(hubMessage(ALICE, 'second', { seq: 6 }));
    h.feed({ type: 'agent_exited', reason: 'signal SIGKILL' });
    expect(h.hub.lastState('msg-5')).toEqual({ state: 'failed', reason: 'Codex exited: signal SIGKILL' });
    h.turnStartFailed('msg-5', 'codex is not running');
    expect(h.hub.lastState('msg-5')).toEqual({ state: 'failed', reason: 'Codex exited: signal SIGKILL' });
    h.feed({ type: 'thread_started', threadId: CODEX_THREAD });
    expect(only(h.effects, 'start_turn').map((e) => e.message_id)).toEqual(['msg-5', 'msg-6']);
  });

  it('a long exit reason (stderr quoted) still fails the message, clipped to what the hub takes', () => {
    const h = running();
    h.feed({ type: 'agent_exited', reason: `signal SIGKILL; stderr: ${'warning '.repeat(600)}` });
    const state = h.hub.lastState('msg-5');
    expect(state?.state).toBe('failed');
    expect(state?.reason).toHaveLength(2000);
    expect(state?.reason).toMatch(/^Codex exited: signal SIGKILL; stderr: warning .*…$/);
  });

  it('starts a Codex thread before the first turn when none was given', () => {
    const h = new Harness({ agentThreadId: null });
    expect(only(h.hub_(hubMessage(ALICE, 'hi', { seq: 3 })), 'start_thread')).toEqual([{ type: 'start_thread', resume: null, reason: 'no agent thread yet' }]);
    const failed = h.feed({ type: 'thread_start_failed', error: 'config invalid' });
    expect(h.hub.lastState('msg-3')).toEqual({ state: 'failed', reason: 'could not start a Codex thread: config invalid' });
    expect(only(failed, 'ack')).toEqual([{ type: 'ack', seq: 3 }]);
  });
});

describe('close', () => {
  it('declines approvals, closes rows, fails what is left, and stops', () => {
    const h = running();
    h.hub_(hubMessage(ALICE, 'queued', { seq: 9 }));
    h.codex(note.started(T, item.command('call_1')));
    h.ask(request.command(0, T, 'call_1'));
    const closed = h.feed({ type: 'close', reason: 'SIGINT' });
    expect(h.sent(closed).map((a) => ('result' in a ? a.result : a.error))).toEqual([{ decision: 'decline' }]);
    expect(h.hub.row(`${T}:call_1`).status).toBe('interrupted');
    expect(h.hub.lastState('msg-5')).toEqual({ state: 'failed', reason: 'the runner closed: SIGINT' });
    expect(h.hub.lastState('msg-9')).toEqual({ state: 'failed', reason: 'the runner closed: SIGINT' });
    expect(only(closed, 'runner_status')).toEqual([{ type: 'runner_status', status: 'idle', thread_id: HUB_THREAD }]);
    expect(only(closed, 'ack')).toEqual([{ type: 'ack', seq: 9 }]);
    expect(wire(h.hub_(hubMessage(ALICE, 'late', { seq: 10 })))).toEqual([]);
  });
});

describe('config', () => {
  it('validates its numbers and needs a listen user', () => {
    expect(() => sessionConfig({ threadId: 'r', allowed: [] })).toThrow('listen user');
    expect(() => sessionConfig({ threadId: 'r', allowed: [{ name: 'a' }], flushMs: 0 })).toThrow('flushMs');
    expect(() => sessionConfig({ threadId: 'r', allowed: [{ name: 'a' }], headChars: 300_000 })).toThrow('headChars');
    const s = createSession(sessionConfig({ threadId: 'r', allowed: [{ name: 'a' }] }));
    expect(step(s, { type: 'tick', now: 1 })).toEqual({ state: s, effects: [] });
  });
});
