// Fan-out across hub processes that share one PostgreSQL: every commit NOTIFYs `pilothouse_events`
// with `<channel id>:<seq>`; every hub LISTENs and, per channel with local subscribers, reads the
// log from the last seq it published and publishes in seq order. Local commits take the same path,
// so events of several hubs reach each subscriber in one order, with no gap.

import pg from 'pg';
import type { Logger } from 'pino';
import { admit, type ChannelEvent } from '@pilothouse/protocol';
import type { Store } from '../store/store.js';
import type { Fanout } from './fanout.js';
import { PgNotifier } from './pg-notifier.js';

const CHANNEL = 'pilothouse_events';
const PAGE = 500;

interface Cursor {
  lastPublished: number;
  running: boolean;
  again: boolean;
}

export class PgFeed {
  private readonly cursors = new Map<string, Cursor>();
  private listener: pg.Client | null = null;
  private notifierClient: pg.Client | null = null;
  /** One NOTIFY at a time; per channel only the highest seq waits (a hub reads the log up to it). */
  private notifier: PgNotifier | null = null;

  constructor(
    private readonly deps: { url: string; store: Store; fanout: Fanout; logger: Logger },
  ) {}

  async start(): Promise<void> {
    this.listener = new pg.Client({ connectionString: this.deps.url });
    const notifierClient = (this.notifierClient = new pg.Client({ connectionString: this.deps.url }));
    await Promise.all([this.listener.connect(), notifierClient.connect()]);
    this.notifier = new PgNotifier(notifierClient, {
      channel: CHANNEL,
      onError: (err) => this.deps.logger.error({ err }, 'postgres notify failed'),
      merge: (waiting, next) => (seqOf(next) > seqOf(waiting) ? next : waiting),
    });
    this.listener.on('notification', (msg) => {
      const [channelId, seq] = (msg.payload ?? '').split(':');
      if (channelId && seq) this.poke(channelId, Number(seq));
    });
    this.listener.on('error', (err) => this.deps.logger.error({ err }, 'postgres listener failed'));
    await this.listener.query(`LISTEN ${CHANNEL}`);
  }

  /** Called for each locally committed event: tell every hub (this one included, via LISTEN). */
  committed(channelId: string, event: ChannelEvent): void {
    this.poke(channelId, event.payload.seq);
    this.notifier?.notify(channelId, `${channelId}:${event.payload.seq}`);
  }

  private poke(channelId: string, seq: number): void {
    let cursor = this.cursors.get(channelId);
    if (!cursor) {
      cursor = { lastPublished: seq - 1, running: false, again: false };
      this.cursors.set(channelId, cursor);
    }
    if (admit(cursor.lastPublished, seq).type === 'repeat') return;
    if (cursor.running) {
      cursor.again = true;
      return;
    }
    cursor.running = true;
    void this.catchUp(channelId, cursor);
  }

  private async catchUp(channelId: string, cursor: Cursor): Promise<void> {
    try {
      do {
        cursor.again = false;
        for (;;) {
          const events = await this.deps.store.eventsSince(channelId, cursor.lastPublished, PAGE);
          for (const event of events) {
            this.deps.fanout.publish(channelId, event);
            cursor.lastPublished = event.payload.seq;
          }
          if (events.length < PAGE) break;
        }
      } while (cursor.again);
    } catch (err) {
      this.deps.logger.error({ err, channelId }, 'could not read the channel log for fan-out');
    } finally {
      cursor.running = false;
    }
  }

  async close(): Promise<void> {
    // The last commits' NOTIFYs go out first: the other hubs' subscribers see them now, not at the next commit.
    await this.notifier?.close();
    await Promise.allSettled([this.listener?.end(), this.notifierClient?.end()]);
  }
}

const seqOf = (payload: string): number => Number(payload.slice(payload.lastIndexOf(':') + 1));
