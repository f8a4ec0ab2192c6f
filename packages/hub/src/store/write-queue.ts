// Group commit: writes queued in the same tick share one transaction (one fsync), each inside its
// own savepoint so one failing write does not undo the others. Replies resolve only after COMMIT,
// so an acknowledged write is durable. Events a write produced are published after the commit,
// in seq order, before the writers' promises resolve.

import { performance } from 'node:perf_hooks';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { ChannelEvent } from '@pilothouse/protocol';
import type { Database } from './schema.js';

export interface Committed<R> {
  value: R;
  /** Events this write appended to a channel's log: published once committed. */
  events: { channelId: string; event: ChannelEvent }[];
}

export type WriteOp<R> = (trx: Transaction<Database>) => Promise<Committed<R>>;

type Outcome = { ok: true; done: Committed<unknown> } | { ok: false; err: unknown };

export type Publish = (channelId: string, event: ChannelEvent) => void;

/**
 * Runs inside a write's transaction, after the write, with the events it produced: what must be
 * durable together with them (notifications). Answers true when the commit should be announced
 * to `afterCommit` (deliveries were queued).
 */
export type Follow = (trx: Transaction<Database>, events: Committed<unknown>['events']) => Promise<boolean>;

interface Pending {
  op: WriteOp<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

export interface WriteQueueStats {
  batches: number;
  writes: number;
}

export class WriteQueue {
  private queue: Pending[] = [];
  private running = false;
  private publish: Publish = () => {};
  private follow: Follow | null = null;
  private afterCommit: () => void = () => {};
  private followed = false;
  readonly stats: WriteQueueStats = { batches: 0, writes: 0 };

  constructor(
    private readonly db: Kysely<Database>,
    /** 1 disables batching: one transaction (and one fsync) per write. */
    private readonly maxBatch = 256,
  ) {}

  private observe: ((seconds: number, writes: number) => void) | null = null;

  onPublish(publish: Publish): void {
    this.publish = publish;
  }

  /** Told how long each batch took to commit (seconds) and how many writes it held: for /metrics. */
  onCommitted(observe: (seconds: number, writes: number) => void): void {
    this.observe = observe;
  }

  /** Every write's events also go through `follow`, in the same transaction; `afterCommit` runs once a batch where it answered true committed. */
  onFollow(follow: Follow, afterCommit: () => void): void {
    this.follow = follow;
    this.afterCommit = afterCommit;
  }

  /** One write and what follows from it, inside the batch's transaction. */
  private async apply(op: WriteOp<unknown>, trx: Transaction<Database>): Promise<Committed<unknown>> {
    const done = await op(trx);
    if (this.follow !== null && done.events.length > 0 && (await this.follow(trx, done.events))) this.followed = true;
    return done;
  }

  run<R>(op: WriteOp<R>): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ op: op, resolve: resolve as (v: unknown) => void, reject });
      if (!this.running) {
        this.running = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      const started = performance.now();
      await this.commit(batch);
      this.observe?.((performance.now() - started) / 1000, batch.length);
    }
    this.running = false;
  }

  private async commit(batch: Pending[]): Promise<void> {
    // Fast path: the whole batch in one transaction without savepoints. Writes validate before
    // they write, so failures are rare; when one fails, the batch is rolled back and run again
    // with a savepoint per write (nothing of the first attempt escaped: it was never committed).
    this.followed = false;
    if (batch.length > 1) {
      const done: Committed<unknown>[] = [];
      try {
        await this.db.transaction().execute(async (trx) => {
          for (const item of batch) done.push(await this.apply(item.op, trx));
        });
        this.settle(batch, done.map((d) => ({ ok: true, done: d })));
        return;
      } catch {
        this.followed = false;
        // fall through to the careful path, which reports each write's own outcome
      }
    }
    const outcomes: Outcome[] = [];
    try {
      await this.db.transaction().execute(async (trx) => {
        for (const item of batch) {
          if (batch.length === 1) {
            outcomes.push({ ok: true, done: await this.apply(item.op, trx) });
            continue;
          }
          await sql`savepoint w`.execute(trx);
          try {
            outcomes.push({ ok: true, done: await this.apply(item.op, trx) });
            await sql`release savepoint w`.execute(trx);
          } catch (err) {
            await sql`rollback to savepoint w`.execute(trx);
            await sql`release savepoint w`.execute(trx);
            outcomes.push({ ok: false, err });
          }
        }
      });
    } catch (err) {
      // A lone write's own error, or the COMMIT failed: nothing of the batch is durable.
      for (const item of batch) item.reject(err);
      return;
    }
    this.settle(batch, outcomes);
  }

  private settle(batch: Pending[], outcomes: Outcome[]): void {
    this.stats.batches++;
    this.stats.writes += batch.length;
    outcomes.forEach((outcome) => {
      if (outcome.ok) for (const e of outcome.done.events) this.publish(e.channelId, e.event);
    });
    if (this.followed) this.afterCommit();
    outcomes.forEach((outcome, i) => {
      const item = batch[i]!;
      if (outcome.ok) item.resolve(outcome.done.value);
      else item.reject(outcome.err);
    });
  }
}
