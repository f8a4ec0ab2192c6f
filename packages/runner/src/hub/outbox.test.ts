// The outbox with plain values: order, the in-flight window, bounds and backpressure, rewind.

import { describe, expect, it } from 'vitest';
import { Outbox } from './outbox.js';

const ids = (entries: { id: number }[]) => entries.map((e) => e.id);
const items = (entries: { item: string }[]) => entries.map((e) => e.item);

function filled(n: number, limits = { maxEntries: 100, maxBytes: 1000, maxInFlight: 3 }) {
  const box = new Outbox<string>(limits);
  for (let i = 0; i < n; i++) box.add(`p${i}`, 10);
  return box;
}

describe('Outbox', () => {
  it('sends in order, at most maxInFlight at a time, more as answers come', () => {
    const box = filled(5);
    expect(items(box.takeSendable())).toEqual(['p0', 'p1', 'p2']);
    expect(box.takeSendable()).toEqual([]);
    expect(box.settle(1)?.item).toBe('p1'); // answers may come out of order
    expect(items(box.takeSendable())).toEqual(['p3']);
    expect(box.inFlight).toBe(3);
    expect(box.settle(1)).toBeUndefined(); // a second answer for the same entry is ignored
    expect(box.size).toBe(4);
  });

  it('after a rewind, resends every unanswered entry from the oldest, skipping answered ones', () => {
    const box = filled(6);
    box.takeSendable(); // 0 1 2
    box.settle(1);
    box.takeSendable(); // 3
    box.rewind();
    expect(box.inFlight).toBe(0);
    expect(ids(box.takeSendable())).toEqual([0, 2, 3]);
    box.settle(0);
    box.settle(2);
    box.settle(3);
    expect(ids(box.takeSendable())).toEqual([4, 5]);
  });

  it('a stale answer for an entry resent after a rewind counts once', () => {
    const box = filled(2, { maxEntries: 10, maxBytes: 100, maxInFlight: 1 });
    box.takeSendable(); // 0
    box.rewind();
    expect(box.settle(0)?.item).toBe('p0'); // answered from the old session: not in flight any more
    expect(box.inFlight).toBe(0);
    expect(ids(box.takeSendable())).toEqual([1]);
  });

  it('admits at most maxEntries; later entries wait in order and are admitted as room frees', () => {
    const box = filled(5, { maxEntries: 2, maxBytes: 1000, maxInFlight: 10 });
    expect(box.admitted).toEqual({ count: 2, bytes: 20 });
    expect(box.size).toBe(5);
    expect(ids(box.takeSendable())).toEqual([0, 1]);
    box.settle(0);
    expect(box.admitted).toEqual({ count: 2, bytes: 20 });
    expect(ids(box.takeSendable())).toEqual([2]);
  });

  it('bounds the admitted bytes, but admits a single oversized entry on its own', () => {
    const box = new Outbox<string>({ maxEntries: 100, maxBytes: 25, maxInFlight: 10 });
    box.add('a', 10);
    box.add('b', 10);
    box.add('big', 40);
    box.add('c', 1);
    expect(items(box.takeSendable())).toEqual(['a', 'b']);
    box.settle(0);
    expect(box.takeSendable()).toEqual([]); // 10 + 40 > 25: big waits, and c waits behind it
    box.settle(1);
    expect(items(box.takeSendable())).toEqual(['big']);
    box.settle(2);
    expect(items(box.takeSendable())).toEqual(['c']);
  });

  it('drain hands back everything unanswered, oldest first, and leaves it empty', () => {
    const box = filled(4, { maxEntries: 2, maxBytes: 1000, maxInFlight: 1 });
    box.takeSendable();
    box.settle(0);
    expect(box.some((p) => p === 'p3')).toBe(true);
    expect(items(box.drain())).toEqual(['p1', 'p2', 'p3']);
    expect(box.size).toBe(0);
    expect(box.admitted).toEqual({ count: 0, bytes: 0 });
    box.add('next', 1);
    expect(items(box.takeSendable())).toEqual(['next']);
  });
});
