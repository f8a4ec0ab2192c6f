import { describe, expect, it } from 'vitest';
import type { RunnerPresence } from '@pilothouse/protocol';
import { latestLiveSession } from './sessions.js';
import { msg } from '../../test/state-fixtures.js';

const ALICE = { user_id: 'u-alice', name: 'alice' };
const runner = (id: string, threadId: string, status: RunnerPresence['status']): RunnerPresence => ({
  runner_id: id,
  instance_id: `${id}-1`,
  name: 'laptop',
  cwd: '/w',
  agent: { name: 'codex', version: '0.169.0' },
  capabilities: [],
  user: ALICE,
  status,
  thread_id: threadId,
  allowed: ['alice'],
  updated_at: '2026-12-01T10:00:00.000Z',
});
const session = (id: string, seq: number, runnerId: string) => ({ root: msg(id, seq, { kind: 'session', runner_id: runnerId, author: ALICE }) });

describe('latestLiveSession', () => {
  it('the newest session whose runner is present; none when all ended', () => {
    const threads = [session('s3', 30, 'r3'), session('s2', 20, 'r2'), session('s1', 10, 'r1'), { root: msg('p', 40, { author: ALICE }) }];
    expect(latestLiveSession(threads, [runner('r1', 's1', 'idle'), runner('r2', 's2', 'working'), runner('r3', 's3', 'offline')])).toBe('s2');
    expect(latestLiveSession(threads, [runner('r3', 's3', 'offline')])).toBeNull();
    expect(latestLiveSession([], [])).toBeNull();
  });
});
