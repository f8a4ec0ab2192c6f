import { describe, expect, it } from 'vitest';
import { memoryCursor } from '../hub/cursor.js';
import { stagedCursor } from './local-state.js';

describe('stagedCursor', () => {
  it('starts at the head and leaves the saved cursor alone until committed, then writes through', () => {
    const saved = memoryCursor(41);
    const staged = stagedCursor(saved);
    expect(staged.load()).toBeUndefined();
    staged.save(57);
    expect(staged.load()).toBe(57);
    // The new session is not saved yet: the earlier session's cursor is untouched.
    expect(saved.saved).toBe(41);
    staged.commit();
    expect(saved.saved).toBe(57);
    staged.save(60);
    expect(saved.saved).toBe(60);
  });

  it('commits nothing when no head was seen', () => {
    const saved = memoryCursor(41);
    stagedCursor(saved).commit();
    expect(saved.saved).toBe(41);
  });
});
