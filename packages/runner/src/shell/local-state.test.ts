import { describe, expect, it } from 'vitest';
import { memoryCursor } from '../hub/cursor.js';
import { MAX_OLDER_SESSIONS, rememberSession, stagedCursor, type LocalState } from './local-state.js';

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

describe('rememberSession', () => {
  const base = { runner_id: 'runner-1', session: { thread_id: 'A', codex_thread_id: 'cA', instance_id: 'i1' }, older: [{ thread_id: 'Z', codex_thread_id: null }] };

  it('a new session moves the one it replaces to the front of the older ones', () => {
    expect(rememberSession(base, { thread_id: 'B', codex_thread_id: 'cB', instance_id: 'i2' })).toEqual({
      runner_id: 'runner-1',
      session: { thread_id: 'B', codex_thread_id: 'cB', instance_id: 'i2' },
      older: [
        { thread_id: 'A', codex_thread_id: 'cA' },
        { thread_id: 'Z', codex_thread_id: null },
      ],
    });
  });

  it('a new agent thread in the same session changes only the session; re-binding to an older one takes it out of the list', () => {
    expect(rememberSession(base, { thread_id: 'A', codex_thread_id: 'cA2', instance_id: 'i1' })).toEqual({ ...base, session: { thread_id: 'A', codex_thread_id: 'cA2', instance_id: 'i1' } });
    expect(rememberSession(base, { thread_id: 'Z', codex_thread_id: 'cZ', instance_id: 'i1' }).older).toEqual([{ thread_id: 'A', codex_thread_id: 'cA' }]);
  });

  it('keeps at most MAX_OLDER_SESSIONS, newest first', () => {
    let state: LocalState = { runner_id: 'r', session: null, older: [] };
    for (let i = 0; i < MAX_OLDER_SESSIONS + 5; i += 1) state = rememberSession(state, { thread_id: `t${i}`, codex_thread_id: null });
    expect(state.older).toHaveLength(MAX_OLDER_SESSIONS);
    expect(state.older[0]).toEqual({ thread_id: `t${MAX_OLDER_SESSIONS + 3}`, codex_thread_id: null });
  });
});
