// Notifications are written with the event that causes them: this runs inside the write's own
// transaction (store/write-queue.ts), so an acknowledged event and its notifications and
// deliveries are durable together, and a rolled-back write leaves none. It resolves a trigger's
// audience (triggers.ts) against the channel's members, each person's preferences (routing.ts)
// and push subscriptions, and queues one delivery per medium and target for the worker.

import { randomUUID } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import { mayDecide, PROMPT_KINDS, threadPath, type ChannelEvent, type NotificationKind } from '@pilothouse/protocol';
import type { Database } from '../store/schema.js';
import type { Follow } from '../store/write-queue.js';
import { readPrefs, quietUntil, routeFor } from './routing.js';
import { deriveTriggers, mayNotify, type EventContext, type Settle, type Trigger } from './triggers.js';
import type { StoredContent } from './delivery.js';

type Trx = Transaction<Database>;

interface Member {
  readonly user_id: string;
  readonly name: string;
}

/** Longest body of a message loaded as a trigger's context (titles and bodies are clipped far below). */
const CONTEXT_CHARS = 2000;

async function contextOf(trx: Trx, channelId: string, event: ChannelEvent): Promise<EventContext> {
  const messageId = event.type === 'state' || event.type === 'row_updated' ? event.payload.message_id : null;
  let message: EventContext['message'] = null;
  if (messageId !== null) {
    const row = await trx
      .selectFrom('messages')
      .innerJoin('users', 'users.id', 'messages.author_id')
      .select(['messages.id', 'messages.thread_id', 'messages.kind', 'messages.body', 'messages.runner_id', 'messages.author_id', 'users.name', 'messages.meta'])
      .where('messages.channel_id', '=', channelId)
      .where('messages.id', '=', messageId)
      .executeTakeFirst();
    if (row) {
      message = {
        id: row.id,
        thread_id: row.thread_id,
        kind: row.kind as NonNullable<EventContext['message']>['kind'],
        body: row.body.slice(0, CONTEXT_CHARS),
        runner_id: row.runner_id,
        author: { user_id: row.author_id, name: row.name },
        meta: row.meta === null ? null : (JSON.parse(row.meta) as Record<string, unknown>),
      };
    }
  }
  let running: EventContext['running'] = null;
  if (event.type === 'presence' && event.payload.runner.status === 'offline' && event.payload.runner.thread_id !== null) {
    // The instruction its session was running: a `processing` state (stored as JSON, `state` first).
    const row = await trx
      .selectFrom('messages')
      .select(['id', 'thread_id', 'body'])
      .where('channel_id', '=', channelId)
      .where('thread_id', '=', event.payload.runner.thread_id)
      .where('state', 'like', '{"state":"processing"%')
      .orderBy('seq', 'desc')
      .executeTakeFirst();
    if (row) running = { id: row.id, thread_id: row.thread_id, body: row.body.slice(0, CONTEXT_CHARS) };
  }
  let run = 0;
  if (event.type === 'state' && (event.payload.state.state === 'processed' || event.payload.state.state === 'failed')) {
    // State events are stored as JSON of the payload without its seq: the state object follows `"state":`.
    const started = await trx
      .selectFrom('events')
      .select('seq')
      .where('message_id', '=', event.payload.message_id)
      .where('type', '=', 'state')
      .where('channel_id', '=', channelId)
      .where('seq', '<', event.payload.seq)
      .where('data', 'like', '%"state":{"state":"processing"%')
      .orderBy('seq', 'desc')
      .executeTakeFirst();
    run = started?.seq ?? 0;
  }
  return { message, running, run };
}

async function settle(trx: Trx, s: Settle, at: string): Promise<void> {
  let q = trx
    .selectFrom('notifications')
    .select('id')
    .where('message_id', '=', s.messageId)
    .where('kind', 'in', [...PROMPT_KINDS])
    .where('resolved_at', 'is', null);
  if (s.openRequest !== null) q = q.where('key', 'not in', [`prompt:${s.openRequest}`, `expiring:${s.openRequest}`]);
  const ids = (await q.execute()).map((r) => r.id);
  if (ids.length === 0) return;
  await trx.updateTable('notifications').set({ resolved_at: at }).where('id', 'in', ids).execute();
  await trx
    .updateTable('deliveries')
    .set({ status: 'skipped', last_code: 'prompt_settled', last_error: 'The prompt was settled before this was sent.' })
    .where('notification_id', 'in', ids)
    .where('status', '=', 'pending')
    .execute();
}

/** The members a trigger is for, without the person whose action it is. */
async function audienceOf(trx: Trx, channelId: string, t: Trigger, members: readonly Member[], watchers: () => Promise<Set<string>>): Promise<Member[]> {
  let chosen: Member[];
  switch (t.audience.type) {
    case 'deciders': {
      const allowed = t.audience.allowed;
      chosen = members.filter((m) => mayDecide(allowed, m));
      break;
    }
    case 'steerers': {
      const runner = await trx
        .selectFrom('runners')
        .select('allowed')
        .where('channel_id', '=', channelId)
        .where('thread_id', '=', t.threadId)
        .orderBy('updated_at', 'desc')
        .executeTakeFirst();
      const allowed = runner ? (JSON.parse(runner.allowed) as string[]) : [];
      const also = t.audience.watchers ? await watchers() : new Set<string>();
      chosen = members.filter((m) => mayDecide(allowed, m) || also.has(m.user_id));
      break;
    }
    case 'named': {
      const names = new Set(t.audience.names);
      chosen = members.filter((m) => names.has(m.name.toLowerCase()));
      break;
    }
  }
  return chosen.filter((m) => m.user_id !== t.actorId);
}

function contentOf(t: Trigger, id: string, channel: string, createdAt: string): StoredContent {
  const prompt = t.prompt !== null && t.messageId !== null ? { prompt: t.prompt.prompt, request_id: t.prompt.request_id, message_id: t.messageId, expires_at: t.prompt.expires_at } : null;
  return {
    id,
    kind: t.kind,
    title: t.title,
    body: t.body,
    path: threadPath(channel, t.threadId),
    channel,
    thread_id: t.threadId,
    message_id: t.messageId,
    request_id: t.prompt?.request_id ?? null,
    tag: t.prompt !== null ? `prompt:${t.prompt.request_id}` : `${t.kind}:${id}`,
    actions: (t.prompt?.actions ?? []).map((a) => ({ id: a, label: a === 'approve' ? 'Approve' : 'Deny' })),
    prompt,
    created_at: createdAt,
  };
}

interface DeliveryRow {
  notification_id: string | null;
  user_id: string | null;
  medium: 'push' | 'email' | 'webhook';
  target: string;
  key: string;
  content: StoredContent;
  next_at: string;
}

async function queue(trx: Trx, channelId: string, rows: readonly DeliveryRow[], createdAt: string): Promise<number> {
  let n = 0;
  for (const r of rows) {
    const inserted = await trx
      .insertInto('deliveries')
      .values({ id: randomUUID(), notification_id: r.notification_id, user_id: r.user_id, channel_id: channelId, medium: r.medium, target: r.target, key: r.key,
        content: JSON.stringify(r.content), status: 'pending', attempts: 0, next_at: r.next_at, lease_until: null, last_code: null, last_error: null, created_at: createdAt, sent_at: null })
      .onConflict((oc) => oc.columns(['medium', 'target', 'key']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (inserted) n += 1;
  }
  return n;
}

/**
 * Writes the notifications and deliveries `event` causes (and settles the prompts it closes).
 * Returns how many deliveries it queued (the worker is woken when any were).
 */
export async function deriveNotifications(trx: Trx, channelId: string, event: ChannelEvent, now = Date.now()): Promise<number> {
  if (!mayNotify(event)) return 0;
  const derived = deriveTriggers(event, await contextOf(trx, channelId, event), now);
  const at = new Date(now).toISOString();
  for (const s of derived.settles) await settle(trx, s, at);
  if (derived.triggers.length === 0) return 0;

  const channelRow = await trx
    .selectFrom('channels')
    .innerJoin('workspaces', 'workspaces.id', 'channels.workspace_id')
    .select(['workspaces.name as workspace', 'channels.name as name'])
    .where('channels.id', '=', channelId)
    .executeTakeFirstOrThrow();
  const channel = `${channelRow.workspace}/${channelRow.name}`;
  const members: Member[] = await trx
    .selectFrom('members')
    .innerJoin('users', 'users.id', 'members.user_id')
    .select(['users.id as user_id', 'users.name'])
    .where('members.channel_id', '=', channelId)
    .execute();
  const prefsRows = await trx.selectFrom('notification_prefs').select(['user_id', 'prefs']).where('user_id', 'in', members.length > 0 ? members.map((m) => m.user_id) : ['']).execute();
  const prefsOf = new Map(prefsRows.map((r) => [r.user_id, readPrefs(r.prefs)]));
  const prefs = (userId: string) => prefsOf.get(userId) ?? readPrefs(null);
  const watchers = async () => new Set(members.filter((m) => prefs(m.user_id).watch_turns).map((m) => m.user_id));
  const webhooks = await trx.selectFrom('webhooks').select(['id', 'kinds']).where('channel_id', '=', channelId).execute();

  let queued = 0;
  for (const t of derived.triggers) {
    const visibleAt = t.visibleAt ?? at;
    const rows: DeliveryRow[] = [];
    for (const person of await audienceOf(trx, channelId, t, members, watchers)) {
      const p = prefs(person.user_id);
      const route = routeFor(p, t.kind);
      if (!route.page && !route.push && route.email === null) continue;
      const id = randomUUID();
      const inserted = await trx
        .insertInto('notifications')
        .values({ id, user_id: person.user_id, channel_id: channelId, thread_id: t.threadId, message_id: t.messageId, kind: t.kind, key: t.key, title: t.title, body: t.body,
          data: JSON.stringify({ request_id: t.prompt?.request_id ?? null, expires_at: t.prompt?.expires_at ?? null }),
          event_seq: event.payload.seq, in_page: route.page ? 1 : 0, visible_at: visibleAt, read_at: null, resolved_at: null, created_at: at })
        .onConflict((oc) => oc.columns(['user_id', 'key']).doNothing())
        .returning('id')
        .executeTakeFirst();
      // One notification per person per key: a repeat of the same prompt tells nothing new.
      if (!inserted) continue;
      const content = contentOf(t, id, channel, at);
      const sendAt = (quietUntil(p.quiet, new Date(visibleAt)) ?? new Date(visibleAt)).toISOString();
      if (route.push) {
        const subs = await trx.selectFrom('push_subscriptions').select('id').where('user_id', '=', person.user_id).execute();
        for (const s of subs) rows.push({ notification_id: id, user_id: person.user_id, medium: 'push', target: s.id, key: id, content, next_at: sendAt });
      }
      if (route.email !== null) rows.push({ notification_id: id, user_id: person.user_id, medium: 'email', target: route.email, key: id, content, next_at: sendAt });
    }
    for (const w of webhooks) {
      if (!(JSON.parse(w.kinds) as NotificationKind[]).includes(t.kind)) continue;
      rows.push({ notification_id: null, user_id: null, medium: 'webhook', target: w.id, key: t.key, content: contentOf(t, randomUUID(), channel, at), next_at: visibleAt });
    }
    queued += await queue(trx, channelId, rows, at);
  }
  return queued;
}

/**
 * The write queue's follow-up (store/write-queue.ts Follow): the notifications of a write's
 * events, in a savepoint of their own so that a fault here is logged and costs the alerts of
 * that write, never the write itself.
 */
export function notificationFollow(log: (err: unknown) => void, now: () => number = Date.now): Follow {
  return async (trx, events) => {
    if (!events.some((e) => mayNotify(e.event))) return false;
    await sql`savepoint notify`.execute(trx);
    try {
      let queued = 0;
      for (const e of events) queued += await deriveNotifications(trx, e.channelId, e.event, now());
      await sql`release savepoint notify`.execute(trx);
      return queued > 0;
    } catch (err) {
      await sql`rollback to savepoint notify`.execute(trx);
      await sql`release savepoint notify`.execute(trx);
      log(err);
      return false;
    }
  };
}
