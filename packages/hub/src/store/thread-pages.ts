// Bounded reads of a thread for get_thread / get_body (docs/protocol.md §5): a page of messages
// limited by count and by characters of body, each body clipped to its head, and a slice of one
// body on demand. No read loads more than about a page (or a slice) plus one append, however long
// the thread or its rows grew: a stored body is at most MAX_TEXT, and appends are chosen by offset.

import { sql, type Kysely } from 'kysely';
import { MAX_TEXT, type Message } from '@pilothouse/protocol';
import type { Database } from './schema.js';
import { toMessage } from './rows.js';
import { decodeText, isEscaped } from './text-codec.js';

type Db = Kysely<Database>;

export interface ThreadPage {
  messages: Message[];
  /** Messages whose body was clipped, with their full length. */
  clipped: { message_id: string; length: number }[];
  /**
   * When more follow in the direction of reading: the cursor of the next page (forwards the last
   * seq on this page, its after_seq; backwards the first, its before_seq). Null at the thread's end.
   */
  next: number | null;
}

/** The thread a message id belongs to (a root is its own thread), without reading its body. */
export async function threadIdOf(db: Db, channelId: string, messageId: string): Promise<string | undefined> {
  const row = await db.selectFrom('messages').select('thread_id').where('channel_id', '=', channelId).where('id', '=', messageId).executeTakeFirst();
  return row?.thread_id;
}

/**
 * Which messages a page holds: after `afterSeq` reading forwards, or (with `beforeSeq`) the newest
 * ones before `beforeSeq` reading backwards. Either way the page is in seq order.
 */
export type PageCursor = { afterSeq: number } | { beforeSeq: number };

/** One page of the thread from `cursor`: at most `limit` messages, and bodies worth `pageChars` (at least one message). */
export async function threadPage(
  db: Db,
  channelId: string,
  threadId: string,
  opts: PageCursor & { limit: number; pageChars: number; clip: number },
): Promise<ThreadPage> {
  const backwards = 'beforeSeq' in opts;
  // First the sizes only (the `length` column), to choose the page without reading a body; in the
  // direction of reading, so the page is cut at its far end.
  const sizes = await db
    .selectFrom('messages')
    .select(['seq', 'length'])
    .where('channel_id', '=', channelId)
    .where('thread_id', '=', threadId)
    .where('seq', backwards ? '<' : '>', backwards ? opts.beforeSeq : opts.afterSeq)
    .orderBy('seq', backwards ? 'desc' : 'asc')
    .limit(opts.limit + 1)
    .execute();
  let chars = 0;
  let take = 0;
  for (const s of sizes.slice(0, opts.limit)) {
    if (take > 0 && chars + Math.min(Number(s.length), opts.clip) > opts.pageChars) break;
    chars += Math.min(Number(s.length), opts.clip);
    take++;
  }
  if (take === 0) return { messages: [], clipped: [], next: null };
  const farSeq = Number(sizes[take - 1]!.seq);
  const nearSeq = Number(sizes[0]!.seq);
  const [lo, hi] = backwards ? [farSeq, nearSeq] : [nearSeq, farSeq];
  const rows = await db
    .selectFrom('messages')
    .innerJoin('users', 'users.id', 'messages.author_id')
    .select(ROW_COLUMNS)
    // The head of the stored body only: substr counts code points, which are never fewer than the
    // UTF-16 units kept below, so the head is complete.
    .select([sql<string>`substr(messages.body, 1, ${opts.clip})`.as('head'), 'users.name as author_name'])
    .where('messages.channel_id', '=', channelId)
    .where('messages.thread_id', '=', threadId)
    .where('messages.seq', '>=', lo)
    .where('messages.seq', '<=', hi)
    .orderBy('messages.seq')
    .execute();
  const messages: Message[] = [];
  const clipped: ThreadPage['clipped'] = [];
  for (const r of rows) {
    const length = Number(r.length);
    const wanted = Math.min(length, opts.clip);
    // An escaped body (text-codec.ts: NUL, lone surrogates) cannot be cut before decoding; it is
    // read whole, which is bounded by MAX_TEXT like every stored body.
    let head = (isEscaped(r.head) ? await storedBody(db, r.id) : r.head).slice(0, wanted);
    // The stored body is shorter than the head wanted: the rest of it is in later appends.
    if (head.length < wanted) head += await appendedText(db, r.id, Number(r.body_seq), head.length, wanted);
    messages.push(toMessage({ ...r, body: '' }, r.author_name, head.slice(0, wanted)));
    if (length > wanted) clipped.push({ message_id: r.id, length });
  }
  // The cursor of the next page in the direction of reading: its after_seq, or its before_seq.
  const more = sizes.length > take;
  return { messages, clipped, next: more ? farSeq : null };
}

/** Every column of a message row but its body (read by its head, or on demand). */
const ROW_COLUMNS = [
  'messages.id', 'messages.channel_id', 'messages.thread_id', 'messages.seq', 'messages.author_id', 'messages.runner_id',
  'messages.client_id', 'messages.kind', 'messages.item_key', 'messages.body_seq', 'messages.length', 'messages.meta',
  'messages.status', 'messages.state', 'messages.created_at',
] as const;

async function storedBody(db: Db, messageId: string): Promise<string> {
  const row = await db.selectFrom('messages').select('body').where('id', '=', messageId).executeTakeFirstOrThrow();
  return decodeText(row.body);
}

/** `[offset, offset + limit)` of a message's current body, and its full length; undefined if no such message. */
export async function bodySlice(
  db: Db,
  channelId: string,
  messageId: string,
  offset: number,
  limit: number,
): Promise<{ text: string; length: number } | undefined> {
  const row = await db
    .selectFrom('messages')
    .select(['id', 'body', 'body_seq', 'length'])
    .where('channel_id', '=', channelId)
    .where('id', '=', messageId)
    .executeTakeFirst();
  if (!row) return undefined;
  const length = Number(row.length);
  const end = Math.min(length, offset + limit);
  if (offset >= end) return { text: '', length };
  const body = decodeText(row.body);
  let text = body.slice(offset, end);
  const from = offset + text.length;
  if (from < end) text += await appendedText(db, row.id, Number(row.body_seq), Math.max(from, body.length), end);
  return { text, length };
}

/** The appended text of a message between body offsets `from` and `end` (appends after `bodySeq`). */
async function appendedText(db: Db, messageId: string, bodySeq: number, from: number, end: number): Promise<string> {
  // An append is at most MAX_TEXT long, so one that starts before from - MAX_TEXT cannot reach `from`.
  const appends = await db
    .selectFrom('events')
    .select(['item_offset', 'text'])
    .where('message_id', '=', messageId)
    .where('type', '=', 'append')
    .where('seq', '>', bodySeq)
    .where('item_offset', '>=', Math.max(0, from - MAX_TEXT))
    .where('item_offset', '<', end)
    .orderBy('seq')
    .execute();
  let out = '';
  for (const a of appends) {
    const start = Number(a.item_offset);
    const text = a.text === null ? '' : decodeText(a.text);
    const lo = Math.max(from, start);
    const hi = Math.min(end, start + text.length);
    if (hi > lo) out += text.slice(lo - start, hi - start);
  }
  return out;
}
