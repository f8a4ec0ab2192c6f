// Fair scheduling of reads: at most `perUser` reads of one user run at a time and at most
// `concurrency` in all; waiting reads are started round-robin across users, so another user's
// request waits behind at most one turn of each busy user, never behind a flood's whole backlog.
// A user with `maxQueuedPerUser` reads already waiting is refused with `rate_limited`.

import { PilothouseError } from '@pilothouse/protocol';

interface UserQueue {
  running: number;
  waiting: (() => void)[];
}

export interface FairQueueOptions {
  concurrency: number;
  perUser: number;
  maxQueuedPerUser: number;
}

export const DEFAULT_FAIR_QUEUE: FairQueueOptions = { concurrency: 4, perUser: 1, maxQueuedPerUser: 256 };

export class FairQueue {
  readonly #users = new Map<string, UserQueue>();
  /** Users with waiting reads, in round-robin order. */
  #ring: string[] = [];
  #running = 0;

  constructor(private readonly opts: FairQueueOptions = DEFAULT_FAIR_QUEUE) {}

  async run<T>(user: string, fn: () => Promise<T>): Promise<T> {
    const q = this.#users.get(user) ?? { running: 0, waiting: [] };
    this.#users.set(user, q);
    if (this.#running < this.opts.concurrency && q.running < this.opts.perUser && q.waiting.length === 0) {
      this.#start(q);
    } else {
      if (q.waiting.length >= this.opts.maxQueuedPerUser) {
        throw new PilothouseError('rate_limited', 'Too many reads waiting; retry later.', { retry_after_ms: 1000 });
      }
      await new Promise<void>((resolve) => {
        q.waiting.push(resolve);
        if (q.waiting.length === 1) this.#ring.push(user);
      });
    }
    try {
      // Reads on SQLite run synchronously: yield to I/O first, or one socket's chain of reads
      // would run back to back in microtasks and no other user's request would even be read.
      await new Promise<void>((resolve) => setImmediate(resolve));
      return await fn();
    } finally {
      q.running--;
      this.#running--;
      if (q.running === 0 && q.waiting.length === 0) this.#users.delete(user);
      // The user who just had a turn goes to the back of the ring.
      const at = this.#ring.indexOf(user);
      if (at >= 0 && at < this.#ring.length - 1) this.#ring.push(...this.#ring.splice(at, 1));
      this.#pump();
    }
  }

  /** Reads running and waiting, for tests and stats. */
  get size(): { running: number; waiting: number } {
    let waiting = 0;
    for (const q of this.#users.values()) waiting += q.waiting.length;
    return { running: this.#running, waiting };
  }

  #start(q: UserQueue): void {
    q.running++;
    this.#running++;
  }

  #pump(): void {
    let scanned = 0;
    while (this.#running < this.opts.concurrency && this.#ring.length > 0 && scanned < this.#ring.length) {
      const user = this.#ring.shift()!;
      const q = this.#users.get(user);
      if (!q || q.waiting.length === 0) continue;
      if (q.running >= this.opts.perUser) {
        this.#ring.push(user);
        scanned++;
        continue;
      }
      scanned = 0;
      this.#start(q);
      q.waiting.shift()!();
      if (q.waiting.length > 0) this.#ring.push(user);
    }
  }
}
