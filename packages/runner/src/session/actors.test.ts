import { describe, expect, it } from 'vitest';
import { mayDecide } from '@pilothouse/protocol';
import { describeAllowed } from './actors.js';

const allowed = [{ name: 'Alice', user_id: 'u-alice' }, { name: 'bob' }];

describe('who may steer (the protocol rule, on the runner config shape)', () => {
  it('matches names case-insensitively, or the user id', () => {
    expect(mayDecide(allowed, { user_id: 'x', name: 'alice' })).toBe(true);
    expect(mayDecide(allowed, { user_id: 'u-alice', name: 'renamed' })).toBe(true);
    expect(mayDecide(allowed, { user_id: 'y', name: 'BOB' })).toBe(true);
    expect(mayDecide(allowed, { user_id: 'z', name: 'mallory' })).toBe(false);
  });

  it('refuses a missing actor', () => {
    expect(mayDecide(allowed, null)).toBe(false);
    expect(mayDecide(allowed, undefined)).toBe(false);
  });

  it('describes who may steer', () => {
    expect(describeAllowed(allowed)).toBe('Alice, bob');
    expect(describeAllowed([])).toBe('nobody');
  });
});
