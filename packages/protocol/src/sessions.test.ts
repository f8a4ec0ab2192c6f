import { describe, expect, it } from 'vitest';
import type { Message, RunnerPresence } from './model.js';
import { MAX_TITLE, SessionTitle, instructionTitle, isInstruction, isLiveSession, mayRetitle } from './sessions.js';

const ALICE = { user_id: 'u-alice', name: 'alice' };
const BOB = { user_id: 'u-bob', name: 'bob' };
const CAROL = { user_id: 'u-carol', name: 'carol' };
const root: Pick<Message, 'id' | 'runner_id' | 'author'> = { id: 't1', runner_id: 'r1', author: ALICE };
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
  allowed: ['alice', 'bob'],
  updated_at: '2026-12-01T10:00:00.000Z',
  ...over,
});

describe('session titles', () => {
  it('the first non-blank line of an instruction, blanks collapsed, clipped', () => {
    expect(instructionTitle('\n\n  Fix   the\tlogin bug  \nand more')).toBe('Fix the login bug');
    expect(instructionTitle('  \n \n')).toBeNull();
    const long = instructionTitle('x'.repeat(500))!;
    expect(long).toHaveLength(MAX_TITLE);
    expect(long.endsWith('…')).toBe(true);
  });

  it('instructions are people’s text messages, not rows or chat commands', () => {
    expect(isInstruction({ kind: 'text', runner_id: null, body: 'do it' })).toBe(true);
    expect(isInstruction({ kind: 'text', runner_id: null, body: ' /pilothouse status' })).toBe(false);
    expect(isInstruction({ kind: 'assistant', runner_id: 'r1', body: 'done' })).toBe(false);
  });

  it('a set title is one line, bounded, not blank', () => {
    expect(SessionTitle.safeParse('Login bug').success).toBe(true);
    for (const bad of ['', '   ', ' padded', 'two\nlines', 'bell\u0007', 'x'.repeat(MAX_TITLE + 1)]) expect(SessionTitle.safeParse(bad).success, bad).toBe(false);
  });
});

describe('mayRetitle and isLiveSession', () => {
  it('the steerers of the attached runner, whatever its status', () => {
    expect(mayRetitle(root, [presence()], BOB)).toBe(true);
    expect(mayRetitle(root, [presence({ status: 'offline' })], BOB)).toBe(true);
    expect(mayRetitle(root, [presence()], CAROL)).toBe(false);
  });

  it('with no runner attached, only the person who started the thread', () => {
    const movedOn = [presence({ thread_id: 'other' })];
    expect(mayRetitle(root, movedOn, ALICE)).toBe(true);
    expect(mayRetitle(root, movedOn, BOB)).toBe(false);
    expect(mayRetitle({ id: 't2', runner_id: null, author: CAROL }, [presence()], CAROL)).toBe(true);
  });

  it('live while the attached runner is present', () => {
    expect(isLiveSession(root, [presence({ status: 'working' })])).toBe(true);
    expect(isLiveSession(root, [presence({ status: 'offline' })])).toBe(false);
    expect(isLiveSession(root, [presence({ thread_id: 'other' })])).toBe(false);
  });
});
