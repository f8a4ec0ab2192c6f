// What rows say is what the runner said: agent rows signed by agent and runner, command states
// from status + activity, decided prompts in one line.
import type { ApprovalDecision, Message, RunnerPresence } from '@pilothouse/protocol';
import { describe, expect, it } from 'vitest';
import { agentIdentity, signature } from './agent-identity.js';
import { commandLabel, commandState } from './command-state.js';
import { decisionLine } from './decision-text.js';

const alice = { user_id: 'u-alice', name: 'alice' };
const row = (o: Partial<Message>): Message => ({
  id: 'm1',
  thread_id: 'root',
  seq: 3,
  author: alice,
  runner_id: 'r1',
  client_id: null,
  kind: 'assistant',
  item_key: 'k',
  body: '',
  meta: null,
  status: 'completed',
  state: null,
  created_at: '2025-03-04T15:17:00Z',
  ...o,
});
const root = row({ id: 'root', kind: 'session', meta: { agent: 'codex', host: 'vm', cwd: '/w' } });
const presence: RunnerPresence = {
  runner_id: 'r1',
  instance_id: 'i1',
  name: 'alice-laptop',
  cwd: '/w',
  agent: { name: 'codex', version: '1' },
  capabilities: [],
  user: alice,
  status: 'idle',
  thread_id: 'root',
  allowed: ['alice'],
  updated_at: '2025-03-04T15:17:00Z',
};

describe('agent identity', () => {
  it('signs a runner row as the agent and the runner, from the session row and presence', () => {
    expect(signature(agentIdentity(row({}), { r1: presence }, root)!)).toBe("Codex · alice's runner on vm");
    // No session row known: the runner's registered name stands for the host.
    expect(signature(agentIdentity(row({}), { r1: presence }, undefined)!)).toBe("Codex · alice's runner on alice-laptop");
    // Runner gone from presence: the row's author is still only the runner's owner.
    expect(signature(agentIdentity(row({}), {}, root)!)).toBe("Codex · alice's runner on vm");
  });
  it('a person is no agent', () => {
    expect(agentIdentity(row({ runner_id: null }), { r1: presence }, root)).toBeNull();
  });
});

describe('command state', () => {
  const cmd = (status: Message['status'], meta: Message['meta'] = {}) => commandLabel(commandState({ status, meta })).text;
  it('awaiting approval, running, background, and the ends', () => {
    expect(cmd('streaming', { activity: 'awaiting_approval' })).toBe('awaiting approval');
    expect(cmd('streaming')).toBe('running');
    expect(cmd('completed', { activity: 'background', ports: [8123] })).toBe('background · listening on :8123');
    expect(cmd('completed', { exit_code: 0 })).toBe('completed');
    expect(cmd('failed')).toBe('failed');
    expect(cmd('interrupted')).toBe('interrupted');
    expect(cmd('declined')).toBe('declined');
  });
});

describe('decided prompts', () => {
  const base: ApprovalDecision = { request_id: 't:0', kind: 'command', summary: 'ls', outcome: 'approved', choice: 'approve', label: 'Approve', by: { user_id: 'u-bob', name: 'bob' }, via: 'control', at: '2025-03-04T15:17:00Z', reason: null };
  const hhmm = () => '15:17';
  it('who, when and how', () => {
    expect(decisionLine(base, hhmm)).toBe('Approved by bob · 15:17 · via the prompt');
    expect(decisionLine({ ...base, outcome: 'always_allowed', via: 'chat_command' }, hhmm)).toBe('Always allowed by bob · 15:17 · via chat command');
    expect(decisionLine({ ...base, outcome: 'denied', choice: 'deny', label: 'Deny' }, hhmm)).toBe('Denied by bob · 15:17 · via the prompt');
    expect(decisionLine({ ...base, outcome: 'expired', by: null, via: 'runner', reason: 'approval expired' }, hhmm)).toBe('Expired · 15:17 · nobody decided in time');
    expect(decisionLine({ ...base, outcome: 'withdrawn', by: null, via: 'runner', reason: 'turn interrupted' }, hhmm)).toBe('Withdrawn · 15:17 · turn interrupted');
  });
});
