// The retention job (issue 17): at start and then every `everyMs` (an hour), empties the payloads
// of rows older than the retention (store/retention.ts) in batches of `batchRows`, each batch its
// own transaction, yielding to the event loop between batches so sockets keep being served, until a
// batch finds nothing. One run at a time. close() cancels the timer and waits for the batch in
// flight, the last one: a batch is committed whole or not at all, so nothing is left half done.

import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Logger } from 'pino';
import { toPilothouseError } from '@pilothouse/protocol';
import type { PruneOptions } from '../store/retention.js';
import { isRetainDays, MAX_RETAIN_DAYS } from './days.js';

const DAY_MS = 86_400_000;
export const DEFAULT_PRUNE_EVERY_MS = 3_600_000;
export const DEFAULT_PRUNE_BATCH_ROWS = 500;

/** Calls `tick` every `ms` until cancelled: the one timer of the job, injected so tests drive it. */
export interface Ticker {
  every(ms: number, tick: () => void): { cancel(): void };
}

/** A Node interval that does not keep the process alive. */
export const intervalTicker: Ticker = {
  every(ms, tick) {
    const timer = setInterval(tick, ms);
    timer.unref();
    return { cancel: () => clearInterval(timer) };
  },
};

export interface PrunerOptions {
  /** One bounded batch (Store.pruneEventPayloads): answers the rows it pruned. */
  prune: (opts: PruneOptions) => Promise<number>;
  logger: Logger;
  /** Payloads of rows created longer ago than this are emptied. */
  afterDays: number;
  everyMs?: number;
  batchRows?: number;
  now?: () => number;
  ticker?: Ticker;
  /** Told after each batch that pruned rows (the Prometheus counter). */
  pruned?: (rows: number) => void;
}

export class PayloadPruner {
  private readonly now: () => number;
  private timer: { cancel(): void } | null = null;
  private running: Promise<number> | null = null;
  private closed = false;

  constructor(private readonly o: PrunerOptions) {
    if (!isRetainDays(o.afterDays)) throw new RangeError(`afterDays must be a whole number of days from 1 to ${MAX_RETAIN_DAYS}, not ${String(o.afterDays)}`);
    this.now = o.now ?? Date.now;
  }

  /** Runs once now, then every `everyMs`. */
  start(): void {
    if (this.closed || this.timer !== null) return;
    const everyMs = this.o.everyMs ?? DEFAULT_PRUNE_EVERY_MS;
    this.timer = (this.o.ticker ?? intervalTicker).every(everyMs, () => void this.run());
    this.o.logger.info({ event: 'retention_started', after_days: this.o.afterDays, every_ms: everyMs }, `event payloads older than ${this.o.afterDays} days are pruned now and every ${everyMs / 60_000} min`);
    void this.run();
  }

  /**
   * Prunes until a batch finds nothing; answers how many rows this run pruned. A call while a run
   * is in progress joins it (runs never overlap). Never rejects: a failure is logged, and the next
   * tick tries again from where the store stands.
   */
  run(): Promise<number> {
    if (this.closed) return Promise.resolve(0);
    this.running ??= this.batches().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** No further tick or batch; resolves once the batch in flight (if any) is committed. */
  async close(): Promise<void> {
    this.closed = true;
    this.timer?.cancel();
    this.timer = null;
    await this.running;
  }

  private async batches(): Promise<number> {
    const { afterDays, logger } = this.o;
    const limit = this.o.batchRows ?? DEFAULT_PRUNE_BATCH_ROWS;
    const before = new Date(this.now() - afterDays * DAY_MS);
    let total = 0;
    try {
      while (!this.closed) {
        const rows = await this.o.prune({ before, afterDays, limit, now: new Date(this.now()) });
        if (rows === 0) break;
        total += rows;
        this.o.pruned?.(rows);
        // Between two transactions: let the sockets and the write queue have their turn.
        await nextTurn();
      }
    } catch (err) {
      logger.error({ err, event: 'retention_failed', code: toPilothouseError(err).code, rows: total, after_days: afterDays }, 'pruning old event payloads failed; the next run tries again');
      return total;
    }
    if (total > 0) logger.info({ event: 'payloads_pruned', rows: total, after_days: afterDays, before: before.toISOString() }, `emptied the payloads of ${total} rows older than ${afterDays} days`);
    return total;
  }
}
