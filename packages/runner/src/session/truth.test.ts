// What the rows and message states say is what the runner knows: every closed approval stays on
// its turn's record (who, when, how, outcome); a command row awaits approval while its prompt is
// open; a command still listening when its turn ends runs in the background; and the agent's
// trouble reaching its model shows on the message at once.
import type { MessageState } from '@pilothouse/protocol';
import { describe, expect, it } from 'vitest';
import { ALICE, CODEX_THREAD, Harness, hubControl, hubMessage, item, note, only, request } from '../../test/session-fixtures.js';
import type { ServerNotification } from '../codex/generated/index.js';
import { startedBy } from './background.js';

const T = 'turn-1';
const SECRET = 's'.repeat(40);

function running(options: ConstructorParameters<typeof Harness>[0] = {}): Harness {
  const h = new Harness(options);
  h.now = Date.parse('2025-03-04T15:17:00Z');
  h.hub_(hubMessage(ALICE, 'say hello', { seq: 5 }));
  h.feed({ type: 'turn_start_ok', message_id: 'msg-5', turnId: T });
  h.codex(note.turnStarted(T), note.started(T, item.command('call_6')));
  return h;
}

const lastState = (h: Harness): MessageState | undefined => only(h.effects, 'set_state').filter((e) => e.payload.message_id === 'msg-5').at(-1)?.payload.state;

const codexError = (message: string, willRetry: boolean, codexErrorInfo: unknown = null, additionalDetails: string | null = null): ServerNotification =>
  ({ method: 'error', params: { threadId: CODEX_THREAD, turnId: T, willRetry, error: { message, codexErrorInfo, additionalDetails, misalignment: null } } }) as ServerNotification;

/** What Codex 0.169.0 reports while nothing answers at its provider's URL (measured against a closed port). */
const noAnswer = () => codexError('Reconnecting... waiting for network', true, { responseStreamDisconnected: { httpStatusCode: null } }, 'Connection failed: error sending request');

describe('decisions on the record', () => {
  it('"Always allow" by a person: outcome, choice, who, when and how', () => {
    const h = running();
    h.ask(request.command(0, T, 'call_6', ['accept', { acceptWithExecpolicyAmendment: { execpolicy_amendment: ['echo', 'hi'] } }, 'cancel']));
    h.now += 60_000;
    h.hub_(hubControl(ALICE, { type: 'resolve_approval', request_id: `${T}:0`, choice: 'approve_rule' }, 20));
    expect(lastState(h)?.decided).toEqual([
      {
        request_id: `${T}:0`,
        kind: 'command',
        summary: "/bin/bash -lc 'echo hi'",
        outcome: 'always_allowed',
        choice: 'approve_rule',
        label: 'Always allow',
        by: ALICE,
        via: 'control',
        at: '2025-03-04T15:18:00.000Z',
        reason: null,
      },
    ]);
  });

  it('expired, then withdrawn by the agent, then withdrawn at the turn end: each kept, the final state carries all', () => {
    const h = running({ approvalTimeoutMs: 1_000 });
    h.ask(request.command(0, T, 'call_6'));
    h.tick(1_000);
    expect(lastState(h)?.decided?.map((d) => [d.outcome, d.via, d.by, d.choice, d.reason])).toEqual([['expired', 'runner', null, 'cancel', 'approval expired']]);
    h.ask(request.command(1, T, 'call_6'));
    h.codex(note.resolved(1));
    h.ask(request.command(2, T, 'call_6'));
    h.codex(note.turnCompleted(T, 'interrupted'));
    const final = lastState(h);
    expect(final).toMatchObject({ state: 'processed', reason: 'approval expired', approval: null });
    expect(final?.decided?.map((d) => [d.request_id, d.outcome, d.via, d.reason])).toEqual([
      [`${T}:0`, 'expired', 'runner', 'approval expired'],
      [`${T}:1`, 'withdrawn', 'agent', 'the agent withdrew the request'],
      [`${T}:2`, 'withdrawn', 'runner', 'turn interrupted'],
    ]);
  });

  it('a turn without approvals has no record field (states stay as they were)', () => {
    const h = running();
    h.codex(note.turnCompleted(T, 'completed'));
    expect(lastState(h)).toEqual({ state: 'processed', reason: null, approval: null });
  });
});

describe('command row activity', () => {
  it('awaiting approval while the prompt is open, running again once decided', () => {
    const h = running();
    h.ask(request.command(0, T, 'call_6'));
    expect(h.hub.row(`${T}:call_6`)).toMatchObject({ status: 'streaming', meta: { activity: 'awaiting_approval' } });
    h.hub_(hubControl(ALICE, { type: 'resolve_approval', request_id: `${T}:0`, choice: 'deny' }, 20));
    expect(h.hub.row(`${T}:call_6`).meta).not.toHaveProperty('activity');
  });

  it('a prompt left open when the turn ends leaves no "awaiting approval" behind', () => {
    const h = running();
    h.ask(request.command(0, T, 'call_6'));
    h.codex(note.turnCompleted(T, 'interrupted'));
    expect(h.hub.row(`${T}:call_6`).status).toBe('interrupted');
    expect(h.hub.row(`${T}:call_6`).meta).not.toHaveProperty('activity');
  });

  it('a command still listening when its turn ends is in the background, not interrupted', () => {
    const h = running({ previews: { idPrefix: 'pf-t-', secret: SECRET, initialForward: [], suppressed: [8123], scanMs: 1000 } });
    h.codex(note.started(T, item.command('call_7', { command: "/bin/bash -lc 'python3 -m http.server 8123 >/tmp/log 2>&1 &'" })));
    h.feed({ type: 'listeners_scanned', listeners: [{ port: 8123, pid: 4242, command: '/usr/bin/python3 -m http.server 8123', cwd: '/abs/ws' }] });
    h.codex(note.turnCompleted(T, 'completed'));
    expect(h.hub.row(`${T}:call_7`)).toMatchObject({ status: 'completed', meta: { activity: 'background', ports: [8123] } });
    // The other unfinished command stopped with the turn.
    expect(h.hub.row(`${T}:call_6`).status).toBe('interrupted');
  });

  it('which command started a listener: its argv, word for word, in the shell command', () => {
    expect(startedBy("/bin/bash -lc 'npx vite --port 5173'", 'node /w/node_modules/.bin/vite --port 5173')).toBe(false);
    expect(startedBy("/bin/bash -lc 'python3 -m http.server 8123 &'", '/usr/bin/python3 -m http.server 8123')).toBe(true);
    expect(startedBy("/bin/bash -lc 'python3 -m http.server 8124'", 'python3 -m http.server 8123')).toBe(false);
  });
});

describe("the agent's trouble reaching its model", () => {
  it('reconnecting (attempt n) at once, rate limited, cleared when output flows again', () => {
    const h = running();
    h.codex(codexError('Reconnecting... 1/5', true, { responseStreamDisconnected: { httpStatusCode: 500 } }));
    expect(lastState(h)).toEqual({
      state: 'processing',
      reason: 'reconnecting to the model (attempt 1)',
      approval: null,
      trouble: { kind: 'reconnecting', attempt: 1, message: 'Reconnecting... 1/5', http_status: 500 },
    });
    h.codex(codexError('Rate limit reached', true, 'rateLimitExceeded'));
    expect(lastState(h)).toMatchObject({ reason: 'rate limited by the model (attempt 2)', trouble: { kind: 'rate_limited', attempt: 2 } });
    h.codex(note.started(T, item.agent('msg_2', '')), note.agentDelta(T, 'msg_2', 'Hi'));
    expect(lastState(h)).toEqual({ state: 'processing', reason: 'streaming response', approval: null });
  });

  it('gave up: failed while the turn closes; the final state is the failure', () => {
    const h = running();
    h.codex(codexError('stream disconnected', false));
    expect(lastState(h)).toMatchObject({ state: 'processing', reason: 'the model failed', trouble: { kind: 'failed', attempt: 1 } });
    h.codex(note.turnCompleted(T, 'failed', [], 'stream disconnected'));
    expect(lastState(h)).toEqual({ state: 'failed', reason: 'stream disconnected', approval: null });
  });

  it('nothing answers for unreachableMs: the turn is stopped and fails with the agent\'s reason and the model URL', () => {
    const h = running({ unreachableMs: 15_000, modelUrl: 'http://127.0.0.1:9/v1' });
    h.codex(noAnswer());
    expect(lastState(h)).toMatchObject({ reason: 'reconnecting to the model (attempt 1)', trouble: { kind: 'reconnecting', message: 'Connection failed: error sending request', http_status: null } });
    h.tick(8_000);
    h.codex(noAnswer());
    expect(only(h.tick(6_999), 'interrupt')).toEqual([]);
    expect(only(h.tick(1), 'interrupt')).toEqual([{ type: 'interrupt', threadId: CODEX_THREAD, turnId: T }]);
    // Once: later ticks do not interrupt again.
    expect(only(h.tick(30_000), 'interrupt')).toEqual([]);
    h.codex(note.turnCompleted(T, 'interrupted'));
    expect(lastState(h)).toEqual({
      state: 'failed',
      reason: 'Codex cannot reach its model at http://127.0.0.1:9/v1: Connection failed: error sending request (no answer for 15 s; the turn was stopped)',
      approval: null,
    });
  });

  it('a model that answers, even with errors, is never given up on; output flowing again restarts the clock', () => {
    const h = running({ unreachableMs: 15_000 });
    h.codex(codexError('Reconnecting... 1/5', true, { responseStreamDisconnected: { httpStatusCode: 500 } }));
    expect(only(h.tick(60_000), 'interrupt')).toEqual([]);
    h.codex(noAnswer());
    h.tick(10_000);
    h.codex(note.started(T, item.agent('msg_2', '')), note.agentDelta(T, 'msg_2', 'Hi'));
    h.codex(noAnswer());
    expect(only(h.tick(10_000), 'interrupt')).toEqual([]);
    expect(only(h.tick(5_000), 'interrupt')).toHaveLength(1);
  });
});
