import { describe, expect, it } from 'vitest';
import { FairQueue } from './fair-queue.js';

/** A read that finishes when the test says so. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
}

describe('FairQueue', () => {
  it('serves users round-robin: a late user waits behind one read of the flooder, not all of them', async () => {
    const q = new FairQueue({ concurrency: 1, perUser: 1, maxQueuedPerUser: 100 });
    const order: string[] = [];
    const gates = Array.from({ length: 5 }, gate);
    const flood = gates.map((g, i) => q.run('mallory', async () => { order.push(`m${i}`); await g.opened; }));
    const bob = q.run('bob', async () => { order.push('bob'); });
    for (const g of gates) g.open();
    await Promise.all([...flood, bob]);
    expect(order).toEqual(['m0', 'bob', 'm1', 'm2', 'm3', 'm4']);
    expect(q.size).toEqual({ running: 0, waiting: 0 });
  });

  it('refuses a user whose queue is full with rate_limited and retry_after_ms', async () => {
    const q = new FairQueue({ concurrency: 1, perUser: 1, maxQueuedPerUser: 1 });
    const g = gate();
    const first = q.run('m', () => g.opened);
    const second = q.run('m', async () => undefined);
    await expect(q.run('m', async () => undefined)).rejects.toMatchObject({ code: 'rate_limited', details: { retry_after_ms: 1000 } });
    g.open();
    await Promise.all([first, second]);
  });

  it('releases the slot when a read throws', async () => {
    const q = new FairQueue({ concurrency: 1, perUser: 1, maxQueuedPerUser: 10 });
    await expect(q.run('a', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await q.run('a', async () => 7)).toBe(7);
  });
});
