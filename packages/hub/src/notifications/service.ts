// One hub's notifications, assembled: the follow-up that writes them with their events, the
// delivery worker, the hub's VAPID keys (generated once, kept in the database), and the routes.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { PROMPT_KINDS } from '@pilothouse/protocol';
import type { Store } from '../store/store.js';
import type { Principal } from '../socket/types.js';
import { notificationFollow } from './derive.js';
import { registerNotificationRoutes } from './routes.js';
import { DeliveryWorker, type Media, type RetrySchedule } from './worker.js';
import { createWebhookSender, validateWebhookUrl } from './senders/webhook.js';
import { createEmailSender, describeSmtp, parseSmtpUrl } from './senders/email.js';
import { checkPushSubscription, generateVapidKeys, pushPayload, sendPush, type VapidKeys } from './senders/push.js';

export interface NotificationConfig {
  /** Web Push on (default) or off. */
  push?: boolean;
  /** The VAPID `sub` claim push services may write to: `mailto:` or `https:`; default from the public URL. */
  vapidSubject?: string;
  /** The SMTP server email goes through (`smtp://user:pass@host:587?from=…`); none: no email. */
  smtpUrl?: string;
  /** Replaces a medium (tests); null turns it off. */
  media?: Partial<Media>;
  /** How often the worker looks for due deliveries (retries, reminders); default 1 s. */
  pollMs?: number;
  /** Attempts before a delivery is `failed`, and the first retry's delay (doubling after); default 8 and 5 s. Tests shorten it. */
  retry?: RetrySchedule;
}

/** The hub's VAPID key pair: made on first start and kept (browsers' subscriptions are bound to the public key). */
export async function vapidKeys(store: Store): Promise<VapidKeys> {
  const row = await store.db.selectFrom('hub_settings').select('value').where('key', '=', 'vapid').executeTakeFirst();
  if (row) return JSON.parse(row.value) as VapidKeys;
  const keys = generateVapidKeys();
  await store.db.insertInto('hub_settings').values({ key: 'vapid', value: JSON.stringify(keys) }).onConflict((oc) => oc.column('key').doNothing()).execute();
  // Another hub on the same database may have won the race: theirs is the one kept.
  const kept = await store.db.selectFrom('hub_settings').select('value').where('key', '=', 'vapid').executeTakeFirstOrThrow();
  return JSON.parse(kept.value) as VapidKeys;
}

export interface NotificationService {
  readonly worker: DeliveryWorker;
  readonly vapid: VapidKeys;
  routes(app: FastifyInstance): void;
  start(): void;
  close(): Promise<void>;
}

export async function createNotifications(deps: {
  store: Store;
  logger: Logger;
  config: NotificationConfig;
  publicUrl: () => string;
  authenticate: (req: FastifyRequest['raw']) => Promise<Principal>;
  /** The hub's own origins (public URL, listen address): webhooks never call them. */
  hubOrigins: () => readonly string[];
}): Promise<NotificationService> {
  const { store, logger } = deps;
  const vapid = await vapidKeys(store);
  const subject = () => deps.config.vapidSubject ?? (deps.publicUrl().startsWith('https://') ? new URL(deps.publicUrl()).origin : 'mailto:pilothouse@localhost');
  const push: Media['push'] = (sub, content) =>
    sendPush(sub, pushPayload(content), { vapid: { ...vapid, subject: subject() }, topic: content.tag, urgency: PROMPT_KINDS.has(content.kind) ? 'high' : 'normal' });
  // Made at first use: the hub's origins are known once it listens.
  let webhookSend: ReturnType<typeof createWebhookSender> | null = null;
  const webhook: Media['webhook'] = (hook, content, deliveryId) => (webhookSend ??= createWebhookSender({ hubOrigins: deps.hubOrigins() }))(hook, content, deliveryId);
  const smtp = deps.config.smtpUrl ? parseSmtpUrl(deps.config.smtpUrl) : null;
  const mailer = smtp === null ? null : createEmailSender(smtp);
  if (smtp !== null) logger.info({ event: 'smtp_configured', smtp: describeSmtp(smtp) }, 'email notifications go through the SMTP server');
  const media: Media = { push: deps.config.push === false ? null : push, email: mailer === null ? null : (to, content) => mailer.send(to, content, deps.publicUrl()), webhook, ...deps.config.media };
  const worker = new DeliveryWorker({ store, logger, media, publicUrl: deps.publicUrl, ...(deps.config.pollMs !== undefined ? { pollMs: deps.config.pollMs } : {}), ...(deps.config.retry !== undefined ? { retry: deps.config.retry } : {}) });
  store.onFollow(
    notificationFollow((err) => logger.error({ err, event: 'notifications_not_written' }, 'could not write the notifications of an event')),
    () => worker.poke(),
  );
  return {
    worker,
    vapid,
    routes(app) {
      registerNotificationRoutes(app, {
        store,
        authenticate: deps.authenticate,
        vapidPublicKey: () => (media.push === null ? null : vapid.publicKey),
        checkPushSubscription,
        validateWebhookUrl: (url) => validateWebhookUrl(url, { hubOrigins: deps.hubOrigins() }),
        poke: () => worker.poke(),
      });
    },
    start: () => worker.start(),
    async close() {
      await worker.close();
      mailer?.close();
    },
  };
}
