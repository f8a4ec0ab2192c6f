// Reads of a channel's log: replay since a seq, a thread's messages with their current bodies,
// the thread list, runner presence.

import { sql, type Kysely } from 'kysely';
import { instructionTitle, isChatCommand, type ChannelEvent, type Message, type RunnerPresence, type ThreadSummary } from '@pilothouse/protocol';
import type { Database, MessagesTable } from './schema.js';
import { toEvent, toMessage, toPresence } from './rows.js';
import { decodeText, isEscaped } from './text-codec.js';
import { titlesOf } from './thread-titles.js';

type Db = Kysely<Database>;

export async function headSeq(db: Db, channelId: string): Promise<number> {
  const row = await db.selectFrom('channels').select('head_seq').where('id', '=', channelId).executeTakeFirst();
  return Number(row?.head_seq ?? 0);
}

/**
 * The events after `since`: at most `limit`, and (when `maxChars` is given) no more than about
 * `maxChars` bytes of text and data (octet_length: read from the row header, without loading the
 * value), at least one event. The sizes are read first, so a page
 * of large events is never loaded only to be cut.
 */
export async function eventsSince(db: Db, channelId: string, since: number, limit: number, maxChars?: number): Promise<ChannelEvent[]> {
  let last: number | undefined;
  if (maxChars !== undefined) {
    const sizes = await db
      .selectFrom('events')
      .select(['seq', sql<number>`octet_length(data) + coalesce(octet_length(text), 0)`.as('size')])
      .where('channel_id', '=', channelId)
      .where('seq', '>', since)
      .orderBy('seq')
      .limit(limit)
      .execute();
    let chars = 0;
    for (const s of sizes) {
      if (last !== undefined && chars + Number(s.size) > maxChars) break;
      chars += Number(s.size);
      last = Number(s.seq);
    }
    if (last === undefined) return [];
  }
  let q = db
    .selectFrom('events')
    .leftJoin('messages', 'messages.id', 'events.message_id')
    .select(['events.type', 'events.seq', 'events.data', 'events.text', 'events.message_id', 'events.item_offset', 'messages.thread_id', 'messages.item_key'])
    .where('events.channel_id', '=', channelId)
    .where('events.seq', '>', since)
    .orderBy('events.seq')
    .limit(limit);
  if (last !== undefined) q = q.where('events.seq', '<=', last);
  const rows = await q.execute();
  return rows.map(toEvent);
}

/** Messages with their current bodies (stored body + later appends), in seq order. */
async function withBodies(db: Db, stored: (MessagesTable & { author_name: string })[]): Promise<Message[]> {
  const rows = stored.map((r) => ({ ...r, body: decodeText(r.body) }));
  const streamed = rows.filter((r) => Number(r.length) !== r.body.length);
  const tails = new Map<string, string[]>();
  if (streamed.length > 0) {
    const appends = await db
      .selectFrom('events')
      .select(['message_id', 'seq', 'text'])
      .where('type', '=', 'append')
      .where(
        'message_id',
        'in',
        streamed.map((r) => r.id),
      )
      .orderBy('seq')
      .execute();
    const bodySeq = new Map(streamed.map((r) => [r.id, Number(r.body_seq)]));
    for (const a of appends) {
      if (a.message_id === null || Number(a.seq) <= (bodySeq.get(a.message_id) ?? Infinity)) continue;
      const list = tails.get(a.message_id) ?? [];
      list.push(a.text === null ? '' : decodeText(a.text));
      tails.set(a.message_id, list);
    }
  }
  return rows.map((r) => toMessage(r, r.author_name, r.body + (tails.get(r.id)?.join('') ?? '')));
}

function messagesQuery(db: Db) {
  return db.selectFrom('messages').innerJoin('users', 'users.id', 'messages.author_id').selectAll('messages').select('users.name as author_name');
}

export async function getThread(db: Db, channelId: string, threadId: string): Promise<Message[]> {
  const rows = await messagesQuery(db)
    .where('messages.channel_id', '=', channelId)
    .where('messages.thread_id', '=', threadId)
    .orderBy('messages.seq')
    .execute();
  return withBodies(db, rows);
}

export async function getMessage(db: Db, channelId: string, messageId: string): Promise<Message | undefined> {
  const rows = await messagesQuery(db).where('messages.channel_id', '=', channelId).where('messages.id', '=', messageId).execute();
  return (await withBodies(db, rows))[0];
}

export async function listThreads(
  db: Db,
  channelId: string,
  opts: { beforeSeq?: number | undefined; limit: number },
): Promise<ThreadSummary[]> {
  let q = messagesQuery(db)
    .where('messages.channel_id', '=', channelId)
    .whereRef('messages.thread_id', '=', 'messages.id')
    .orderBy('messages.seq', 'desc')
    .limit(opts.limit);
  if (opts.beforeSeq !== undefined) q = q.where('messages.seq', '<', opts.beforeSeq);
  const roots = await q.execute();
  if (roots.length === 0) return [];
  const ids = roots.map((r) => r.id);
  const stats = await db
    .selectFrom('messages')
    .select((eb) => ['thread_id', eb.fn.countAll<number>().as('n'), eb.fn.max('seq').as('last'), eb.fn.max('created_at').as('last_at')])
    .where('channel_id', '=', channelId)
    .where('thread_id', 'in', ids)
    .groupBy('thread_id')
    .execute();
  const byThread = new Map(stats.map((s) => [s.thread_id, s]));
  const [messages, titles, instructions] = await Promise.all([withBodies(db, roots), titlesOf(db, channelId, ids), firstInstructions(db, channelId, ids)]);
  return messages.map((root) => {
    const s = byThread.get(root.id);
    return {
      root,
      reply_count: Number(s?.n ?? 1) - 1,
      last_seq: Number(s?.last ?? root.seq),
      title: titles.get(root.id) ?? null,
      instruction: instructions.get(root.id) ?? null,
      last_at: String(s?.last_at ?? root.created_at),
    };
  });
}

/** How much of an instruction's body is read to title its thread. */
const INSTRUCTION_HEAD = 1024;

/**
 * The title each thread's first instruction gives it (protocol's instructionTitle): the earliest
 * person's text message that is not a `/pilothouse` command. Only the head of each body is read.
 */
async function firstInstructions(db: Db, channelId: string, threadIds: readonly string[]): Promise<Map<string, string>> {
  const firsts = db
    .selectFrom('messages')
    .select((eb) => ['thread_id', eb.fn.min('seq').as('seq')])
    .where('channel_id', '=', channelId)
    .where('thread_id', 'in', [...threadIds])
    .where('kind', '=', 'text')
    .where('runner_id', 'is', null)
    .where(sql<string>`lower(ltrim(substr(body, 1, 64)))`, 'not like', '/pilothouse%')
    .groupBy('thread_id')
    .as('f');
  const rows = await db
    .selectFrom('messages')
    .innerJoin(firsts, (j) => j.onRef('f.thread_id', '=', 'messages.thread_id').onRef('f.seq', '=', 'messages.seq'))
    .select(['messages.id', 'messages.thread_id', sql<string>`substr(messages.body, 1, ${INSTRUCTION_HEAD})`.as('head')])
    .where('messages.channel_id', '=', channelId)
    .execute();
  const out = new Map<string, string>();
  for (const r of rows) {
    // An escaped body (NUL, lone surrogates) decodes only whole.
    const body = isEscaped(r.head) ? ((await getMessage(db, channelId, r.id))?.body ?? '') : r.head;
    const title = isChatCommand(body) ? null : instructionTitle(body);
    if (title !== null) out.set(r.thread_id, title);
  }
  return out;
}

export async function runnersOf(db: Db, channelId: string): Promise<RunnerPresence[]> {
  const rows = await db
    .selectFrom('runners')
    .innerJoin('users', 'users.id', 'runners.user_id')
    .selectAll('runners')
    .select('users.name as user_name')
    .where('runners.channel_id', '=', channelId)
    .orderBy('runners.updated_at')
    .execute();
  return rows.map((r) => toPresence(r, r.user_name));
}
