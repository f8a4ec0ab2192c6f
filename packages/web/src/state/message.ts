// How one message changes under an event: appends applied only at the end of the body (idempotent,
// docs/protocol.md §4.4), row updates setting only the fields present. Shared by the thread view
// and the thread list (whose roots stream too).

import { assertNever, type ChannelEvent, type ChannelEventPayloads, type Message } from '@pilothouse/protocol';

export type AppendOutcome =
  | { type: 'applied'; message: Message }
  /** The text is already part of the body (a repeat after a reconnect or a snapshot). */
  | { type: 'repeat' }
  /** The append starts past the end: something was missed, the view must reload. */
  | { type: 'gap' };

export function applyAppend(message: Message, offset: number, text: string): AppendOutcome {
  const length = message.body.length;
  if (offset === length) return { type: 'applied', message: { ...message, body: message.body + text } };
  if (offset + text.length <= length) return { type: 'repeat' };
  return { type: 'gap' };
}

export function applyRowUpdate(message: Message, update: ChannelEventPayloads['row_updated']): Message {
  return {
    ...message,
    ...(update.body !== undefined ? { body: update.body } : {}),
    ...(update.meta !== undefined ? { meta: update.meta } : {}),
    ...(update.status !== undefined ? { status: update.status } : {}),
  };
}

/** The thread an event concerns, or null for channel-wide events (presence). */
export function threadOf(event: ChannelEvent): string | null {
  switch (event.type) {
    case 'message':
      return event.payload.message.thread_id;
    case 'append':
    case 'row_updated':
    case 'state':
    case 'control':
    case 'title':
      return event.payload.thread_id;
    case 'presence':
      return null;
    default:
      return assertNever(event, 'channel event');
  }
}
