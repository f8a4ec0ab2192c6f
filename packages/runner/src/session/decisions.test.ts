// Every decision (an approval resolved by a person, by expiry or by the turn's end; an interrupt;
// a drop; a retry; a refusal of any of them) leaves exactly one structured log line.
import { describe, expect, it } from 'vitest';
import { ALICE, BOB, Harness, hubControl, hubMessage, item, note, only, request } from '../../test/session-fixtures.js';
import { decisionLog, type Effect } from './effects.js';

const T = 'turn-1';

function running(options: ConstructorParameters<typeof Harness>[0] = {}): Harness {
  const h = new Harness(options);
  h.hub_(hubMessage(ALICE, 'say hello', { seq: 5 }));
  h.feed({ type: 'turn_start_ok', message_id: 'msg-5', turnId: T });
  h.codex(note.turnStarted(T), note.started(T, item.command('call_6')));
  return h;
}

const decisions = (effects: readonly Effect[]) => only(effects, 'log').filter((l) => l.event === 'decision').map((l) => l.fields);

describe('decision log lines', () => {
  it('the helper: action, actor, target, outcome (refusals at warn)', () => {
    expect(decisionLog('approval', 'alice', 't:0', 'approve', { control_id: 'c1' })).toEqual({
      type: 'log',
      level: 'info',
      event: 'decision',
      fields: { control_id: 'c1', action: 'approval', actor: 'alice', target: 't:0', outcome: 'approve' },
    });
    expect(decisionLog('interrupt', 'bob', 12, 'refused:sender_not_allowed')).toMatchObject({ level: 'warn' });
  });

  it('an approval resolved by a person, and a refused attempt', () => {
    const h = running();
    h.ask(request.command(0, T, 'call_6'));
    expect(decisions(h.hub_(hubControl(BOB, { type: 'resolve_approval', request_id: `${T}:0`, choice: 'approve' }, 20)))).toEqual([
      { control_id: 'ctl-20', reason: 'bob may not decide this approval.', action: 'approval', actor: 'bob', target: `${T}:0`, outcome: 'refused:sender_not_allowed' },
    ]);
    expect(decisions(h.hub_(hubControl(ALICE, { type: 'resolve_approval', request_id: `${T}:0`, choice: 'deny' }, 21)))).toEqual([
      { control_id: 'ctl-21', action: 'approval', actor: 'alice', target: `${T}:0`, outcome: 'deny' },
    ]);
  });

  it('an approval resolved by expiry, and by the end of its turn', () => {
    const h = running({ approvalTimeoutMs: 1_000 });
    h.ask(request.command(0, T, 'call_6'));
    expect(decisions(h.tick(1_000))).toEqual([{ choice: 'cancel', reason: 'approval expired', action: 'approval', actor: 'runner', target: `${T}:0`, outcome: 'expired' }]);
    const g = running();
    g.ask(request.command(1, T, 'call_6'));
    expect(decisions(g.codex(note.turnCompleted(T, 'failed', [], 'boom')))).toEqual([
      { choice: 'deny', reason: 'turn failed', action: 'approval', actor: 'runner', target: `${T}:1`, outcome: 'rejected' },
    ]);
  });

  it('interrupt, drop queued and retry, one line each', () => {
    const h = running();
    h.hub_(hubMessage(ALICE, 'queued', { seq: 9 }));
    expect(decisions(h.hub_(hubControl(ALICE, { type: 'drop_queued', through_seq: 9 }, 10)))).toEqual([
      { dropped: 1, depth: 0, action: 'drop_queued', actor: 'alice', target: 9, outcome: 'dropped' },
    ]);
    expect(decisions(h.hub_(hubControl(BOB, { type: 'interrupt' }, 11)))).toEqual([
      { control_id: 'ctl-11', reason: 'bob is not allowed to steer this session (alice can).', action: 'interrupt', actor: 'bob', target: 11, outcome: 'refused:sender_not_allowed' },
    ]);
    expect(decisions(h.hub_(hubControl(ALICE, { type: 'interrupt' }, 12)))).toEqual([
      { through_seq: null, dropped: 0, action: 'interrupt', actor: 'alice', target: 'msg-5', outcome: 'interrupted' },
    ]);
    h.codex(note.turnCompleted(T, 'failed', [], 'boom'));
    expect(decisions(h.hub_(hubControl(ALICE, { type: 'retry', message_id: 'msg-5' }, 13)))).toEqual([
      { trigger_seq: 13, action: 'retry', actor: 'alice', target: 'msg-5', outcome: 'queued' },
    ]);
    expect(decisions(h.hub_(hubControl(ALICE, { type: 'retry', message_id: 'msg-5' }, 14)))).toEqual([
      { trigger_seq: 14, reason: 'message msg-5 is processing, not failed', action: 'retry', actor: 'alice', target: 'msg-5', outcome: 'refused:not_failed' },
    ]);
  });
});

describe('row effects carry their turn id (for the shell log of a failed forward)', () => {
  it('posts, appends and updates name the turn; rows of no turn say null', () => {
    const h = running();
    const rows = [...h.codex(note.outputDelta(T, 'call_6', 'hi\n')), ...h.tick(150), ...h.codex(note.completed(T, item.command('call_6', { status: 'completed', output: 'hi\n' })))];
    const rowEffects = rows.filter((e) => e.type === 'post_row' || e.type === 'append' || e.type === 'update_row');
    expect(rowEffects.map((e) => [e.type, 'turn_id' in e ? e.turn_id : undefined])).toEqual([
      ['append', T],
      ['update_row', T],
    ]);
    expect(only(h.effects, 'post_row').map((e) => e.turn_id)).toEqual([T]);
    const notice = only(h.hub_(hubControl(BOB, { type: 'interrupt' }, 30)), 'post_row');
    expect(notice.map((e) => e.turn_id)).toEqual([null]);
  });
});
