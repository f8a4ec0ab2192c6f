import { describe, expect, it } from 'vitest';
import { MessageQueue, type QueuedMessage } from './queue.js';

const msg = (seq: number): QueuedMessage => ({ message_id: `m${seq}`, seq, trigger: seq, body: `body ${seq}`, author: { user_id: 'u1', name: 'alice' }, attempts: 0 });

describe('MessageQueue', () => {
  it('is first in, first out', () => {
    const q = new MessageQueue();
    q.enqueue(msg(1));
    q.enqueue(msg(2));
    expect(q.size).toBe(2);
    expect(q.peek()).toEqual(msg(1));
    expect(q.dequeue()).toEqual(msg(1));
    expect(q.dequeue()).toEqual(msg(2));
    expect(q.dequeue()).toBeUndefined();
    expect(q.peek()).toBeUndefined();
  });

  it('pushFront puts a requeued message before the rest', () => {
    const q = new MessageQueue();
    q.enqueue(msg(2));
    q.enqueue(msg(3));
    q.pushFront({ ...msg(1), attempts: 1 });
    expect([q.dequeue()?.seq, q.dequeue()?.seq, q.dequeue()?.seq]).toEqual([1, 2, 3]);
  });

  it('dropThrough removes and returns the messages up to a seq', () => {
    const q = new MessageQueue();
    for (const seq of [3, 5, 8, 9]) q.enqueue(msg(seq));
    expect(q.dropThrough(2)).toEqual([]);
    expect(q.dropThrough(8).map((m) => m.seq)).toEqual([3, 5, 8]);
    expect(q.size).toBe(1);
    expect(q.drain().map((m) => m.seq)).toEqual([9]);
    expect(q.size).toBe(0);
  });

  it('keeps order across growth and wrap-around', () => {
    const q = new MessageQueue();
    const seen: number[] = [];
    let next = 1;
    for (let round = 0; round < 50; round += 1) {
      for (let i = 0; i < 7; i += 1) q.enqueue(msg(next++));
      for (let i = 0; i < 5; i += 1) seen.push(q.dequeue()?.seq ?? -1);
    }
    while (q.size > 0) seen.push(q.dequeue()?.seq ?? -1);
    expect(seen).toEqual(Array.from({ length: next - 1 }, (_, i) => i + 1));
  });

  it('handles 200,000 messages in linear time', () => {
    const q = new MessageQueue();
    const started = performance.now();
    for (let i = 1; i <= 200_000; i += 1) q.enqueue(msg(i));
    let sum = 0;
    for (let m = q.dequeue(); m !== undefined; m = q.dequeue()) sum += m.seq;
    expect(sum).toBe((200_000 * 200_001) / 2);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
