// Presence across hub processes that share one PostgreSQL: each hub NOTIFYs `pilothouse_presence`
// with its own sockets' view of a thread when it changes (and again every SHARE_EVERY_MS), and
// LISTENs for the other hubs' views, which PresenceTracker merges into what its sockets see.
// Views not refreshed within REMOTE_TTL_MS are dropped, so a hub that died takes its watchers along.

import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Logger } from 'pino';
import { z } from 'zod';
import { ThreadPresence } from '@pilothouse/protocol';
import { PgNotifier } from './pg-notifier.js';
import type { PresenceTracker } from './presence.js';

const CHANNEL = 'pilothouse_presence';
/** PostgreSQL refuses a NOTIFY payload of 8000 bytes or more. */
const MAX_PAYLOAD_BYTES = 7900;

const Shared = z.object({ h: z.string(), c: z.string(), v: ThreadPresence });

/** The payload for `view`, with the lists cut from the end until it fits a NOTIFY. */
export function sharedPayload(hubId: string, channelId: string, view: ThreadPresence): string {
  let v = view;
  for (;;) {
    const text = JSON.stringify({ h: hubId, c: channelId, v });
    if (Buffer.byteLength(text) < MAX_PAYLOAD_BYTES || (v.watching.length === 0 && v.typing.length === 0)) return text;
    v = { ...v, watching: v.watching.slice(0, Math.floor(v.watching.length * 0.8)), typing: v.typing.slice(0, Math.floor(v.typing.length * 0.8)) };
  }
}

export class PgPresence {
  readonly hubId = randomUUID();
  private client: pg.Client | null = null;
  /** One NOTIFY at a time; per thread only the newest view waits. */
  private notifier: PgNotifier | null = null;
  private tracker: PresenceTracker | null = null;

  constructor(private readonly deps: { url: string; logger: Logger }) {}

  async start(tracker: PresenceTracker): Promise<void> {
    this.tracker = tracker;
    this.client = new pg.Client({ connectionString: this.deps.url });
    await this.client.connect();
    this.client.on('notification', (msg) => this.received(msg.payload ?? ''));
    this.client.on('error', (err) => this.deps.logger.error({ err }, 'postgres presence listener failed'));
    await this.client.query(`LISTEN ${CHANNEL}`);
    this.notifier = new PgNotifier(this.client, { channel: CHANNEL, onError: (err) => this.deps.logger.warn({ err }, 'postgres presence notify failed') });
  }

  /** Tells the other hubs this hub's view of a thread (best effort: presence is a courtesy). */
  share(channelId: string, view: ThreadPresence): void {
    this.notifier?.notify(`${channelId}/${view.thread_id}`, sharedPayload(this.hubId, channelId, view));
  }

  private received(payload: string): void {
    let parsed: z.infer<typeof Shared>;
    try {
      parsed = Shared.parse(JSON.parse(payload));
    } catch (err) {
      this.deps.logger.warn({ err }, 'dropped a malformed presence notification');
      return;
    }
    if (parsed.h === this.hubId) return;
    this.tracker?.remoteView(parsed.h, parsed.c, parsed.v);
  }

  async close(): Promise<void> {
    await this.notifier?.close();
    await this.client?.end().catch(() => undefined);
  }
}
