import { describe, expect, it } from 'vitest';
import { describeAllowed, isAllowed } from './actors.js';

const allowed = [{ name: 'Alice', user_id: 'u-alice' }, { name: 'bob' }];

describe('isAllowed', () => {
  it('matches names case-insensitively, or the user id', () => {
    expect(isAllowed({ user_id: 'x', name: 'alice' }, allowed)).toBe(true);
    expect(isAllowed({ user_id: 'u-alice', name: 'renamed' }, allowed)).toBe(true);
    expect(isAllowed({ user_id: 'y', name: 'BOB' }, allowed)).toBe(true);
    expect(isAllowed({ user_id: 'z', name: 'mallory' }, allowed)).toBe(false);
  });

  it('refuses a missing actor', () => {
    expect(isAllowed(null, allowed)).toBe(false);
    expect(isAllowed(undefined, allowed)).toBe(false);
  });

  it('describes who may steer', () => {
    expect(describeAllowed(allowed)).toBe('Alice, bob');
    expect(describeAllowed([])).toBe('nobody');
  });
});
