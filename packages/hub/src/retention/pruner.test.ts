// The retention job with its store and timer replaced by plain values: batches until one finds
// nothing, at start and on each tick; runs never overlap; the event loop gets a turn between
// batches; a failure is logged with its code and the next tick tries again; close() cancels the
// timer and waits for the batch in flight without starting another.

import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { PruneOptions } from '../store/retention.js';
import { PayloadPruner, type PrunerOptions } from './pruner.js';
import { handTicker } from '../../test/hand-ticker.js';

const NOW = Date.parse('2026-03-03T00:00:00.000Z');
const DAY = 86_400_000;

/** A store whose batches answer `answers` in turn (0 once they run out), each when the test lets it if `gated`. */
function fakeStore(answers: (number | Error)[], gated = false) {
  const calls: PruneOptions[] = [];
  const gates: ((answer: number | Error) => void)[] = [];
  let waiters: { n: number; resolve: () => void }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const prune = async (opts: PruneOptions): Promise<number> => {
    calls.push(opts);
    waiters = waiters.filter((w) => (calls.length >= w.n ? (w.resolve(), false) : true));
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      const answer = gated ? await new Promise<number | Error>((resolve) => gates.push(resolve)) : (answers.shift() ?? 0);
      if (answer instanceof Error) throw answer;
      return answer;
    } finally {
      inFlight--;
    }
  };
  /** Resolves once the store has been asked for `n` batches in all. */
  const asked = (n: number) => new Promise<void>((resolve) => (calls.length >= n ? resolve() : waiters.push({ n, resolve })));
  return { prune, calls, gates, asked, maxInFlight: () => maxInFlight };
}

function logs() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}

function pruner(store: ReturnType<typeof fakeStore>, extra: Partial<PrunerOptions> = {}) {
  const hand = handTicker();
  const log = logs();
  const pruned: number[] = [];
  const job = new PayloadPruner({ prune: store.prune, logger: log.logger, afterDays: 30, batchRows: 2, now: () => NOW, ticker: hand.ticker, pruned: (n) => pruned.push(n), ...extra });
  return { job, hand, log, pruned };
}

/** Lets queued promise callbacks run (no timers involved). */
const settle = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

describe('PayloadPruner', () => {
  it('runs at start and on every tick, in batches until one finds nothing, counting what each pruned', async () => {
    const store = fakeStore([2, 2, 1, 0]);
    const { job, hand, log, pruned } = pruner(store);
    job.start();
    expect(hand.armed.map((t) => t.ms)).toEqual([3_600_000]);
    expect(await job.run()).toBe(5);
    const batch = { before: new Date(NOW - 30 * DAY), afterDays: 30, limit: 2, now: new Date(NOW) };
    expect(store.calls).toEqual([batch, batch, batch, batch]);
    expect(pruned).toEqual([2, 2, 1]);
    expect(log.lines.map((l) => [l.event, l.after_days, l.rows])).toEqual([
      ['retention_started', 30, undefined],
      ['payloads_pruned', 30, 5],
    ]);

    hand.tick();
    expect(await job.run()).toBe(0);
    expect(store.calls).toHaveLength(5);
    expect(pruned).toEqual([2, 2, 1]);
    await job.close();
  });

  it('gives the event loop a turn between two batches', async () => {
    const order: string[] = [];
    const store = fakeStore([]);
    const answers = [1, 1, 0];
    const { job } = pruner({
      ...store,
      prune: async () => {
        order.push('batch');
        // What a socket would do meanwhile: queued behind the batch, run before the next one.
        setImmediate(() => order.push('io'));
        return answers.shift() ?? 0;
      },
    });
    expect(await job.run()).toBe(2);
    expect(order).toEqual(['batch', 'io', 'batch', 'io', 'batch']);
  });

  it('never overlaps runs: ticks and calls during a run join it', async () => {
    const store = fakeStore([], true);
    const { job, hand } = pruner(store);
    job.start();
    hand.tick();
    hand.tick();
    const joined = job.run();
    await settle();
    expect(store.calls).toHaveLength(1);
    store.gates.shift()!(2);
    await store.asked(2);
    hand.tick();
    store.gates.shift()!(0);
    expect(await joined).toBe(2);
    expect(store.calls).toHaveLength(2);
    expect(store.maxInFlight()).toBe(1);
    await job.close();
  });

  it('logs a failed run with its code, keeps what it pruned, and tries again on the next tick', async () => {
    const store = fakeStore([2, new Error('SQLITE_BUSY: database is locked'), 1, 0]);
    const { job, hand, log, pruned } = pruner(store);
    job.start();
    expect(await job.run()).toBe(2);
    expect(log.lines.filter((l) => l.event !== 'retention_started')).toEqual([
      expect.objectContaining({ level: 50, event: 'retention_failed', code: 'internal', rows: 2, after_days: 30, err: expect.objectContaining({ message: 'SQLITE_BUSY: database is locked' }) }),
    ]);
    hand.tick();
    expect(await job.run()).toBe(1);
    expect(pruned).toEqual([2, 1]);
    expect(log.lines.at(-1)).toMatchObject({ event: 'payloads_pruned', rows: 1 });
    await job.close();
  });

  it('close() cancels the timer and waits for the batch in flight, starting no other', async () => {
    const store = fakeStore([], true);
    const { job, hand, pruned } = pruner(store);
    job.start();
    await settle();
    let closed = false;
    const closing = job.close().then(() => (closed = true));
    expect(hand.armed.map((t) => t.cancelled)).toEqual([true]);
    await settle();
    expect(closed).toBe(false);
    // The batch commits (more rows wait), and that is the last one.
    store.gates.shift()!(2);
    await closing;
    expect(pruned).toEqual([2]);
    expect(store.calls).toHaveLength(1);
    hand.armed[0]!.tick();
    expect(await job.run()).toBe(0);
    expect(store.calls).toHaveLength(1);
  });

  it.each([0, -1, 1.5, 36_501, Number.NaN])('refuses a retention of %s days', (afterDays) => {
    expect(() => pruner(fakeStore([]), { afterDays })).toThrow(`afterDays must be a whole number of days from 1 to 36500, not ${afterDays}`);
  });
});
