// The channel log's primitives every write uses: the next seq, one event row, what a committed
// write broadcasts, and a row's whole body (its stored prefix plus appended chunks).

import type { Transaction } from 'kysely';
import type { ChannelEvent } from '@pilothouse/protocol';
import type { Database, MessagesTable } from './schema.js';
import { nowIso, splitEvent } from './rows.js';
import type { Committed } from './write-queue.js';
import { decodeText } from './text-codec.js';


export type Trx = Transaction<Database>;

export interface Author {
  userId: string;
  name: string;
  /** Set when a registered runner writes. */
  runnerId: string | null;
}

export async function nextSeq(trx: Trx, channelId: string): Promise<number> {
  const row = await trx
    .updateTable('channels')
    .set((eb) => ({ head_seq: eb('head_seq', '+', 1) }))
    .where('id', '=', channelId)
    .returning('head_seq')
    .executeTakeFirstOrThrow();
  return Number(row.head_seq);
}

export async function insertEvent(
  trx: Trx,
  channelId: string,
  event: ChannelEvent,
  extra: { message_id?: string; item_offset?: number; actor_id?: string; client_id?: string } = {},
): Promise<void> {
  const { data, text } = splitEvent(event);
  await trx
    .insertInto('events')
    .values({
      channel_id: channelId,
      seq: event.payload.seq,
      type: event.type,
      message_id: extra.message_id ?? null,
      item_offset: extra.item_offset ?? null,
      actor_id: extra.actor_id ?? null,
      client_id: extra.client_id ?? null,
      data,
      text,
      created_at: nowIso(),
    })
    .execute();
}

export const emitted = <R>(channelId: string, value: R, ...events: ChannelEvent[]): Committed<R> => ({
  value,
  events: events.map((event) => ({ channelId, event })),
});

/** The full current body: the stored body plus every append after it. */
export async function currentBody(trx: Pick<Trx, 'selectFrom'>, row: Pick<MessagesTable, 'id' | 'body' | 'body_seq'>): Promise<string> {
  const appends = await trx
    .selectFrom('events')
    .select('text')
    .where('message_id', '=', row.id)
    .where('type', '=', 'append')
    .where('seq', '>', row.body_seq)
    .orderBy('seq')
    .execute();
  return decodeText(row.body) + appends.map((a) => (a.text === null ? '' : decodeText(a.text))).join('');
}
