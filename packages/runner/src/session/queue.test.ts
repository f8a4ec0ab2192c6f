import { describe, expect, it } from 'vitest';
import { dropThrough, type Queue, type QueuedMessage } from './queue.js';

const msg = (seq: number): QueuedMessage => ({ message_id: `m${seq}`, thread_id: 'root-1', seq, trigger: seq, body: `body ${seq}`, author: { user_id: 'u1', name: 'alice' }, attempts: 0 });

describe('message queue (a plain array)', () => {
  it('dropThrough splits off the messages up to a seq, leaving its input alone', () => {
    const q: Queue = Object.freeze([3, 5, 8, 9].map(msg));
    expect(dropThrough(q, 2)).toEqual({ queue: q, dropped: [] });
    const { queue, dropped } = dropThrough(q, 8);
    expect(dropped.map((m) => m.seq)).toEqual([3, 5, 8]);
    expect(queue.map((m) => m.seq)).toEqual([9]);
    expect(q).toHaveLength(4);
    expect(dropThrough(queue, Number.POSITIVE_INFINITY)).toEqual({ queue: [], dropped: [msg(9)] });
  });

  it('passes 200,000 messages through at the default depth (256) in linear time', () => {
    let q: Queue = [];
    const started = performance.now();
    let sum = 0;
    for (let i = 1; i <= 200_000; i += 1) {
      q = [...q, msg(i)];
      if (q.length === 256) {
        sum += q[0]!.seq;
        q = q.slice(1);
      }
    }
    for (const m of q) sum += m.seq;
    expect(sum).toBe((200_000 * 200_001) / 2);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
