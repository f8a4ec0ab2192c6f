// Plain values for the web state tests (src/state/*.test.ts): messages and events as the hub sends them.
import type { ChannelEvent, Message, MessageState, RunnerPresence } from '@pilothouse/protocol';

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
