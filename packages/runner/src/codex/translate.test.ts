// The Codex notifications of a turn (docs/decisions/codex-app-server.md), as agent inputs.
import { describe, expect, it } from 'vitest';
import { item, note } from '../../test/session-fixtures.js';
import type { ServerNotification } from './generated/index.js';
import { isThreadLost, translateNotification } from './translate.js';

const tr = (n: ServerNotification) => translateNotification(n, 7);

const TH = '019a-thread';

describe('Codex notifications as agent inputs', () => {
  it('turn started, and an agent message: started, deltas, completed', () => {
    expect(tr(note.turnStarted('t1'))).toEqual([{ type: 'turn_started', now: 7, threadId: TH, turnId: 't1' }]);
    expect(tr(note.started('t1', item.agent('msg_2', '')))).toEqual([
      { type: 'item_started', now: 7, threadId: TH, turnId: 't1', row: { key: 't1:msg_2', kind: 'assistant', body: '', meta: {}, status: 'streaming', eager: false } },
    ]);
    expect(tr(note.agentDelta('t1', 'msg_2', 'Hel'))).toEqual([{ type: 'item_delta', now: 7, threadId: TH, turnId: 't1', key: 't1:msg_2', kind: 'assistant', text: 'Hel' }]);
    expect(tr(note.completed('t1', item.agent('msg_2', 'Hello')))).toEqual([
      { type: 'item_completed', now: 7, threadId: TH, turnId: 't1', row: { key: 't1:msg_2', kind: 'assistant', body: 'Hello', meta: {}, status: 'completed', eager: false } },
    ]);
  });

  it('reasoning parts: a separator between summary parts', () => {
    expect(tr(note.summaryPart('t1', 'rs', 0))).toEqual([]);
    expect(tr(note.summaryPart('t1', 'rs', 1))).toEqual([{ type: 'item_delta', now: 7, threadId: TH, turnId: 't1', key: 't1:rs', kind: 'reasoning', text: '\n\n' }]);
    expect(tr(note.summaryDelta('t1', 'rs', 'Thinking'))).toMatchObject([{ type: 'item_delta', kind: 'reasoning', text: 'Thinking' }]);
  });

  it('a completed command also closes what was typed into it, if anything was', () => {
    const done = item.command('call_6', { status: 'completed', output: 'hi\n', exitCode: 0 });
    expect(tr(note.completed('t1', done))).toEqual([
      { type: 'item_completed', now: 7, threadId: TH, turnId: 't1', row: expect.objectContaining({ key: 't1:call_6', kind: 'command', body: 'hi\n', status: 'completed' }) },
      {
        type: 'item_completed',
        now: 7,
        threadId: TH,
        turnId: 't1',
        row: { key: 't1:call_6:stdin', kind: 'terminal_input', body: null, meta: { process_id: '', command_key: 't1:call_6' }, status: 'completed', eager: false },
        onlyIfOpen: true,
      },
    ]);
  });

  it("the owner's typed input is user input to mirror, not a row", () => {
    expect(tr(note.started('t1', item.user('u1', 'say hello')))).toEqual([{ type: 'user_input', now: 7, threadId: TH, turnId: 't1', itemId: 'u1', clientId: null, text: 'say hello' }]);
  });

  it('turn completed: the outcome and the final items as rows', () => {
    const [done] = tr(note.turnCompleted('t1', 'failed', [item.user('u1', 'x'), item.agent('m', 'partial')], 'model overloaded'));
    expect(done).toEqual({
      type: 'turn_completed',
      now: 7,
      threadId: TH,
      turnId: 't1',
      outcome: { status: 'failed', reason: 'model overloaded' },
      finals: [{ key: 't1:m', kind: 'assistant', body: 'partial', meta: {}, status: 'completed', eager: false }],
    });
    expect(tr(note.turnCompleted('t1', 'interrupted'))).toMatchObject([{ outcome: { status: 'interrupted' }, finals: [] }]);
  });

  it('a request Codex closed itself is withdrawn; statuses are notes', () => {
    expect(tr(note.resolved(3))).toEqual([{ type: 'approval_withdrawn', now: 7, threadId: TH, requestId: '3' }]);
    expect(tr(note.status('idle'))).toEqual([{ type: 'agent_note', now: 7, threadId: TH, level: 'debug', event: 'thread_status', fields: { status: { type: 'idle' } } }]);
  });

  it('recognises a lost thread', () => {
    expect(isThreadLost('codex app-server refused turn/start: thread not found: 019a (code -32600)')).toBe(true);
    expect(isThreadLost('no such thread')).toBe(true);
    expect(isThreadLost('Server overloaded; retry later.')).toBe(false);
  });
});
