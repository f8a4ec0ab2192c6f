// Writes of messages and rows, as WriteOps for the group-commit queue: post a message or a
// runner's row, append to a row, update it, set a message's state. Each is idempotent: a repeat
// (same client id, or same item key + offset) returns the original result and appends nothing.
// Each validates before it writes, so a refused write leaves no trace.

import { randomUUID } from 'node:crypto';
import { PilothouseError, type ChannelEvent, type MessageKind, type MessageState, type RowStatus } from '@pilothouse/protocol';
import type { MessagesTable } from './schema.js';
import { nowIso, toMessage } from './rows.js';
import type { Committed, WriteOp } from './write-queue.js';
import { decodeText, encodeText } from './text-codec.js';
import { assertSessionRunner, threadRoot } from './session-binding.js';
import { currentBody, emitted, insertEvent, nextSeq, type Author, type Trx } from './log-events.js';

export interface PostInput {
  client_id: string;
  body: string;
  thread_id?: string | undefined;
  kind: MessageKind;
  item_key?: string | undefined;
  meta?: Record<string, unknown> | undefined;
  status?: RowStatus | undefined;
}

export interface PostResult {
  seq: number;
  message_id: string;
  thread_id: string;
}

export function postMessage(channelId: string, author: Author, input: PostInput): WriteOp<PostResult> {
  return async (trx) => {
    const same = (row: MessagesTable): Committed<PostResult> => {
      const differentText = row.item_key === null && row.body_seq === row.seq && decodeText(row.body) !== input.body;
      if (row.kind !== input.kind || (row.item_key ?? undefined) !== input.item_key || row.author_id !== author.userId || differentText) {
        throw new PilothouseError('client_id_conflict', 'The client id or item key was already used for a different message.');
      }
      return emitted(channelId, { seq: Number(row.seq), message_id: row.id, thread_id: row.thread_id });
    };
    const byClient = await trx
      .selectFrom('messages')
      .selectAll()
      .where('channel_id', '=', channelId)
      .where('author_id', '=', author.userId)
      .where('client_id', '=', input.client_id)
      .executeTakeFirst();
    if (byClient) return same(byClient);
    if (input.item_key !== undefined) {
      // Item keys are the writing runner's own: another runner's row under the same key is another row.
      if (author.runnerId === null) throw new PilothouseError('not_runner', 'Only a registered runner writes rows with an item key.');
      const byItem = await itemRow(trx, channelId, author.runnerId, input.item_key);
      if (byItem) return same(byItem);
    }
    let threadId: string | undefined;
    if (input.thread_id !== undefined) {
      const parent = await trx
        .selectFrom('messages')
        .select('thread_id')
        .where('channel_id', '=', channelId)
        .where('id', '=', input.thread_id)
        .executeTakeFirst();
      if (!parent) throw new PilothouseError('thread_not_found', `No thread ${input.thread_id} in this channel.`);
      threadId = parent.thread_id;
      // People comment anywhere; a runner's rows go only into the session threads it opened.
      if (author.runnerId !== null) {
        const root = await threadRoot(trx, channelId, threadId);
        if (!root) throw new PilothouseError('thread_not_found', `No thread ${input.thread_id} in this channel.`);
        assertSessionRunner(root, author);
      }
    }
    const seq = await nextSeq(trx, channelId);
    const id = randomUUID();
    const status = input.status ?? (input.item_key !== undefined ? 'streaming' : null);
    const row: MessagesTable = {
      id,
      channel_id: channelId,
      thread_id: threadId ?? id,
      seq,
      author_id: author.userId,
      runner_id: author.runnerId,
      client_id: input.client_id,
      kind: input.kind,
      item_key: input.item_key ?? null,
      body: encodeText(input.body),
      body_seq: seq,
      length: input.body.length,
      meta: input.meta === undefined || input.meta === null ? null : JSON.stringify(input.meta),
      status,
      state: null,
      created_at: nowIso(),
      pruned_at: null,
    };
    await trx.insertInto('messages').values(row).execute();
    const event: ChannelEvent = { type: 'message', payload: { seq, message: toMessage(row, author.name, input.body) } };
    await insertEvent(trx, channelId, event, { message_id: id });
    return emitted(channelId, { seq, message_id: id, thread_id: row.thread_id }, event);
  };
}

/** The row a runner wrote under `itemKey`: item keys are per runner (docs/protocol.md §5). */
function itemRow(trx: Trx, channelId: string, runnerId: string, itemKey: string): Promise<MessagesTable | undefined> {
  return trx
    .selectFrom('messages')
    .selectAll()
    .where('channel_id', '=', channelId)
    .where('runner_id', '=', runnerId)
    .where('item_key', '=', itemKey)
    .executeTakeFirst();
}

async function ownedRow(trx: Trx, channelId: string, author: Author, itemKey: string): Promise<MessagesTable> {
  const row = author.runnerId === null ? undefined : await itemRow(trx, channelId, author.runnerId, itemKey);
  if (!row) {
    // Only on the refusal path: say whether the key is another runner's.
    const other = await trx.selectFrom('messages').select('id').where('channel_id', '=', channelId).where('item_key', '=', itemKey).executeTakeFirst();
    if (other) throw new PilothouseError('not_row_owner');
    throw new PilothouseError('row_not_found', `No row with item key ${itemKey} in this channel.`);
  }
  if (row.runner_id !== author.runnerId || row.author_id !== author.userId) throw new PilothouseError('not_row_owner');
  return row;
}

export function appendRow(
  channelId: string,
  author: Author,
  input: { item_key: string; offset: number; text: string },
): WriteOp<{ seq: number; length: number }> {
  return async (trx) => {
    const row = await ownedRow(trx, channelId, author, input.item_key);
    const length = Number(row.length);
    // A repeat: below the length, or anywhere once the body was replaced (a late retry).
    if (input.offset < length || row.body_seq !== row.seq) {
      const earlier = await trx
        .selectFrom('events')
        .select(['seq', 'text'])
        .where('message_id', '=', row.id)
        .where('type', '=', 'append')
        .where('item_offset', '=', input.offset)
        .orderBy('seq', 'desc')
        .executeTakeFirst();
      if (earlier?.text != null && decodeText(earlier.text) === input.text) {
        return emitted(channelId, { seq: Number(earlier.seq), length: input.offset + input.text.length });
      }
    }
    if (input.offset !== length) {
      throw new PilothouseError('offset_mismatch', `The row is ${length} long; append at offset ${length}.`, { length });
    }
    if (row.status !== 'streaming') throw new PilothouseError('row_closed', `The row is ${row.status ?? 'not streaming'}.`);
    const seq = await nextSeq(trx, channelId);
    const event: ChannelEvent = {
      type: 'append',
      payload: { seq, message_id: row.id, thread_id: row.thread_id, item_key: input.item_key, offset: input.offset, text: input.text },
    };
    await insertEvent(trx, channelId, event, { message_id: row.id, item_offset: input.offset });
    const newLength = length + input.text.length;
    await trx.updateTable('messages').set({ length: newLength }).where('id', '=', row.id).execute();
    return emitted(channelId, { seq, length: newLength }, event);
  };
}

export function updateRow(
  channelId: string,
  author: Author,
  input: { item_key: string; body?: string | undefined; meta?: Record<string, unknown> | null | undefined; status?: RowStatus | null | undefined },
): WriteOp<{ seq: number | null }> {
  return async (trx) => {
    const row = await ownedRow(trx, channelId, author, input.item_key);
    const changes: { body?: string; meta?: Record<string, unknown> | null; status?: RowStatus | null } = {};
    if (input.body !== undefined && input.body !== (await currentBody(trx, row))) changes.body = input.body;
    const meta = input.meta === undefined ? undefined : input.meta === null ? null : JSON.stringify(input.meta);
    if (meta !== undefined && meta !== row.meta) changes.meta = input.meta ?? null;
    if (input.status !== undefined && input.status !== row.status) changes.status = input.status;
    if (Object.keys(changes).length === 0) return emitted(channelId, { seq: null });
    const seq = await nextSeq(trx, channelId);
    await trx
      .updateTable('messages')
      .set({
        ...(changes.body !== undefined ? { body: encodeText(changes.body), body_seq: seq, length: changes.body.length } : {}),
        ...(meta !== undefined && 'meta' in changes ? { meta } : {}),
        ...('status' in changes ? { status: changes.status ?? null } : {}),
      })
      .where('id', '=', row.id)
      .execute();
    const event: ChannelEvent = {
      type: 'row_updated',
      payload: { seq, message_id: row.id, thread_id: row.thread_id, item_key: row.item_key, ...changes },
    };
    await insertEvent(trx, channelId, event, { message_id: row.id });
    return emitted(channelId, { seq }, event);
  };
}

/** A runner sets states only in the session threads it opened. */
export function setState(channelId: string, author: Author, input: { message_id: string; state: MessageState }): WriteOp<{ seq: number | null }> {
  return async (trx) => {
    const row = await trx
      .selectFrom('messages')
      .select(['id', 'thread_id', 'state'])
      .where('channel_id', '=', channelId)
      .where('id', '=', input.message_id)
      .executeTakeFirst();
    if (!row) throw new PilothouseError('message_not_found', `No message ${input.message_id} in this channel.`);
    const root = await threadRoot(trx, channelId, row.thread_id);
    if (!root) throw new PilothouseError('thread_not_found', `No thread ${row.thread_id} in this channel.`);
    assertSessionRunner(root, author);
    const state = JSON.stringify(input.state);
    if (state === row.state) return emitted(channelId, { seq: null });
    const seq = await nextSeq(trx, channelId);
    await trx.updateTable('messages').set({ state }).where('id', '=', row.id).execute();
    const event: ChannelEvent = { type: 'state', payload: { seq, message_id: row.id, thread_id: row.thread_id, state: input.state } };
    await insertEvent(trx, channelId, event, { message_id: row.id });
    return emitted(channelId, { seq }, event);
  };
}
