// Scenario tests: Codex notification sequences as docs/decisions/codex-app-server.md describes them, fed through
// `step` with the hub's row rules applied to the effects (FakeHub).
import { describe, expect, it } from 'vitest';
import { nextDeadline } from './session.js';
import { ALICE, BOB, CODEX_THREAD, Harness, HUB_THREAD, hubControl, hubMessage, item, note, only, request, wire } from '../../test/session-fixtures.js';
import { omissionMarker } from './text.js';

const T = 'turn-1';

/** A session with alice's message running as turn `T`. */
function running(options: ConstructorParameters<typeof Harness>[0] = {}): Harness {
  const h = new Harness(options);
  h.hub_(hubMessage(ALICE, 'say hello', { seq: 5 }));
  h.feed({ type: 'turn_start_ok', message_id: 'msg-5', turnId: T });
  h.codex(note.status([]), note.turnStarted(T), note.started(T, item.user('u1', 'say hello')), note.completed(T, item.user('u1', 'say hello')));
  return h;
}

describe('session: a plain text turn', () => {
  it('queues, starts, streams one row, reconciles and marks processed', () => {
    const h = new Harness();
    expect(wire(h.hub_(hubMessage(ALICE, 'say hello', { seq: 5 })))).toEqual([
      { type: 'set_state', payload: { message_id: 'msg-5', state: { state: 'queued', reason: null, approval: null } } },
      { type: 'set_state', payload: { message_id: 'msg-5', state: { state: 'processing', reason: 'starting turn', approval: null } } },
      { type: 'runner_status', status: 'working', thread_id: HUB_THREAD },
      { type: 'start_turn', threadId: CODEX_THREAD, message_id: 'msg-5', text: 'say hello' },
      { type: 'ack', seq: 4 },
    ]);
    expect(wire(h.feed({ type: 'turn_start_ok', message_id: 'msg-5', turnId: T }))).toEqual([]);
    expect(wire(h.codex(note.status([]), note.turnStarted(T), note.started(T, item.user('u1', 'say hello')), note.completed(T, item.user('u1', 'say hello'))))).toEqual([]);
    expect(wire(h.codex(note.started(T, item.agent('msg_2', '')), note.agentDelta(T, 'msg_2', 'Hel'), note.agentDelta(T, 'msg_2', 'lo')))).toEqual([
      { type: 'post_row', turn_id: T, payload: { client_id: `row:${T}:msg_2`, thread_id: HUB_THREAD, item_key: `${T}:msg_2`, kind: 'assistant', body: 'Hel', meta: {}, status: 'streaming' } },
      { type: 'set_state', payload: { message_id: 'msg-5', state: { state: 'processing', reason: 'streaming response', approval: null } } },
    ]);
    expect(wire(h.tick(150))).toEqual([{ type: 'append', turn_id: T, payload: { item_key: `${T}:msg_2`, offset: 3, text: 'lo' } }]);
    const final = item.agent('msg_2', 'Hello from the fake model.');
    const end = h.codex(note.agentDelta(T, 'msg_2', ' from the fake model.'), note.completed(T, final), note.status('idle'), note.turnCompleted(T, 'completed', [final]));
    expect(wire(end)).toEqual([
      { type: 'append', turn_id: T, payload: { item_key: `${T}:msg_2`, offset: 5, text: ' from the fake model.' } },
      { type: 'update_row', turn_id: T, payload: { item_key: `${T}:msg_2`, status: 'completed' } },
      // The cursor passes the run before its final state leaves (docs/protocol.md, "Runner restarts").
      { type: 'ack', seq: 5, durable: true },
      { type: 'set_state', payload: { message_id: 'msg-5', state: { state: 'processed', reason: null, approval: null } } },
      { type: 'runner_status', status: 'idle', thread_id: HUB_THREAD },
    ]);
    expect([...h.hub.rows.entries()]).toEqual([[`${T}:msg_2`, { kind: 'assistant', body: 'Hello from the fake model.', meta: {}, status: 'completed' }]]);
    expect(only(h.effects, 'log').map((l) => l.fields)).toContainEqual({ message_id: 'msg-5', seq: 5, author: 'alice', depth: 1 });
  });

  it('streams reasoning summary parts into one row', () => {
    const h = running();
    h.codex(note.started(T, item.reasoning('rs_2', [])), note.summaryPart(T, 'rs_2', 0));
    h.codex(note.summaryDelta(T, 'rs_2', 'Thinking '), note.summaryDelta(T, 'rs_2', 'about '), note.summaryDelta(T, 'rs_2', 'it.'));
    h.codex(note.summaryPart(T, 'rs_2', 1), note.summaryDelta(T, 'rs_2', 'More.', 1));
    h.codex(note.completed(T, item.reasoning('rs_2', ['Thinking about it.', 'More.'])), note.turnCompleted(T, 'completed', []));
    expect(h.hub.row(`${T}:rs_2`)).toEqual({ kind: 'reasoning', body: 'Thinking about it.\n\nMore.', meta: {}, status: 'completed' });
    expect(only(h.effects, 'update_row').map((e) => e.payload)).toEqual([{ item_key: `${T}:rs_2`, status: 'completed' }]);
  });

  it('10,000 deltas into one item within one flush window make exactly one append', () => {
    const h = running();
    h.codex(note.started(T, item.agent('msg_2', '')));
    const effects = h.codex(...Array.from({ length: 10_000 }, (_, i) => note.agentDelta(T, 'msg_2', String(i % 10))));
    expect(only(effects, 'post_row')).toHaveLength(1);
    expect(only(effects, 'append')).toHaveLength(0);
    // The post carried the first delta: the rest waits one full window.
    h.now += 100;
    expect(nextDeadline(h.state)).toBe(h.now + 50);
    const flushed = h.tick(50);
    expect(only(flushed, 'append')).toHaveLength(1);
    expect(only(h.tick(150), 'append')).toHaveLength(0);
    expect(h.hub.row(`${T}:msg_2`).body).toHaveLength(10_000);
  });
});

describe('session: commands and approvals', () => {
  it('accept: awaiting approval with the prompt, then the command runs and completes', () => {
    const h = running();
    h.codex(note.status(['waitingOnApproval']), note.started(T, item.command('call_6')));
    expect(h.hub.row(`${T}:call_6`)).toMatchObject({ kind: 'command', body: '', status: 'streaming' });
    const asked = h.ask(request.command(0, T, 'call_6', ['accept', { acceptWithExecpolicyAmendment: { execpolicy_amendment: ['echo', 'hi'] } }, 'cancel']));
    const awaiting = only(asked, 'set_state')[0]?.payload.state;
    expect(awaiting).toMatchObject({ state: 'processing', reason: 'awaiting approval', approval: { request_id: `${T}:0`, kind: 'command', summary: "/bin/bash -lc 'echo hi'" } });
    expect(awaiting?.approval?.choices.map((c) => c.id)).toEqual(['approve', 'approve_rule', 'deny', 'cancel']);
    // The command row says what it waits for (not "running").
    expect(h.hub.row(`${T}:call_6`)).toMatchObject({ status: 'streaming', meta: { activity: 'awaiting_approval' } });

    const refused = h.hub_(hubControl(BOB, { type: 'resolve_approval', request_id: `${T}:0`, choice: 'approve' }, 20));
    expect(wire(refused)).toMatchObject([{ type: 'post_row', payload: { kind: 'notice', meta: { code: 'sender_not_allowed', actor: 'bob' } } }]);
    expect(h.sent(refused)).toEqual([]);

    const approved = h.hub_(hubControl(ALICE, { type: 'resolve_approval', request_id: `${T}:0`, choice: 'approve' }, 21));
    const record = {
      request_id: `${T}:0`,
      kind: 'command',
      summary: "/bin/bash -lc 'echo hi'",
      outcome: 'approved',
      choice: 'approve',
      label: 'Approve',
      by: ALICE,
      via: 'control',
      at: new Date(h.now).toISOString(),
      reason: null,
    };
    expect(wire(approved)).toEqual([
      { type: 'answer', requestId: '0', choice: 'approve' },
      { type: 'update_row', turn_id: T, payload: { item_key: `${T}:call_6`, meta: { command: "/bin/bash -lc 'echo hi'", cwd: '/abs/ws', status: 'inProgress', exit_code: null, duration_ms: null } } },
      { type: 'set_state', payload: { message_id: 'msg-5', state: { state: 'processing', reason: 'running terminal command', approval: null, decided: [record] } } },
    ]);
    expect(h.sent(approved)).toEqual([{ id: '0', result: { decision: 'accept' } }]);
    h.codex(note.resolved(0), note.status([]), note.outputDelta(T, 'call_6', 'hi\n'), note.outputDelta(T, 'call_6', 'wrote\n'));
    h.codex(note.completed(T, item.command('call_6', { status: 'completed', output: 'hi\nwrote\n', exitCode: 0, durationMs: 805 })));
    h.codex(note.started(T, item.agent('msg_3', '')), note.agentDelta(T, 'msg_3', 'Done.'), note.completed(T, item.agent('msg_3', 'Done.')), note.turnCompleted(T, 'completed', [item.agent('msg_3', 'Done.')]));
    expect(h.hub.row(`${T}:call_6`)).toEqual({
      kind: 'command',
      body: 'hi\nwrote\n',
      meta: { command: "/bin/bash -lc 'echo hi'", cwd: '/abs/ws', status: 'completed', exit_code: 0, duration_ms: 805 },
      status: 'completed',
    });
    expect(h.hub.states.get('msg-5')?.map((s) => s.reason ?? s.state)).toEqual([
      'queued',
      'starting turn',
      'running terminal command',
      'awaiting approval',
      'running terminal command',
      'streaming response',
      'processed',
    ]);
    // The decision stays on the record once the turn is over.
    expect(only(h.effects, 'set_state').at(-1)?.payload.state).toEqual({ state: 'processed', reason: null, approval: null, decided: [record] });
    expect(h.hub.rows.size).toBe(3);
  });

  it('decline: Codex is told decline and the command row ends declined', () => {
    const h = running();
    h.codex(note.started(T, item.command('call_6')));
    h.ask(request.command(0, T, 'call_6', ['accept', 'cancel']));
    const denied = h.hub_(hubControl({ user_id: 'u-alice', name: 'Alice' }, { type: 'resolve_approval', request_id: `${T}:0`, choice: 'deny' }, 20));
    expect(only(denied, 'answer')).toEqual([{ type: 'answer', requestId: '0', choice: 'deny' }]);
    expect(h.sent(denied)).toEqual([{ id: '0', result: { decision: 'decline' } }]);
    h.codex(note.resolved(0), note.completed(T, item.command('call_6', { status: 'declined' })), note.turnCompleted(T, 'completed'));
    expect(h.hub.row(`${T}:call_6`)).toMatchObject({ body: '', status: 'declined' });
    expect(h.hub.lastState('msg-5')).toEqual({ state: 'processed', reason: null });
    const again = h.hub_(hubControl(ALICE, { type: 'resolve_approval', request_id: `${T}:0`, choice: 'deny' }, 21));
    expect(only(again, 'post_row')[0]?.payload).toMatchObject({ kind: 'notice', meta: { code: 'approval_request_not_found' } });
  });

  it('a file-change approval shows the diff seen in item/started', () => {
    const h = running();
    h.codex(note.started(T, item.fileChange('call_3', [{ path: '/abs/ws/hello.txt', kind: { type: 'add' }, diff: 'hello world\n' }])));
    const asked = h.ask(request.fileChange(0, T, 'call_3'));
    expect(only(asked, 'set_state')[0]?.payload.state.approval?.summary).toContain('+hello world');
    h.hub_(hubControl(ALICE, { type: 'resolve_approval', request_id: `${T}:0`, choice: 'approve' }, 20));
    h.codex(note.resolved(0), note.completed(T, item.fileChange('call_3', [{ path: '/abs/ws/hello.txt', kind: { type: 'add' }, diff: 'hello world\n' }], 'completed')));
    expect(h.hub.row(`${T}:call_3`)).toMatchObject({ kind: 'file_change', status: 'completed', body: '--- /dev/null\n+++ /abs/ws/hello.txt\n@@ -0,0 +1,1 @@\n+hello world\n' });
  });

  it('an approval expires after the timeout: cancel, with the reason shown', () => {
    const h = running({ approvalTimeoutMs: 60_000 });
    h.codex(note.started(T, item.command('call_6')));
    h.ask(request.command(0, T, 'call_6'));
    expect(nextDeadline(h.state)).toBe(5_000);
    h.tick(59_999);
    const expired = h.tick(1);
    expect(only(expired, 'answer')).toEqual([{ type: 'answer', requestId: '0', choice: 'cancel' }]);
    expect(h.sent(expired)).toEqual([{ id: '0', result: { decision: 'cancel' } }]);
    expect(h.hub.lastState('msg-5')).toEqual({ state: 'processing', reason: 'approval expired' });
    // Codex ends a cancelled turn interrupted (seen with 0.169.0): the message says it expired.
    h.codex(note.resolved(0), note.turnCompleted(T, 'interrupted'));
    expect(h.hub.lastState('msg-5')).toEqual({ state: 'processed', reason: 'approval expired' });
    expect(h.hub.row(`${T}:call_6`).status).toBe('interrupted');
  });
});

describe('session: interrupts', () => {
  it('during an approval: interrupt, decline, close the dangling row, processed', () => {
    const h = running();
    h.codex(note.status(['waitingOnApproval']), note.started(T, item.command('call_6')));
    h.ask(request.command(0, T, 'call_6'));
    const asked = h.hub_(hubControl(ALICE, { type: 'interrupt' }, 20));
    // Only the interrupt goes out now: a decline racing it would make the row's end random.
    expect(wire(asked)).toEqual([
      { type: 'interrupt', threadId: CODEX_THREAD, turnId: T },
      { type: 'set_state', payload: { message_id: 'msg-5', state: { state: 'processing', reason: 'interrupt requested', approval: null } } },
    ]);
    expect(only(asked, 'log').filter((l) => l.event === 'decision')).toEqual([
      { type: 'log', level: 'info', event: 'decision', fields: { action: 'interrupt', actor: 'alice', target: 'msg-5', outcome: 'interrupted', through_seq: null, dropped: 0 } },
    ]);
    // The withdrawn prompt can no longer be decided.
    const late = h.hub_(hubControl(ALICE, { type: 'resolve_approval', request_id: `${T}:0`, choice: 'approve' }, 21));
    expect(h.sent(late)).toEqual([]);
    expect(only(late, 'post_row')[0]?.payload).toMatchObject({ kind: 'notice', meta: { code: 'approval_request_not_found' } });
    // The turn ends: its approval is declined then (Codex ignores the late answer).
    const end = h.codex(note.status('idle'), note.turnCompleted(T, 'interrupted'), note.resolved(0));
    expect(only(end, 'answer')).toEqual([{ type: 'answer', requestId: '0', choice: 'deny' }]);
    expect(h.sent(end)).toEqual([{ id: '0', result: { decision: 'decline' } }]);
    expect(h.hub.row(`${T}:call_6`).status).toBe('interrupted');
    expect(h.hub.lastState('msg-5')).toEqual({ state: 'processed', reason: 'interrupted by alice' });
  });

  it('an approval asked after the interrupt is held unseen and declined when the turn ends', () => {
    const h = running();
    h.hub_(hubControl(ALICE, { type: 'interrupt' }, 20));
    h.codex(note.started(T, item.command('call_6')));
    const asked = h.ask(request.command(0, T, 'call_6'));
    expect(h.sent(asked)).toEqual([]);
    expect(h.hub.lastState('msg-5')).toEqual({ state: 'processing', reason: 'interrupt requested' });
    const end = h.codex(note.turnCompleted(T, 'interrupted'));
    expect(only(end, 'answer')).toEqual([{ type: 'answer', requestId: '0', choice: 'deny' }]);
    expect(h.sent(end)).toEqual([{ id: '0', result: { decision: 'decline' } }]);
    expect(h.hub.lastState('msg-5')).toEqual({ state: 'processed', reason: 'interrupted by alice' });
  });

  it('while starting: remembered, sent once Codex names the turn', () => {
    const h = new Harness();
    h.hub_(hubMessage(ALICE, 'long task', { seq: 5 }));
    const early = h.hub_(hubControl(ALICE, { type: 'interrupt', through_seq: 5 }, 6));
    expect(only(early, 'interrupt')).toEqual([]);
    expect(h.hub.lastState('msg-5')).toEqual({ state: 'processing', reason: 'interrupt requested' });
    expect(only(h.feed({ type: 'turn_start_ok', message_id: 'msg-5', turnId: T }), 'interrupt')).toEqual([{ type: 'interrupt', threadId: CODEX_THREAD, turnId: T }]);
    expect(only(h.codex(note.turnStarted(T)), 'interrupt')).toEqual([]);
    h.codex(note.turnCompleted(T, 'interrupted'));
    expect(h.hub.lastState('msg-5')).toEqual({ state: 'processed', reason: 'interrupted by alice' });
    expect(only(h.effects, 'ack').at(-1)).toEqual({ type: 'ack', seq: 6, durable: true });
  });

  it('leaves no row streaming, and drops late deltas of the finished turn', () => {
    const h = running();
    h.codex(note.started(T, item.agent('msg_2', '')), note.agentDelta(T, 'msg_2', 'Hel'), note.agentDelta(T, 'msg_2', 'lo wor'));
    h.hub_(hubControl(ALICE, { type: 'interrupt' }, 20));
    h.codex(note.status('idle'), note.turnCompleted(T, 'interrupted'));
    expect(h.hub.row(`${T}:msg_2`)).toEqual({ kind: 'assistant', body: 'Hello wor', meta: {}, status: 'interrupted' });
    const late = h.codex(note.agentDelta(T, 'msg_2', 'ld'));
    expect(wire(late)).toEqual([]);
    expect(only(late, 'log')[0]?.event).toBe('late_event_dropped');
    h.hub_(hubMessage(ALICE, 'again', { seq: 30 }));
    expect(only(h.effects, 'start_turn').at(-1)?.message_id).toBe('msg-30');
  });

  it('interrupt with through_seq drops queued messages; drop_queued spares the running one', () => {
    const h = running();
    for (const seq of [10, 11, 12]) h.hub_(hubMessage(ALICE, `m${seq}`, { seq }));
    h.hub_(hubControl(ALICE, { type: 'drop_queued', through_seq: 10 }, 13));
    expect(h.hub.lastState('msg-10')).toEqual({ state: 'ignored', reason: 'dropped by alice' });
    expect(h.state.turn.status).toBe('active');
    const refused = h.hub_(hubControl(BOB, { type: 'interrupt', through_seq: 12 }, 14));
    expect(only(refused, 'post_row')[0]?.payload).toMatchObject({ kind: 'notice', client_id: 'control:ctl-14', meta: { code: 'sender_not_allowed' } });
    const both = h.hub_(hubControl(ALICE, { type: 'interrupt', through_seq: 11 }, 15));
    expect(only(both, 'interrupt')).toHaveLength(1);
    expect(h.hub.lastState('msg-11')).toEqual({ state: 'ignored', reason: 'dropped by alice' });
    expect(h.state.queue.length).toBe(1);
    h.codex(note.turnCompleted(T, 'interrupted'));
    expect(only(h.effects, 'start_turn').at(-1)?.message_id).toBe('msg-12');
  });
});

describe('session: failures', () => {
  it('a lost thread starts a new one and retries the message first', () => {
    const h = new Harness();
    h.hub_(hubMessage(ALICE, 'first', { seq: 5 }));
    h.hub_(hubMessage(ALICE, 'second', { seq: 6 }));
    const lost = h.turnStartFailed('msg-5', 'codex app-server refused turn/start: thread not found: 019a (code -32600)');
    expect(wire(lost)).toEqual([{ type: 'start_thread', resume: null, reason: 'the agent thread was lost' }]);
    expect(only(lost, 'log')[0]).toMatchObject({ event: 'thread_lost', fields: { thread_id: CODEX_THREAD } });
    const retried = h.feed({ type: 'thread_started', threadId: 'thread-2' });
    expect(only(retried, 'log')[0]).toMatchObject({ event: 'thread_started', fields: { old_thread_id: CODEX_THREAD, thread_id: 'thread-2' } });
    expect(only(retried, 'start_turn')).toEqual([{ type: 'start_turn', threadId: 'thread-2', message_id: 'msg-5', text: 'first' }]);
    const again = h.turnStartFailed('msg-5', 'thread not found');
    expect(h.hub.lastState('msg-5')).toEqual({ state: 'failed', reason: 'could not start the turn: thread not found' });
    expect(only(again, 'start_turn')[0]?.message_id).toBe('msg-6');
  });

  it('a failed turn marks the message failed with Codex’s reason and drains on', () => {
    const h = running();
    h.hub_(hubMessage(ALICE, 'next', { seq: 9 }));
    h.codex(note.started(T, item.command('call_1')));
    h.ask(request.command(0, T, 'call_1'));
    const failed = h.codex(note.status('idle'), note.turnCompleted(T, 'failed', [], "We're currently experiencing high demand, which may cause temporary errors."));
    expect(h.sent(failed).map((a) => ('result' in a ? a.result : a.error))).toEqual([{ decision: 'decline' }]);
    expect(h.hub.lastState('msg-5')).toEqual({ state: 'failed', reason: "We're currently experiencing high demand, which may cause temporary errors." });
    expect(h.hub.row(`${T}:call_1`).status).toBe('failed');
    expect(only(failed, 'start_turn')[0]?.message_id).toBe('msg-9');
  });

  it('clips a reason too long for the hub (a raw HTTP body) instead of leaving the message stuck', () => {
    const h = running();
    const body = `{"error":{"message":"${'x'.repeat(5000)}"}}`;
    h.codex(note.turnCompleted(T, 'failed', [], body));
    const reason = h.hub.lastState('msg-5')?.reason ?? '';
    expect(reason).toHaveLength(2000);
    expect(reason).toBe(`${body.slice(0, 1999)}…`);
    expect(h.hub.lastState('msg-5')?.state).toBe('failed');
  });
});

describe('session: huge command output', () => {
  it('5 MB keeps memory bounded and ends as head + omission + tail', () => {
    const h = running();
    h.codex(note.started(T, item.command('call_1', { command: 'yes | head -c 5000000' })));
    const chunk = `${'y\n'.repeat(2_500)}`;
    for (let i = 0; i < 1_000; i += 1) {
      h.codex(note.outputDelta(T, 'call_1', chunk));
      if (i % 10 === 0) h.tick(150);
    }
    const full = chunk.repeat(1_000);
    const head = 64 * 1024;
    expect(h.hub.row(`${T}:call_1`).body).toHaveLength(head);
    h.codex(note.completed(T, item.command('call_1', { command: 'yes | head -c 5000000', status: 'completed', output: full, exitCode: 0, durationMs: 900 })));
    const row = h.hub.row(`${T}:call_1`);
    const omitted = 5_000_000 - 2 * head;
    expect(row.body).toBe(full.slice(0, head) + omissionMarker(omitted) + full.slice(-head));
    expect(row.meta).toMatchObject({ exit_code: 0, total_bytes: 5_000_000, omitted_bytes: omitted });
    expect(row.status).toBe('completed');
    expect(h.hub.appendedChars).toBeLessThanOrEqual(2 * head + omissionMarker(omitted).length);
    expect(h.hub.writes).toBeLessThan(20);
  });
});
