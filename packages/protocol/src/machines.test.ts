import { describe, expect, it } from 'vitest';
import { mayEndSession, sessionSlug, startRefusal, type MachinePresence } from './machines.js';

const machine: Pick<MachinePresence, 'owner' | 'limits' | 'agents' | 'folders' | 'sessions'> = {
  owner: { user_id: 'u-alice', name: 'alice' },
  limits: { may_start: ['bob'], max_sessions: 1, sandboxes: ['workspace-write'], approval_policies: ['on-request'], port_base: 41000 },
  agents: [{ name: 'codex', version: '0.1' }],
  folders: [
    { path: '/code/app', git: true, branch: 'main' },
    { path: '/code/notes', git: false, branch: null },
  ],
  sessions: [],
};
const alice = { user_id: 'u-alice', name: 'alice' };
const bob = { user_id: 'u-bob', name: 'Bob' };
const dave = { user_id: 'u-dave', name: 'dave' };
const req = { folder: '/code/app', agent: 'codex' as const, worktree: true };

describe('startRefusal: who may start what on a machine (one rule for hub and daemon)', () => {
  it('lets the owner and the people named in may_start (any case) start within the limits', () => {
    expect(startRefusal(machine, req, alice)).toBeNull();
    expect(startRefusal(machine, req, bob)).toBeNull();
    expect(startRefusal(machine, { ...req, folder: '/code/app/sub' }, bob)).toBeNull();
  });

  it.each([
    ['start_not_allowed', req, dave],
    ['agent_not_installed', { ...req, agent: 'claude' as const }, alice],
    ['option_not_allowed', { ...req, sandbox: 'danger-full-access' as const }, alice],
    ['option_not_allowed', { ...req, approval_policy: 'never' as const }, alice],
    ['path_escape', { ...req, folder: '/code/app/../../etc' }, alice],
    ['folder_not_trusted', { ...req, folder: '/code/application' }, alice],
    ['not_a_git_repo', { ...req, folder: '/code/notes' }, alice],
  ])('refuses with %s', (code, request, actor) => {
    const refusal = startRefusal(machine, request, actor);
    expect(refusal?.code).toBe(code);
    expect(refusal?.message.length).toBeGreaterThan(20);
  });

  it('refuses past max_sessions, counting only live sessions', () => {
    const session = { state: 'running' } as MachinePresence['sessions'][number];
    expect(startRefusal({ ...machine, sessions: [session] }, req, alice)?.code).toBe('too_many_sessions');
    expect(startRefusal({ ...machine, sessions: [{ ...session, state: 'ended' }] }, req, alice)).toBeNull();
  });

  it('lets only the people allowed to steer a session end it', () => {
    expect(mayEndSession({ allowed: ['alice', 'bob'] }, bob)).toBe(true);
    expect(mayEndSession({ allowed: ['alice', 'bob'] }, dave)).toBe(false);
  });

  it('makes a branch slug from the instruction, or takes the one chosen', () => {
    expect(sessionSlug('Fix the login page — it 500s!')).toBe('fix-the-login-page-it-500s');
    expect(sessionSlug('日本語')).toBe('session');
    expect(sessionSlug('anything', 'my-branch')).toBe('my-branch');
  });
});
