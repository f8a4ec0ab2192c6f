import type { Approval } from '@pilothouse/protocol';
import { describe, expect, it } from 'vitest';
import type { QueuedMessage } from './queue.js';
import { begin, completing, danglingStatus, finalState, processingState, reasonForKind, started, IDLE } from './turn.js';

const message: QueuedMessage = { message_id: 'm1', thread_id: 'root-1', seq: 7, trigger: 7, body: 'say hello', author: { user_id: 'u', name: 'alice' }, attempts: 0 };

describe('turn lifecycle', () => {
  it('goes idle -> starting -> active -> completing', () => {
    const starting = begin(message);
    expect(starting).toEqual({ status: 'starting', message, interrupt: null, activity: 'starting turn', expired: false, published: null, decided: [], trouble: null, unreachableSince: null, gaveUp: null, quietSince: null, probeSince: null });
    expect(IDLE).toEqual({ status: 'idle' });
    if (starting.status !== 'starting') throw new Error('not starting');
    const active = started(starting, 'turn-1');
    expect(active).toMatchObject({ status: 'active', turnId: 'turn-1', message });
    expect(completing(active, { status: 'completed' })).toMatchObject({ status: 'completing', turnId: 'turn-1', outcome: { status: 'completed' } });
  });

  it('shows the processing reason, an approval, or a requested interrupt', () => {
    const work = { message, interrupt: null, activity: 'running terminal command', expired: false, published: null, decided: [], trouble: null, unreachableSince: null, gaveUp: null, quietSince: null, probeSince: null } as const;
    expect(processingState(work, null)).toEqual({ state: 'processing', reason: 'running terminal command', approval: null });
    const approval: Approval = { request_id: 't:0', kind: 'command', summary: 'ls', choices: [{ id: 'approve', label: 'Approve' }], allowed: [] };
    expect(processingState(work, approval)).toEqual({ state: 'processing', reason: 'awaiting approval', approval });
    expect(processingState({ ...work, interrupt: { by: 'alice', sent: true } }, approval).reason).toBe('interrupt requested');
  });

  it('ends processed, processed after an interrupt, or failed with the reason', () => {
    const work = { message, interrupt: null, activity: 'streaming response', expired: false, published: null, decided: [], trouble: null, unreachableSince: null, gaveUp: null, quietSince: null, probeSince: null } as const;
    expect(finalState(work, { status: 'completed' })).toEqual({ state: 'processed', reason: null, approval: null });
    expect(finalState({ ...work, interrupt: { by: 'alice', sent: true } }, { status: 'interrupted' }).reason).toBe('interrupted by alice');
    expect(finalState(work, { status: 'interrupted' }).reason).toBe('interrupted');
    // An expired approval is answered `cancel`, which ends the turn interrupted: say why.
    expect(finalState({ ...work, expired: true }, { status: 'interrupted' })).toEqual({ state: 'processed', reason: 'approval expired', approval: null });
    expect(finalState({ ...work, expired: true, interrupt: { by: 'alice', sent: true } }, { status: 'interrupted' }).reason).toBe('interrupted by alice');
    expect(finalState(work, { status: 'failed', reason: 'boom' })).toEqual({ state: 'failed', reason: 'boom', approval: null });
    // Given up for an unreachable model: failed with that reason, however the agent ended the turn.
    const gaveUp = { ...work, unreachableSince: 0, gaveUp: 'Codex cannot reach its model' };
    expect(finalState(gaveUp, { status: 'interrupted' })).toEqual({ state: 'failed', reason: 'Codex cannot reach its model', approval: null });
    expect(finalState(gaveUp, { status: 'failed', reason: 'Connection failed' })).toEqual({ state: 'failed', reason: 'Codex cannot reach its model', approval: null });
    expect(danglingStatus({ status: 'failed', reason: 'x' })).toBe('failed');
    expect(danglingStatus({ status: 'interrupted' })).toBe('interrupted');
  });

  it('maps item kinds to the reasons Codex work shows', () => {
    expect(reasonForKind('command')).toBe('running terminal command');
    expect(reasonForKind('terminal_input')).toBe('running terminal command');
    expect(reasonForKind('assistant')).toBe('streaming response');
    expect(reasonForKind('file_change')).toBe('streaming response');
    expect(reasonForKind('web_search')).toBe('streaming response');
  });

});
