// The delivery worker: takes due deliveries from the database (a lease, so a hub that dies
// mid-send hands them to the next one after the lease), sends each through its medium, and
// records what came of it: sent; retried with backoff (or when the far end said); failed for
// good after `retry.maxAttempts` (default 8) or a permanent refusal (admins see these); a push subscription that
// answered 404/410 is removed. Prompts already settled are skipped, never sent late.
// Everything it needs to resume is in the deliveries table: a restarted hub picks up where the
// dead one stopped (nothing lost; a send cut off mid-flight may be repeated once, under the same
// delivery id, which webhook receivers dedupe on).

import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { AlertMedium } from '@pilothouse/protocol';
import type { Store } from '../store/store.js';
import type { DeliveriesTable } from '../store/schema.js';
import { mintCodes, promptStillOpen } from './decision-codes.js';
import type { Attempt, NotificationContent, StoredContent } from './delivery.js';
import { planSends, type Send } from './digest.js';
import { readPrefs } from './routing.js';

/** The media the worker sends through; a medium the hub is not configured for is null (its deliveries fail with a clear code). */
export interface Media {
  push: ((sub: { endpoint: string; p256dh: string; auth: string }, content: NotificationContent) => Promise<Attempt>) | null;
  email: ((to: string, content: NotificationContent) => Promise<Attempt>) | null;
  webhook: ((hook: { id: string; url: string; secret: string; format: 'json' | 'slack'; allowPrivate: boolean }, content: NotificationContent, deliveryId: string) => Promise<Attempt>) | null;
}

export interface WorkerOptions {
  store: Store;
  logger: Logger;
  media: Media;
  /** The hub's public origin (links in alerts). */
  publicUrl: () => string;
  now?: () => number;
  /** How often due deliveries are looked for besides wake-ups (retries, reminders, other hubs' writes). */
  pollMs?: number;
  /** Deliveries taken per round. */
  batch?: number;
  /** Sends in flight at once. */
  concurrency?: number;
  /** How long a taken delivery is this hub's before another may take it (a hub that died). */
  leaseMs?: number;
  /** How often and how soon to try again (default DEFAULT_RETRY). */
  retry?: RetrySchedule;
}

/** Attempts before a delivery that keeps failing is `failed`, and the delay before the second (doubling after). */
export interface RetrySchedule {
  readonly maxAttempts: number;
  readonly firstDelayMs: number;
}

const DEFAULT_RETRY: RetrySchedule = { maxAttempts: 8, firstDelayMs: 5_000 };

/** Delay before attempt `attempts + 1`: 5 s, 10 s, 20 s … capped at 30 min, with ±20 % jitter. */
export function backoffMs(attempts: number, random = Math.random, firstDelayMs = DEFAULT_RETRY.firstDelayMs): number {
  const base = Math.min(firstDelayMs * 2 ** Math.max(0, attempts - 1), 30 * 60_000);
  return Math.round(base * (0.8 + 0.4 * random()));
}

type Row = DeliveriesTable & { parsed: StoredContent };

export interface WorkerStats {
  sent: number;
  retried: number;
  failed: number;
  skipped: number;
  rounds: number;
}

export class DeliveryWorker {
  private readonly now: () => number;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private closed = false;
  readonly stats: WorkerStats = { sent: 0, retried: 0, failed: 0, skipped: 0, rounds: 0 };

  constructor(private readonly o: WorkerOptions) {
    this.now = o.now ?? Date.now;
  }

  start(): void {
    this.timer = setInterval(() => this.poke(), this.o.pollMs ?? 1000);
    this.timer.unref();
    this.poke();
  }

  /** Look for due deliveries now (coalesced: one round at a time, one more if poked meanwhile). */
  poke(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.rounds().finally(() => {
      this.running = null;
    });
  }

  /** Resolves once the rounds in progress (and any poked meanwhile) are done. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.idle();
  }

  private async rounds(): Promise<void> {
    do {
      this.again = false;
      try {
        const taken = await this.round();
        if (taken === (this.o.batch ?? 100)) this.again = true;
      } catch (err) {
        this.o.logger.error({ err, event: 'delivery_round_failed' }, 'delivery round failed');
      }
    } while (this.again && !this.closed);
  }

  /** Takes due deliveries (and ones whose lease ran out) for this hub. */
  private async take(): Promise<Row[]> {
    const { store } = this.o;
    const now = new Date(this.now()).toISOString();
    const lease = new Date(this.now() + (this.o.leaseMs ?? 120_000)).toISOString();
    const limit = this.o.batch ?? 100;
    const lock = store.dialect === 'postgres' ? sql`for update skip locked` : sql``;
    const rows = await sql<DeliveriesTable>`
      update deliveries set status = 'sending', lease_until = ${lease}, attempts = attempts + 1
      where id in (
        select id from deliveries
        where (status = 'pending' and next_at <= ${now}) or (status = 'sending' and lease_until < ${now})
        order by next_at limit ${limit} ${lock}
      )
      returning *`.execute(store.db);
    return rows.rows.map((r) => ({ ...r, attempts: Number(r.attempts), parsed: JSON.parse(r.content) as StoredContent }));
  }

  private async round(): Promise<number> {
    const rows = await this.take();
    this.stats.rounds += 1;
    if (rows.length === 0) return 0;
    const digestUsers = new Map<string, boolean>();
    for (const userId of new Set(rows.map((r) => r.user_id).filter((u): u is string => u !== null))) {
      const p = await this.o.store.db.selectFrom('notification_prefs').select('prefs').where('user_id', '=', userId).executeTakeFirst();
      digestUsers.set(userId, readPrefs(p?.prefs).digest);
    }
    const sends = planSends(rows, (r) => r.user_id !== null && digestUsers.get(r.user_id) === true);
    const limit = this.o.concurrency ?? 16;
    let next = 0;
    const lanes = Array.from({ length: Math.min(limit, sends.length) }, async () => {
      while (next < sends.length) await this.deliver(sends[next++]!);
    });
    await Promise.all(lanes);
    return rows.length;
  }

  private async deliver(send: Send<Row>): Promise<void> {
    const first = send.rows[0]!;
    let attempt: Attempt;
    try {
      attempt = await this.attempt(first, send.content);
    } catch (err) {
      this.o.logger.error({ err, delivery_id: first.id, event: 'delivery_crashed' }, 'a delivery attempt crashed');
      attempt = { outcome: 'retry', code: 'internal', message: 'The hub failed while sending; it will try again.' };
    }
    for (const row of send.rows) await this.record(row, attempt);
  }

  /** One send; `skipped` (a settled prompt) is told as a failed attempt with code prompt_settled. */
  private async attempt(row: Row, stored: StoredContent): Promise<Attempt> {
    const { store, media } = this.o;
    if (stored.prompt !== null && !(await promptStillOpen(store, row.channel_id, stored.prompt))) {
      return { outcome: 'failed', code: 'prompt_settled', message: 'The prompt was settled before this was sent.' };
    }
    const content = await this.render(row, stored);
    switch (row.medium) {
      case 'push': {
        if (media.push === null) return { outcome: 'failed', code: 'push_not_configured', message: 'This hub sends no push notifications.' };
        const sub = await store.db.selectFrom('push_subscriptions').select(['endpoint', 'p256dh', 'auth']).where('id', '=', row.target).executeTakeFirst();
        if (!sub) return { outcome: 'gone', code: 'push_subscription_gone', message: 'The browser unsubscribed.' };
        return media.push(sub, content);
      }
      case 'email':
        if (media.email === null) return { outcome: 'failed', code: 'email_not_configured', message: 'This hub has no SMTP server configured (--smtp-url).' };
        return media.email(row.target, content);
      case 'webhook': {
        if (media.webhook === null) return { outcome: 'failed', code: 'webhook_not_configured', message: 'This hub sends no webhooks.' };
        const hook = await store.db.selectFrom('webhooks').selectAll().where('id', '=', row.target).executeTakeFirst();
        if (!hook) return { outcome: 'gone', code: 'webhook_removed', message: 'The webhook was removed.' };
        return media.webhook({ id: hook.id, url: hook.url, secret: hook.secret, format: hook.format === 'slack' ? 'slack' : 'json', allowPrivate: hook.allow_private === 1 }, content, row.id);
      }
      default:
        return { outcome: 'failed', code: 'unknown_medium', message: `No medium ${row.medium}.` };
    }
  }

  /** The content as sent: the hub's URL, and fresh decision codes for a person's prompt. */
  private async render(row: Row, stored: StoredContent): Promise<NotificationContent> {
    const { path, prompt, actions, ...rest } = stored;
    const url = new URL(path, this.o.publicUrl()).toString();
    const medium: AlertMedium | null = row.medium === 'push' ? 'push' : row.medium === 'email' ? 'email' : null;
    if (prompt === null || medium === null || row.user_id === null || actions.length === 0) return { ...rest, url, actions: [] };
    const codes = await mintCodes(this.o.store, { userId: row.user_id, channelId: row.channel_id, threadId: stored.thread_id, target: prompt, medium }, actions.map((a) => a.id), new Date(this.now()));
    return { ...rest, url, actions: actions.map((a) => ({ ...a, code: codes[a.id]! })) };
  }

  private async record(row: Row, attempt: Attempt): Promise<void> {
    const { store, logger } = this.o;
    const now = new Date(this.now()).toISOString();
    const base = store.db.updateTable('deliveries').where('id', '=', row.id);
    switch (attempt.outcome) {
      case 'sent':
        this.stats.sent += 1;
        await base.set({ status: 'sent', sent_at: now, lease_until: null, last_code: null, last_error: null }).execute();
        if (row.medium === 'push') await store.db.updateTable('push_subscriptions').set({ last_sent_at: now }).where('id', '=', row.target).execute();
        return;
      case 'retry': {
        const retry = this.o.retry ?? DEFAULT_RETRY;
        if (row.attempts >= retry.maxAttempts) {
          this.stats.failed += 1;
          logger.warn({ event: 'delivery_failed', delivery_id: row.id, medium: row.medium, code: attempt.code, attempts: row.attempts }, attempt.message);
          await base.set({ status: 'failed', lease_until: null, last_code: attempt.code, last_error: `gave up after ${row.attempts} attempts: ${attempt.message}` }).execute();
          return;
        }
        this.stats.retried += 1;
        const wait = Math.max(attempt.retryAfterMs ?? 0, backoffMs(row.attempts, Math.random, retry.firstDelayMs));
        await base.set({ status: 'pending', next_at: new Date(this.now() + wait).toISOString(), lease_until: null, last_code: attempt.code, last_error: attempt.message }).execute();
        return;
      }
      case 'failed':
        // A subscription that can never work is as good as gone.
        if (attempt.code === 'push_subscription_invalid') return this.record(row, { ...attempt, outcome: 'gone' });
        if (attempt.code === 'prompt_settled') {
          this.stats.skipped += 1;
          await base.set({ status: 'skipped', lease_until: null, last_code: attempt.code, last_error: attempt.message }).execute();
          return;
        }
        this.stats.failed += 1;
        logger.warn({ event: 'delivery_failed', delivery_id: row.id, medium: row.medium, code: attempt.code }, attempt.message);
        await base.set({ status: 'failed', lease_until: null, last_code: attempt.code, last_error: attempt.message }).execute();
        return;
      case 'gone':
        this.stats.failed += 1;
        await base.set({ status: 'failed', lease_until: null, last_code: attempt.code, last_error: attempt.message }).execute();
        if (row.medium === 'push') {
          // A dead subscription: forget it, and what still waited for it.
          await store.db.updateTable('deliveries').set({ status: 'skipped', last_code: attempt.code, last_error: attempt.message }).where('medium', '=', 'push').where('target', '=', row.target).where('status', '=', 'pending').execute();
          await store.db.deleteFrom('push_subscriptions').where('id', '=', row.target).execute();
          logger.info({ event: 'push_subscription_removed', subscription_id: row.target, code: attempt.code }, 'removed a dead push subscription');
        }
        return;
    }
  }
}
