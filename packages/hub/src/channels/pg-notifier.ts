// NOTIFYs from this hub to the others over one PostgreSQL connection (pg-feed.ts, pg-presence.ts):
// one query at a time, as a pg client wants (pg 8 queues a query sent while another runs, with a
// deprecation warning; pg 9 refuses it), and coalesced by key: a message for a key replaces, or is
// merged into, the one still waiting for that key. What waits is bounded by the number of keys,
// whatever the rate of commits or presence changes, and the newest word for a key is what goes out.

import type pg from 'pg';

export interface PgNotifierOptions {
  /** The LISTEN/NOTIFY channel. */
  readonly channel: string;
  /** A failed NOTIFY: said, and the next message goes on. */
  readonly onError: (err: unknown) => void;
  /** How a waiting message and a newer one for the same key become one (default: the newer one). */
  readonly merge?: (waiting: string, next: string) => string;
}

export class PgNotifier {
  readonly #client: pg.Client;
  readonly #o: PgNotifierOptions;
  /** Messages not sent yet, by key, in the order their keys first waited. */
  readonly #waiting = new Map<string, string>();
  #draining: Promise<void> | null = null;
  #closed = false;

  constructor(client: pg.Client, options: PgNotifierOptions) {
    this.#client = client;
    this.#o = options;
  }

  /** Sends `payload` for `key` after what is already waiting (merged into the key's waiting message, if any). */
  notify(key: string, payload: string): void {
    if (this.#closed) return;
    const waiting = this.#waiting.get(key);
    this.#waiting.set(key, waiting === undefined ? payload : (this.#o.merge?.(waiting, payload) ?? payload));
    this.#draining ??= this.#drain();
  }

  /** How many keys have a message waiting (for tests). */
  get waiting(): number {
    return this.#waiting.size;
  }

  /** Sends what waits, then takes no more: resolves once the last NOTIFY has been answered. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#draining;
  }

  async #drain(): Promise<void> {
    try {
      for (let next = first(this.#waiting); next !== undefined; next = first(this.#waiting)) {
        const [key, payload] = next;
        this.#waiting.delete(key);
        try {
          await this.#client.query('SELECT pg_notify($1, $2)', [this.#o.channel, payload]);
        } catch (err) {
          this.#o.onError(err);
        }
      }
    } finally {
      this.#draining = null;
    }
  }
}

function first(map: ReadonlyMap<string, string>): [string, string] | undefined {
  for (const entry of map) return entry;
  return undefined;
}
