import { describe, expect, it } from 'vitest';
import type { Approval } from '@pilothouse/protocol';
import { mayAnswer, names, steeringOf } from './steering.js';
import { ALICE, BOB, msg, row, runner } from '../../test/state-fixtures.js';

const approval: Approval = { request_id: 'q1', kind: 'command', summary: 'rm -rf build', choices: [{ id: 'approve', label: 'Approve' }], allowed: [{ name: 'Alice', user_id: 'u-alice' }] };

describe('steering', () => {
  const thread = [
    msg('t1', 1, { runner_id: 'r1', kind: 'session' }),
    msg('m1', 2, { state: { state: 'processing', reason: 'streaming response' } }),
    row('a', 3),
    msg('m2', 4, { state: { state: 'queued' } }),
    msg('m3', 5, { author: BOB, state: { state: 'ignored', reason: 'bob may not steer' } }),
    msg('m4', 6, { state: { state: 'queued' } }),
  ];

  it('finds the attached runner, the active turn and the queue', () => {
    const s = steeringOf([runner({ runner_id: 'r0', thread_id: 'other' }), runner({ updated_at: '2026-11-25T11:00:00.000Z' })], 't1', thread, ALICE);
    expect(s.runner?.runner_id).toBe('r1');
    expect(s.mayControl).toBe(true);
    expect(s.active?.id).toBe('m1');
    expect(s.queued.map((m) => m.id)).toEqual(['m2', 'm4']);
  });

  it('lets only allowed people control and decide (names match in any case, ids exactly)', () => {
    const forAlice = steeringOf([runner()], 't1', thread, ALICE);
    const forBob = steeringOf([runner()], 't1', thread, BOB);
    expect(forBob.mayControl).toBe(false);
    expect(mayAnswer(approval, forAlice.mayControl, ALICE)).toBe(true);
    expect(mayAnswer(approval, forBob.mayControl, BOB)).toBe(false);
    // Without an attached runner nobody can steer: the hub would answer no_runner.
    expect(steeringOf([], 't1', thread, ALICE).mayControl).toBe(false);
  });

  it('the attached runner is the one that posted the root: another runner claiming the thread is not', () => {
    // bob's runner claims alice's thread with an older presence and allows only bob (issue 11, finding 1).
    const bobs = runner({ runner_id: 'bob-fake', user: BOB, allowed: ['bob'], updated_at: '2020-01-01T00:00:00.000Z' });
    const forAlice = steeringOf([bobs, runner()], 't1', thread, ALICE);
    expect(forAlice.runner?.runner_id).toBe('r1');
    expect(forAlice.mayControl).toBe(true);
    expect(steeringOf([bobs, runner()], 't1', thread, BOB).mayControl).toBe(false);
    expect(steeringOf([bobs], 't1', thread, BOB)).toMatchObject({ runner: null, mayControl: false });
  });

  it('words a list of names', () => {
    expect([names([]), names(['alice']), names(['alice', 'bob']), names(['a', 'b', 'c'])]).toEqual(['nobody', 'alice', 'alice and bob', 'a, b and c']);
  });
});
