// The HTTP surface of notifications: a person's centre (list, unread count, mark read), their
// preferences, their browsers' push subscriptions, deciding with a code (the emailed link's
// confirmation page never changes anything on GET), and for admins the channel webhooks and the
// deliveries that failed, which they may send again.

import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  DecideInput,
  MarkRead,
  NotificationKind,
  NotificationPrefs,
  PilothouseError,
  PushSubscriptionInput,
  threadPath,
  WebhookInput,
  type NotificationItem,
} from '@pilothouse/protocol';
import type { Store } from '../store/store.js';
import type { Principal } from '../socket/types.js';
import { isCrossOrigin } from '../auth/authenticate.js';
import { httpStatus } from '../http/errors.js';
import { previewCode, redeemCode } from './decision-codes.js';
import { readPrefs } from './routing.js';
import { confirmPage, DECIDE_PAGE_CSP, resultPage } from './decide-page.js';

export interface NotificationRouteDeps {
  store: Store;
  authenticate: (req: FastifyRequest['raw']) => Promise<Principal>;
  /** The VAPID public key browsers subscribe with; null when push is off. */
  vapidPublicKey: () => string | null;
  /** Why a subscription can never work (bad keys, a non-https endpoint), or null. */
  checkPushSubscription: (target: { endpoint: string; p256dh: string; auth: string }) => string | null;
  /** A URL must not point at the hub itself or, unless allowed, a private address (the webhook sender's check). */
  validateWebhookUrl: (url: string) => string | null;
  /** Wakes the delivery worker (a decision may settle what it holds). */
  poke: () => void;
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new PilothouseError('invalid_payload', r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  return r.data;
}

const ListQuery = z.object({ before: z.string().max(40).optional(), limit: z.coerce.number().int().min(1).max(200).default(50) });
const DeliveryQuery = z.object({ status: z.enum(['failed', 'pending', 'sent', 'skipped']).default('failed'), limit: z.coerce.number().int().min(1).max(500).default(100) });
const DeliveryParams = z.object({ id: z.string().min(1).max(100) });
const ChannelParams = z.object({ ws: z.string().min(1).max(100), ch: z.string().min(1).max(100) });

/** The most push subscriptions one person keeps (browsers and devices); the oldest goes first. */
export const MAX_SUBSCRIPTIONS_PER_USER = 20;
/** Webhooks per channel. */
export const MAX_WEBHOOKS_PER_CHANNEL = 10;

export function registerNotificationRoutes(app: FastifyInstance, deps: NotificationRouteDeps): void {
  const { store } = deps;
  /** A signed-in person acting in the page: a cross-site form must not act for them. */
  const person = async (req: FastifyRequest) => {
    if (req.method !== 'GET' && isCrossOrigin(req.raw)) throw new PilothouseError('forbidden', 'Cross-origin requests are refused.');
    return deps.authenticate(req.raw);
  };
  const admin = async (req: FastifyRequest) => {
    const who = await person(req);
    if (!who.admin) throw new PilothouseError('forbidden', 'Only admins manage webhooks and read deliveries.');
    return who;
  };

  app.get('/api/notifications', async (req): Promise<{ items: NotificationItem[]; unread: number; next_before: string | null }> => {
    const who = await person(req);
    const q = parse(ListQuery, req.query);
    const now = new Date().toISOString();
    let query = store.db
      .selectFrom('notifications')
      .innerJoin('channels', 'channels.id', 'notifications.channel_id')
      .innerJoin('workspaces', 'workspaces.id', 'channels.workspace_id')
      .select(['notifications.id', 'kind', 'title', 'body', 'thread_id', 'message_id', 'data', 'notifications.created_at', 'visible_at', 'read_at', 'resolved_at', 'workspaces.name as ws', 'channels.name as ch'])
      .where('user_id', '=', who.userId)
      .where('in_page', '=', 1)
      .where('visible_at', '<=', now)
      .orderBy('visible_at', 'desc')
      .limit(q.limit + 1);
    if (q.before !== undefined) query = query.where('visible_at', '<', q.before);
    const rows = await query.execute();
    const unread = await store.db
      .selectFrom('notifications')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', who.userId)
      .where('in_page', '=', 1)
      .where('visible_at', '<=', now)
      .where('read_at', 'is', null)
      .executeTakeFirstOrThrow();
    const page = rows.slice(0, q.limit);
    return {
      items: page.map((r) => {
        const channel = `${r.ws}/${r.ch}`;
        const data = JSON.parse(r.data) as { request_id?: string | null };
        return {
          id: r.id,
          kind: NotificationKind.parse(r.kind),
          title: r.title,
          body: r.body,
          channel,
          thread_id: r.thread_id,
          message_id: r.message_id,
          request_id: data.request_id ?? null,
          path: threadPath(channel, r.thread_id),
          created_at: r.visible_at,
          read: r.read_at !== null,
          resolved: r.resolved_at !== null,
        };
      }),
      unread: Number(unread.n),
      next_before: rows.length > q.limit ? page.at(-1)!.visible_at : null,
    };
  });

  app.post('/api/notifications/read', async (req) => {
    const who = await person(req);
    const body = parse(MarkRead, req.body);
    let q = store.db.updateTable('notifications').set({ read_at: new Date().toISOString() }).where('user_id', '=', who.userId).where('read_at', 'is', null);
    if ('ids' in body) q = q.where('id', 'in', body.ids);
    const r = await q.executeTakeFirst();
    return { marked: Number(r.numUpdatedRows) };
  });

  app.get('/api/notifications/prefs', async (req) => {
    const who = await person(req);
    const row = await store.db.selectFrom('notification_prefs').select('prefs').where('user_id', '=', who.userId).executeTakeFirst();
    return { prefs: readPrefs(row?.prefs), push: { public_key: deps.vapidPublicKey() } };
  });

  app.put('/api/notifications/prefs', async (req) => {
    const who = await person(req);
    const prefs = parse(NotificationPrefs, req.body);
    const value = { user_id: who.userId, prefs: JSON.stringify(prefs), updated_at: new Date().toISOString() };
    await store.db
      .insertInto('notification_prefs')
      .values(value)
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ prefs: value.prefs, updated_at: value.updated_at }))
      .execute();
    return { prefs };
  });

  app.post('/api/push/subscriptions', async (req) => {
    const who = await person(req);
    if (deps.vapidPublicKey() === null) throw new PilothouseError('push_not_configured');
    const sub = parse(PushSubscriptionInput, req.body);
    const bad = deps.checkPushSubscription({ endpoint: sub.endpoint, p256dh: sub.keys.p256dh, auth: sub.keys.auth });
    if (bad !== null) throw new PilothouseError('invalid_payload', bad);
    const now = new Date().toISOString();
    const existing = await store.db.selectFrom('push_subscriptions').select(['id', 'user_id']).where('endpoint', '=', sub.endpoint).executeTakeFirst();
    // One browser, one subscription: a browser that signs in as someone else now alerts that person only.
    if (existing) await store.db.deleteFrom('push_subscriptions').where('id', '=', existing.id).execute();
    const id = randomUUID();
    await store.db
      .insertInto('push_subscriptions')
      .values({ id, user_id: who.userId, endpoint: sub.endpoint, p256dh: sub.keys.p256dh, auth: sub.keys.auth, user_agent: (req.headers['user-agent'] ?? '').slice(0, 300) || null, created_at: now, last_sent_at: null })
      .execute();
    const mine = await store.db.selectFrom('push_subscriptions').select('id').where('user_id', '=', who.userId).orderBy('created_at', 'desc').execute();
    const over = mine.slice(MAX_SUBSCRIPTIONS_PER_USER).map((r) => r.id);
    if (over.length > 0) await store.db.deleteFrom('push_subscriptions').where('id', 'in', over).execute();
    return { id };
  });

  app.delete('/api/push/subscriptions', async (req) => {
    const who = await person(req);
    const { endpoint } = parse(z.object({ endpoint: z.string().max(2048) }).strict(), req.body);
    const r = await store.db.deleteFrom('push_subscriptions').where('user_id', '=', who.userId).where('endpoint', '=', endpoint).executeTakeFirst();
    return { removed: Number(r.numDeletedRows) };
  });

  // Deciding with a code: the code is the credential (one prompt, one choice, one person, once).
  app.post('/api/decide', async (req) => {
    const { code } = parse(DecideInput, req.body);
    const result = await redeemCode(store, code);
    deps.poke();
    return result;
  });

  // An emailed link: a page that says what the code would do, and a button that does it (a GET
  // changes nothing: mail scanners and link previews open links).
  app.get('/decide/:code', async (req, reply) => {
    const { code } = req.params as { code: string };
    void reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').header('content-security-policy', DECIDE_PAGE_CSP);
    try {
      const preview = await previewCode(store, parse(DecideInput, { code }).code);
      return confirmPage(code, preview);
    } catch (err) {
      const e = err instanceof PilothouseError ? err : new PilothouseError('internal');
      // The same status the JSON route gives (a used link is 409, an expired one 410…).
      void reply.status(httpStatus[e.code]);
      return resultPage({ ok: false, code: e.code, message: e.message });
    }
  });

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 1024 }, (_req, _body, done) => done(null, {}));
  app.post('/decide/:code', async (req, reply) => {
    const { code } = req.params as { code: string };
    void reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').header('content-security-policy', DECIDE_PAGE_CSP);
    try {
      const result = await redeemCode(store, parse(DecideInput, { code }).code);
      deps.poke();
      return resultPage({ ok: true, choice: result.label });
    } catch (err) {
      const e = err instanceof PilothouseError ? err : new PilothouseError('internal');
      // The same status the JSON route gives (a used link is 409, an expired one 410…).
      void reply.status(httpStatus[e.code]);
      return resultPage({ ok: false, code: e.code, message: e.message });
    }
  });

  // Admins: channel webhooks and deliveries that did not go through.
  const channelOf = async (params: unknown) => {
    const p = parse(ChannelParams, params);
    const channel = await store.channelByRef({ workspace: p.ws, channel: p.ch });
    if (!channel) throw new PilothouseError('channel_not_found', `No channel ${p.ws}/${p.ch}.`);
    return channel;
  };

  app.get('/api/channels/:ws/:ch/webhooks', async (req) => {
    await admin(req);
    const channel = await channelOf(req.params);
    const hooks = await store.db.selectFrom('webhooks').select(['id', 'url', 'format', 'kinds', 'allow_private', 'created_at']).where('channel_id', '=', channel.id).execute();
    return { webhooks: hooks.map((h) => ({ ...h, kinds: JSON.parse(h.kinds) as string[], allow_private: h.allow_private === 1 })) };
  });

  app.post('/api/channels/:ws/:ch/webhooks', async (req) => {
    const who = await admin(req);
    const channel = await channelOf(req.params);
    const input = parse(WebhookInput, req.body);
    const refused = deps.validateWebhookUrl(input.url);
    if (refused !== null) throw new PilothouseError('webhook_url_refused', refused);
    const count = await store.db.selectFrom('webhooks').select((eb) => eb.fn.countAll<number>().as('n')).where('channel_id', '=', channel.id).executeTakeFirstOrThrow();
    if (Number(count.n) >= MAX_WEBHOOKS_PER_CHANNEL) throw new PilothouseError('bad_request', `A channel has at most ${MAX_WEBHOOKS_PER_CHANNEL} webhooks; remove one first.`);
    const id = randomUUID();
    const secret = `whsec_${randomBytes(24).toString('base64url')}`;
    await store.db
      .insertInto('webhooks')
      .values({ id, channel_id: channel.id, url: input.url, secret, format: input.format, kinds: JSON.stringify(input.kinds), allow_private: input.allow_private ? 1 : 0, created_by: who.userId, created_at: new Date().toISOString() })
      .execute();
    await store.audit({ actor: { id: who.userId, name: who.name }, action: 'webhook_added', channel: `${channel.workspace}/${channel.name}`, detail: { id, url: input.url, kinds: input.kinds } });
    // The secret is shown once: receivers verify Pilothouse-Signature with it.
    return { id, secret };
  });

  app.delete('/api/channels/:ws/:ch/webhooks/:id', async (req) => {
    const who = await admin(req);
    const channel = await channelOf(req.params);
    const { id } = req.params as { id: string };
    const r = await store.db.deleteFrom('webhooks').where('channel_id', '=', channel.id).where('id', '=', id).executeTakeFirst();
    if (Number(r.numDeletedRows) === 0) throw new PilothouseError('not_found', `No webhook ${id} on ${channel.workspace}/${channel.name}.`);
    await store.audit({ actor: { id: who.userId, name: who.name }, action: 'webhook_removed', channel: `${channel.workspace}/${channel.name}`, detail: { id } });
    return { removed: true };
  });

  app.get('/api/admin/deliveries', async (req) => {
    await admin(req);
    const q = parse(DeliveryQuery, req.query);
    const rows = await store.db.selectFrom('deliveries').select(DELIVERY_COLUMNS).where('status', '=', q.status).orderBy('created_at', 'desc').limit(q.limit).execute();
    return { deliveries: rows.map(deliveryView) };
  });

  // An admin's "try again": a failed delivery goes back to pending, due now, with a fresh set of
  // attempts (the far end was fixed; a full schedule, not one last try). Only a failed one: a
  // pending or sending one is already on its way, a sent one must not be sent twice.
  app.post('/api/admin/deliveries/:id/retry', async (req) => {
    const who = await admin(req);
    const { id } = parse(DeliveryParams, req.params);
    const before = await store.db.selectFrom('deliveries').select([...DELIVERY_COLUMNS, 'channel_id']).where('id', '=', id).executeTakeFirst();
    if (!before) throw new PilothouseError('delivery_not_found', `No delivery ${id}.`);
    const now = new Date().toISOString();
    // The status in the WHERE: a concurrent retry (or worker) cannot make it pending twice.
    const r = await store.db
      .updateTable('deliveries')
      .set({ status: 'pending', next_at: now, attempts: 0, lease_until: null, last_code: null, last_error: null })
      .where('id', '=', id)
      .where('status', '=', 'failed')
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) throw new PilothouseError('delivery_not_failed', `The delivery is ${before.status}; only a failed delivery can be retried.`);
    const view = deliveryView(before);
    const channel = await store.db
      .selectFrom('channels')
      .innerJoin('workspaces', 'workspaces.id', 'channels.workspace_id')
      .select(['workspaces.name as ws', 'channels.name as ch'])
      .where('channels.id', '=', before.channel_id)
      .executeTakeFirst();
    await store.audit({
      actor: { id: who.userId, name: who.name },
      action: 'delivery_retried',
      channel: channel ? `${channel.ws}/${channel.ch}` : null,
      // `last_code`, not `code`: the audit log reads a detail `code` as a refusal.
      detail: { id, medium: view.medium, target: view.target, attempts: view.attempts, last_code: view.last_code },
    });
    deps.poke();
    return { delivery: { ...view, status: 'pending', attempts: 0, next_at: now, last_code: null, last_error: null } };
  });
}

const DELIVERY_COLUMNS = ['id', 'medium', 'target', 'user_id', 'status', 'attempts', 'next_at', 'last_code', 'last_error', 'created_at', 'sent_at', 'content'] as const;

/** A delivery as admins read it: what it says (kind, title), to whom (an email address masked). */
function deliveryView({ content, target, ...r }: { content: string; target: string; medium: string; attempts: number; last_code: string | null } & Record<string, unknown>) {
  const c = JSON.parse(content) as { kind: string; title: string };
  // An email address is personal data; a subscription id or webhook id is not.
  return { ...r, attempts: Number(r.attempts), target: r.medium === 'email' ? target.replace(/^(.).*(@.*)$/, '$1…$2') : target, kind: c.kind, title: c.title };
}
