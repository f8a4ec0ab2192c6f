// Plain values for the web state tests (src/state/*.test.ts): messages and events as the hub sends them.
import type { ChannelEvent, MachinePresence, MachineSession, Message, MessageState, RunnerPresence } from '@pilothouse/protocol';

export const ALICE = { user_id: 'u-alice', name: 'alice' };
export const BOB = { user_id: 'u-bob', name: 'bob' };

export function msg(id: string, seq: number, over: Partial<Message> = {}): Message {
  return {
    id,
    thread_id: 't1',
    seq,
    author: ALICE,
    runner_id: null,
    client_id: `c-${id}`,
    kind: 'text',
    item_key: null,
    body: '',
    meta: null,
    status: null,
    state: null,
    created_at: '2026-11-25T10:00:00.000Z',
    ...over,
  };
}

export const row = (id: string, seq: number, body = '', over: Partial<Message> = {}): Message =>
  msg(id, seq, { runner_id: 'r1', kind: 'assistant', item_key: `k-${id}`, status: 'streaming', body, ...over });

export const ev = {
  message: (m: Message): ChannelEvent => ({ type: 'message', payload: { seq: m.seq, message: m } }),
  append: (seq: number, id: string, offset: number, text: string, thread_id = 't1'): ChannelEvent => ({
    type: 'append',
    payload: { seq, message_id: id, thread_id, item_key: `k-${id}`, offset, text },
  }),
  updated: (seq: number, id: string, fields: { body?: string; status?: Message['status']; meta?: Message['meta'] }, thread_id = 't1'): ChannelEvent => ({
    type: 'row_updated',
    payload: { seq, message_id: id, thread_id, item_key: `k-${id}`, ...fields },
  }),
  state: (seq: number, id: string, state: MessageState, thread_id = 't1'): ChannelEvent => ({ type: 'state', payload: { seq, message_id: id, thread_id, state } }),
  presence: (seq: number, runner: RunnerPresence): ChannelEvent => ({ type: 'presence', payload: { seq, runner } }),
};

export function runner(over: Partial<RunnerPresence> = {}): RunnerPresence {
  return {
    runner_id: 'r1',
    instance_id: 'i1',
    name: 'laptop',
    cwd: '/home/alice/app',
    agent: { name: 'codex', version: '0.169.0' },
    capabilities: [],
    user: ALICE,
    status: 'idle',
    thread_id: 't1',
    allowed: ['alice'],
    updated_at: '2026-11-25T10:00:00.000Z',
    ...over,
  };
}

export function machineSession(over: Partial<MachineSession> = {}): MachineSession {
  return {
    session_id: 's1',
    thread_id: 't1',
    folder: '/home/alice/app',
    worktree: '/home/alice/.pilothouse/worktrees/app-s1',
    branch: 'pilothouse/fix-login',
    base_branch: 'main',
    base_commit: 'abc1234',
    agent: 'codex',
    state: 'running',
    ending: null,
    detail: null,
    started_by: ALICE,
    allowed: ['alice'],
    ports: { from: 4100, to: 4109 },
    started_at: '2026-11-25T10:00:00.000Z',
    ...over,
  };
}

export function machine(over: Partial<MachinePresence> = {}): MachinePresence {
  return {
    name: 'laptop',
    os: 'linux',
    daemon_version: '0.1.0',
    folders: [
      { path: '/home/alice/app', git: true, branch: 'main' },
      { path: '/home/alice/notes', git: false, branch: null },
    ],
    agents: [
      { name: 'codex', version: '0.169.0' },
      { name: 'claude', version: '2.1.0' },
    ],
    limits: { may_start: [], max_sessions: 4, sandboxes: ['read-only', 'workspace-write'], approval_policies: ['on-request', 'never'], port_base: 4100 },
    sessions: [],
    owner: ALICE,
    online: true,
    last_seen: '2026-11-25T10:00:00.000Z',
    ...over,
  };
}
