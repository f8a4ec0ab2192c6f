import { describe, expect, it } from 'vitest';
import { ALICE, BOB, machine, machineSession } from '../../test/state-fixtures.js';
import { allowNames, branchPreview, formProblem, mayUseWorktree, newSessionForm, startRequest, withFolder, withMachine } from './new-session.js';

const CAROL = { user_id: 'u-carol', name: 'carol' };

describe('new session form', () => {
  const laptop = machine();

  it('defaults to the first folder, a worktree iff it is git, the first agent and the owner-allowed defaults', () => {
    expect(newSessionForm(laptop)).toEqual({
      machine: 'u-alice/laptop',
      folder: '/home/alice/app',
      agent: 'codex',
      model: '',
      effort: '',
      sandbox: 'workspace-write',
      approvalPolicy: 'on-request',
      allow: '',
      instruction: '',
      worktree: true,
      slug: '',
    });
    const strict = machine({ limits: { ...laptop.limits, sandboxes: ['read-only'], approval_policies: ['untrusted'] }, folders: [{ path: '/srv/x', git: false, branch: null }] });
    expect(newSessionForm(strict)).toMatchObject({ folder: '/srv/x', sandbox: 'read-only', approvalPolicy: 'untrusted', worktree: false });
  });

  it('turns the worktree on iff the chosen folder is git', () => {
    const form = newSessionForm(laptop);
    const notes = withFolder(form, laptop, '/home/alice/notes');
    expect(notes.worktree).toBe(false);
    expect(mayUseWorktree(notes, laptop)).toBe(false);
    expect(withFolder({ ...notes, worktree: false }, laptop, '/home/alice/app').worktree).toBe(true);
  });

  it('keeps what the person wrote when the machine changes', () => {
    const form = { ...newSessionForm(laptop), instruction: 'Fix it', model: 'o4', allow: 'bob', slug: 'x' };
    const other = machine({ name: 'desk', folders: [{ path: '/d', git: false, branch: null }], agents: [{ name: 'gemini', version: '0.61.0' }] });
    expect(withMachine(form, other)).toMatchObject({ machine: 'u-alice/desk', folder: '/d', agent: 'gemini', worktree: false, instruction: 'Fix it', model: 'o4', allow: 'bob', slug: 'x' });
  });

  it('shows the branch a worktree gets', () => {
    const form = { ...newSessionForm(laptop), instruction: 'Fix the login page!' };
    expect(branchPreview(form)).toBe('pilothouse/fix-the-login-page');
    expect(branchPreview({ ...form, slug: ' my-branch ' })).toBe('pilothouse/my-branch');
    expect(branchPreview({ ...form, instruction: '' })).toBe('pilothouse/session');
    expect(branchPreview({ ...form, worktree: false })).toBeNull();
  });

  it('splits the names allowed to steer', () => {
    expect(allowNames(' bob, carol ,, bob,')).toEqual(['bob', 'carol']);
    expect(allowNames('')).toEqual([]);
  });
});

describe('why the form cannot be sent', () => {
  const laptop = machine();
  const ready = { ...newSessionForm(laptop), instruction: 'Fix the login' };

  it('is null for a complete form by someone allowed', () => {
    expect(formProblem(ready, laptop, ALICE)).toBeNull();
    expect(formProblem(ready, machine({ limits: { ...laptop.limits, may_start: ['carol'] } }), CAROL)).toBeNull();
  });

  it('names each reason', () => {
    expect(formProblem(ready, null, ALICE)).toBe('Choose a machine.');
    expect(formProblem(ready, machine({ online: false }), ALICE)).toBe('laptop is offline: its daemon is not connected to the hub.');
    expect(formProblem(ready, laptop, BOB)).toBe('bob may not start sessions on this machine; its owner allows: alice.');
    expect(formProblem(ready, machine({ limits: { ...laptop.limits, may_start: ['carol'] } }), BOB)).toBe('bob may not start sessions on this machine; its owner allows: alice, carol.');
    expect(formProblem({ ...ready, instruction: '  ' }, laptop, ALICE)).toBe('Write the first instruction.');
    expect(formProblem({ ...ready, folder: '/etc' }, laptop, ALICE)).toBe('Choose a folder.');
    expect(formProblem({ ...ready, agent: 'gemini' }, laptop, ALICE)).toBe('Choose an agent.');
    expect(formProblem({ ...ready, folder: '/home/alice/notes', worktree: true }, laptop, ALICE)).toMatch(/is not a git work tree/);
    expect(formProblem({ ...ready, slug: 'Bad Slug' }, laptop, ALICE)).toMatch(/^A branch name is/);
    const full = machine({ limits: { ...laptop.limits, max_sessions: 1 }, sessions: [machineSession()] });
    expect(formProblem(ready, full, ALICE)).toMatch(/runs 1 sessions, as many as its owner allows \(max_sessions = 1\)/);
  });

  it('becomes the session_start payload', () => {
    const form = { ...ready, model: ' gpt-5 ', effort: 'high' as const, allow: 'bob, carol', slug: 'login' };
    expect(startRequest(form, laptop, 'ms-1')).toEqual({
      machine: 'laptop',
      owner_id: 'u-alice',
      client_id: 'ms-1',
      folder: '/home/alice/app',
      agent: 'codex',
      model: 'gpt-5',
      effort: 'high',
      sandbox: 'workspace-write',
      approval_policy: 'on-request',
      allow: ['bob', 'carol'],
      instruction: 'Fix the login',
      worktree: true,
      slug: 'login',
    });
    const plain = startRequest({ ...ready, worktree: false, slug: 'ignored' }, laptop, 'ms-2');
    expect(plain).not.toHaveProperty('slug');
    expect(plain).not.toHaveProperty('model');
    expect(plain).not.toHaveProperty('effort');
  });
});
