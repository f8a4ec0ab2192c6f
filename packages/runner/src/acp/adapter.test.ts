// The ACP adapter with the messages Gemini CLI 0.61.0 sent here: a permission request with no
// tool_call before it, allowed, denied (no update follows), and cancelled by an interrupt.
import { describe, expect, it } from 'vitest';
import { AcpAdapter } from './adapter.js';

const S = 'sess-1';
const T = 'turn-1';
const CALL_ID = 'run_shell_command__run_shell_command_1796524465882_0';
const KEY = `${T}:tool:${CALL_ID}`;
const REQUEST = {
  sessionId: S,
  options: [
    { optionId: 'proceed_always', name: 'Allow for this session', kind: 'allow_always' },
    { optionId: 'proceed_once', name: 'Allow', kind: 'allow_once' },
    { optionId: 'cancel', name: 'Reject', kind: 'reject_once' },
  ],
  toolCall: { toolCallId: CALL_ID, status: 'pending', title: 'touch made.txt', content: [{ type: 'content', content: { type: 'text', text: '[current working directory /w] (make)' } }], locations: [], kind: 'execute' },
};

function asking(): AcpAdapter {
  const a = new AcpAdapter();
  a.beginTurn(S, T);
  return a;
}

describe('ACP adapter', () => {
  it('a permission request opens its tool row, then asks with the agent’s own options', () => {
    const { inputs, reply } = asking().permission(0, REQUEST, 7);
    expect(reply).toBeNull();
    expect(inputs).toEqual([
      { type: 'item_started', now: 7, threadId: S, turnId: T, row: { key: KEY, kind: 'command', body: null, meta: { command: 'touch made.txt', tool_kind: 'execute', status: 'pending' }, status: 'streaming', eager: true } },
      {
        type: 'approval_requested',
        now: 7,
        threadId: S,
        requestId: '0',
        turnId: T,
        itemKey: KEY,
        kind: 'command',
        summary: 'touch made.txt',
        reason: null,
        choices: [
          { id: 'proceed_always', label: 'Allow for this session', description: "Allow it, and don't ask again for it." },
          { id: 'proceed_once', label: 'Allow', description: 'Allow it this once.' },
          { id: 'cancel', label: 'Reject', description: 'Do not allow it; the agent continues without it.' },
        ],
        outcomes: { proceed_always: 'always_allowed', proceed_once: 'approved', cancel: 'denied', cancelled: 'cancelled' },
        detail: { tool_call_id: CALL_ID, tool_kind: 'execute', locations: [] },
        onReject: 'cancel',
        onExpire: 'cancel',
      },
    ]);
  });

  it('allowed: the agent gets the selected option; its own update closes the row', () => {
    const a = asking();
    a.permission(0, REQUEST, 7);
    expect(a.answer('0', 'proceed_once', 8)).toEqual({ rpcId: 0, answer: { result: { outcome: { outcome: 'selected', optionId: 'proceed_once' } } }, inputs: [] });
    // Answered once: a second answer (the session's reject at the turn end) is moot.
    expect(a.answer('0', 'cancel', 9)).toBeUndefined();
  });

  it('denied: the runner closes the row declined (Gemini sends no update after a deny)', () => {
    const a = asking();
    a.permission(0, REQUEST, 7);
    const reply = a.answer('0', 'cancel', 8);
    expect(reply?.answer).toEqual({ result: { outcome: { outcome: 'selected', optionId: 'cancel' } } });
    expect(reply?.inputs).toEqual([
      { type: 'item_completed', now: 8, threadId: S, turnId: T, row: { key: KEY, kind: 'command', body: null, meta: { command: 'touch made.txt', tool_kind: 'execute', status: 'declined' }, status: 'declined', eager: true } },
    ]);
  });

  it('an interrupt answers pending permissions cancelled; the turn ends interrupted', () => {
    const a = asking();
    a.permission(0, REQUEST, 7);
    expect(a.cancelPending(T)).toEqual([{ rpcId: 0, answer: { result: { outcome: { outcome: 'cancelled' } } }, inputs: [] }]);
    expect(a.cancelPending(T)).toEqual([]);
    expect(a.endTurn(T, { status: 'interrupted' }, 9)).toEqual([{ type: 'turn_completed', now: 9, threadId: S, turnId: T, outcome: { status: 'interrupted' }, finals: [] }]);
    expect(a.endTurn(T, { status: 'interrupted' }, 9)).toEqual([]);
  });

  it('updates outside a turn (a loaded session replaying its history) are dropped', () => {
    const a = new AcpAdapter();
    expect(a.update({ sessionId: S, update: { sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: 'old' } } }, 7)).toEqual([]);
  });

  it('a permission outside a turn is answered cancelled; an unreadable one refused', () => {
    expect(new AcpAdapter().permission(3, REQUEST, 7).reply).toEqual({ rpcId: 3, answer: { result: { outcome: { outcome: 'cancelled' } } }, inputs: [] });
    expect(asking().permission(4, { sessionId: S }, 7).reply).toMatchObject({ rpcId: 4, answer: { error: { code: -32602 } } });
  });
});
