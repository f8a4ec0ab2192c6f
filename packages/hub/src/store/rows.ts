// Parse-at-the-edge for stored rows: JSON columns go through the protocol's schemas; rows become
// the protocol's Message / RunnerPresence / ChannelEvent shapes.

import {
  ChannelEvents,
  Message,
  MessageKind,
  MessageState,
  Meta,
  RowStatus,
  RunnerInfo,
  RunnerPresence,
  RunnerStatus,
  type ChannelEvent,
  type ChannelEventName,
} from '@pilothouse/protocol';
import { z } from 'zod';
import type { EventsTable, MessagesTable, RunnersTable } from './schema.js';
import { decodeText, encodeText } from './text-codec.js';

export const nowIso = (): string => new Date().toISOString();

const parseJson = <T>(schema: z.ZodType<T>, text: string | null): T | null =>
  text === null ? null : schema.parse(JSON.parse(text));

export function toMessage(row: Omit<MessagesTable, 'pruned_at'>, authorName: string, body: string): Message {
  return {
    id: row.id,
    thread_id: row.thread_id,
    seq: Number(row.seq),
    author: { user_id: row.author_id, name: authorName },
    runner_id: row.runner_id,
    client_id: row.client_id,
    kind: MessageKind.parse(row.kind),
    item_key: row.item_key,
    body,
    meta: parseJson(Meta, row.meta),
    status: row.status === null ? null : RowStatus.parse(row.status),
    state: parseJson(MessageState, row.state),
    created_at: row.created_at,
  };
}

export function toPresence(row: RunnersTable, userName: string): RunnerPresence {
  const info = RunnerInfo.parse(JSON.parse(row.info));
  return RunnerPresence.parse({
    ...info,
    user: { user_id: row.user_id, name: userName },
    status: RunnerStatus.parse(row.status),
    thread_id: row.thread_id,
    allowed: z.array(z.string()).parse(JSON.parse(row.allowed)),
    updated_at: row.updated_at,
  });
}

export type StoredEventRow = Pick<EventsTable, 'type' | 'seq' | 'data' | 'text' | 'message_id' | 'item_offset'> & {
  /** From the event's message (appends are stored without them). */
  thread_id: string | null;
  item_key: string | null;
};

/**
 * Stored form of an event: `data` is the payload without `seq`. An append keeps only its raw text
 * (`text`) and offset (`item_offset`): its message's ids come from the join, so the log holds the
 * output once, with no per-append JSON.
 */
export function toEvent(row: StoredEventRow): ChannelEvent {
  const type = row.type as ChannelEventName;
  const schema = ChannelEvents[type];
  if (!schema) throw new Error(`unknown stored event type ${row.type}`);
  const payload: Record<string, unknown> =
    type === 'append'
      ? { message_id: row.message_id, thread_id: row.thread_id, item_key: row.item_key, offset: Number(row.item_offset), text: row.text === null ? null : decodeText(row.text) }
      : (JSON.parse(row.data) as Record<string, unknown>);
  payload.seq = Number(row.seq);
  return { type, payload: schema.parse(payload) } as ChannelEvent;
}

/** The stored columns of an event: `data` is JSON (which escapes NUL and lone surrogates), `text` goes through the text codec. */
export function splitEvent(event: ChannelEvent): { data: string; text: string | null } {
  if (event.type === 'append') return { data: '{}', text: encodeText(event.payload.text) };
  const { seq: _seq, ...rest } = event.payload;
  return { data: JSON.stringify(rest), text: null };
}
