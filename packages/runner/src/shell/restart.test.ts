import { describe, expect, it } from 'vitest';
import type { Message, PushPayload, PushReply } from '@pilothouse/protocol';
import type { HubClient } from '../hub/api.js';
import { readThread } from './restart.js';

const message = (seq: number): Message => ({
  id: `m${seq}`,
  thread_id: 'm1',
  seq,
  author: { user_id: 'u1', name: 'alice' },
  runner_id: null,
  client_id: null,
  kind: 'text',
  item_key: null,
  body: `message ${seq}`,
  meta: null,
  status: null,
  state: null,
  created_at: '2026-12-04T00:00:00.000Z',
});

/** A hub whose get_thread answers pages of `size` messages after `after_seq`, as the real hub pages. */
function pagingHub(total: number, size: number, asked: PushPayload<'get_thread'>[]): HubClient {
  const all = Array.from({ length: total }, (_, i) => message(i + 1));
  const push = async (event: string, payload: PushPayload<'get_thread'>): Promise<PushReply<'get_thread'>> => {
    if (event !== 'get_thread') throw new Error(`unexpected ${event}`);
    asked.push(payload);
    const rest = all.filter((m) => m.seq > (payload.after_seq ?? 0));
    const page = rest.slice(0, size);
    const complete = rest.length <= size;
    return { head_seq: total + 100, messages: page, clipped: [], next: complete ? null : page.at(-1)!.seq, complete };
  };
  return { push } as unknown as HubClient;
}

describe('readThread', () => {
  it('follows the pages by after_seq until the hub says complete, keeping the first head', async () => {
    const asked: PushPayload<'get_thread'>[] = [];
    const thread = await readThread(pagingHub(450, 200, asked), 'm1');
    expect(asked).toEqual([{ thread_id: 'm1' }, { thread_id: 'm1', after_seq: 200 }, { thread_id: 'm1', after_seq: 400 }]);
    expect(thread.head_seq).toBe(550);
    expect(thread.messages.map((m) => m.seq)).toEqual(Array.from({ length: 450 }, (_, i) => i + 1));
  });

  it('a thread that fits one page is one request', async () => {
    const asked: PushPayload<'get_thread'>[] = [];
    expect((await readThread(pagingHub(3, 200, asked), 'm1')).messages).toHaveLength(3);
    expect(asked).toEqual([{ thread_id: 'm1' }]);
  });
});
