import { describe, expect, it } from 'vitest';
import type { RunnerPresence } from './model.js';
import { mayDecide, sessionRunner } from './steering.js';

const ALICE = { user_id: 'u-alice', name: 'alice' };
const BOB = { user_id: 'u-bob', name: 'bob' };

const presence = (over: Partial<RunnerPresence> = {}): RunnerPresence => ({
  runner_id: 'r1',
  instance_id: 'i1',
  name: 'laptop',
  cwd: '/w',
  agent: { name: 'codex', version: '0.169.0' },
  capabilities: [],
  user: ALICE,
  status: 'idle',
  thread_id: 't1',
  allowed: ['alice'],
  updated_at: '2026-12-01T10:00:00.000Z',
  ...over,
});

describe('mayDecide', () => {
  it('matches a bare entry as a name in any case or as a user id exactly', () => {
    expect(mayDecide(['ALICE'], ALICE)).toBe(true);
    expect(mayDecide(['u-alice'], { user_id: 'u-alice', name: 'renamed' })).toBe(true);
    expect(mayDecide(['U-ALICE'], { user_id: 'u-alice', name: 'renamed' })).toBe(false);
    expect(mayDecide(['alice'], BOB)).toBe(false);
  });

  it('matches a named entry by its name in any case or its id exactly', () => {
    const allowed = [{ name: 'Alice', user_id: 'u-alice' }, { name: 'bob' }];
    expect(mayDecide(allowed, { user_id: 'x', name: 'alice' })).toBe(true);
    expect(mayDecide(allowed, { user_id: 'u-alice', name: 'renamed' })).toBe(true);
    expect(mayDecide(allowed, { user_id: 'y', name: 'BOB' })).toBe(true);
    expect(mayDecide(allowed, { user_id: 'z', name: 'mallory' })).toBe(false);
  });

  it('refuses a missing actor and an empty list', () => {
    expect(mayDecide(['alice'], null)).toBe(false);
    expect(mayDecide(['alice'], undefined)).toBe(false);
    expect(mayDecide([], ALICE)).toBe(false);
  });
});

describe('sessionRunner', () => {
  const root = { id: 't1', runner_id: 'r1', author: ALICE };

  it('is the runner that posted the root, serving the thread', () => {
    expect(sessionRunner(root, [presence()])?.runner_id).toBe('r1');
  });

  it('ignores another runner claiming the thread, however old its claim', () => {
    const bobs = presence({ runner_id: 'bob-fake', user: BOB, allowed: ['bob'], updated_at: '2020-01-01T00:00:00.000Z' });
    expect(sessionRunner(root, [bobs, presence()])?.runner_id).toBe('r1');
    expect(sessionRunner(root, [bobs])).toBeNull();
  });

  it('is nobody for a human thread, a runner serving another thread, or a runner of another user', () => {
    expect(sessionRunner({ ...root, runner_id: null }, [presence()])).toBeNull();
    expect(sessionRunner(root, [presence({ thread_id: 't2' })])).toBeNull();
    expect(sessionRunner(root, [presence({ user: BOB })])).toBeNull();
  });
});
