// One thread's messages: a get_thread snapshot plus the channel events after it (docs/protocol.md
// §4.4). Pure: threadStep(state, input) → state. Every step is idempotent: an event at or below the
// view's seq is already reflected (protocol's seq gate), a message is upserted by id, an append
// lands only at the body's end. Anything that shows a gap marks the view stale; the shell then
// reloads the snapshot.

import { admit, assertNever, nothingHeld, type ChannelEvent, type Message } from '@pilothouse/protocol';
import { applyAppend, applyRowUpdate, threadOf } from './message.js';
import { landed, receive, reload, type SnapshotView } from './snapshot-view.js';

export interface ThreadState extends SnapshotView {
  readonly threadId: string;
  /** Message ids in creation (seq) order. */
  readonly order: readonly string[];
  readonly byId: Readonly<Record<string, Message>>;
  /**
   * Messages whose body is only partly loaded (the hub clips big bodies, docs/protocol.md §5), with
   * their full length: appends at that length extend it without text; `body` loads the rest.
   */
  readonly clipped: Readonly<Record<string, number>>;
}

export type ThreadInput =
  /** The shell starts (re)loading the snapshot: buffer events until it lands. */
  | { type: 'load' }
  | { type: 'snapshot'; head_seq: number; messages: readonly Message[]; clipped?: readonly { message_id: string; length: number }[] }
  /** A clipped message's body, loaded with get_body (as long as it was then). */
  | { type: 'body'; message_id: string; body: string }
  | { type: 'event'; event: ChannelEvent };

export const emptyThread = (threadId: string): ThreadState => ({
  threadId,
  status: 'loading',
  seq: 0,
  order: [],
  byId: {},
  clipped: {},
  pending: nothingHeld,
  stale: false,
});

export function threadStep(state: ThreadState, input: ThreadInput): ThreadState {
  switch (input.type) {
    case 'load':
      return reload(state);
    case 'snapshot':
      return fromSnapshot(state, input.head_seq, input.messages, input.clipped ?? []);
    case 'body':
      return withBody(state, input.message_id, input.body);
    case 'event':
      return threadOf(input.event) === state.threadId ? receive(state, input.event, applyEvent) : state;
    default:
      return assertNever(input, 'thread input');
  }
}

/** The thread's messages in order. */
export const messagesOf = (state: ThreadState): Message[] => state.order.flatMap((id) => state.byId[id] ?? []);

function fromSnapshot(state: ThreadState, headSeq: number, messages: readonly Message[], clippedList: readonly { message_id: string; length: number }[]): ThreadState {
  const sorted = [...messages].sort((a, b) => a.seq - b.seq);
  const byId: Record<string, Message> = {};
  for (const m of sorted) byId[m.id] = m;
  const clipped: Record<string, number> = {};
  for (const c of clippedList) clipped[c.message_id] = c.length;
  return landed(state, { ...state, order: sorted.map((m) => m.id), byId, clipped }, headSeq, applyEvent);
}

function applyEvent(state: ThreadState, event: ChannelEvent): ThreadState {
  const seq = event.payload.seq;
  if (admit(state.seq, seq).type === 'repeat') return state;
  const at = { ...state, seq };
  switch (event.type) {
    case 'message':
      return upsert(at, event.payload.message);
    case 'append': {
      const m = state.byId[event.payload.message_id];
      if (!m) return { ...at, stale: true };
      const clippedAt = state.clipped[m.id];
      if (clippedAt !== undefined) {
        // Only the head is loaded: the body grows by the append's length, its text is not kept.
        const { offset, text } = event.payload;
        if (offset === clippedAt) return { ...at, clipped: { ...state.clipped, [m.id]: clippedAt + text.length } };
        return offset + text.length <= clippedAt ? at : { ...at, stale: true };
      }
      const out = applyAppend(m, event.payload.offset, event.payload.text);
      switch (out.type) {
        case 'applied':
          return replace(at, out.message);
        case 'repeat':
          return at;
        case 'gap':
          return { ...at, stale: true };
        default:
          return assertNever(out, 'append outcome');
      }
    }
    case 'row_updated': {
      const m = state.byId[event.payload.message_id];
      if (!m) return { ...at, stale: true };
      // A new body is a whole body: the message is no longer clipped.
      const next = replace(at, applyRowUpdate(m, event.payload));
      return event.payload.body !== undefined ? unclip(next, m.id) : next;
    }
    case 'state': {
      const m = state.byId[event.payload.message_id];
      return m ? replace(at, { ...m, state: event.payload.state }) : { ...at, stale: true };
    }
    case 'presence':
    case 'control':
    case 'title':
      return at;
    default:
      return assertNever(event, 'channel event');
  }
}

const replace = (state: ThreadState, message: Message): ThreadState => ({ ...state, byId: { ...state.byId, [message.id]: message } });

function unclip(state: ThreadState, id: string): ThreadState {
  if (state.clipped[id] === undefined) return state;
  const clipped = { ...state.clipped };
  delete clipped[id];
  return { ...state, clipped };
}

/** A loaded body replaces the head; still shorter than the message has grown meanwhile, it stays clipped. */
function withBody(state: ThreadState, id: string, body: string): ThreadState {
  const m = state.byId[id];
  const length = state.clipped[id];
  if (!m || length === undefined || body.length < m.body.length) return state;
  const next = replace(state, { ...m, body });
  return body.length >= length ? unclip(next, id) : next;
}

/** A message event creates a message; a repeat of one already present changes nothing. */
function upsert(state: ThreadState, message: Message): ThreadState {
  if (state.byId[message.id]) return state;
  const order = [...state.order];
  // Creation events arrive in seq order, so this is an append; the walk keeps order for any other.
  let i = order.length;
  while (i > 0 && (state.byId[order[i - 1]!]?.seq ?? 0) > message.seq) i--;
  order.splice(i, 0, message.id);
  return { ...state, order, byId: { ...state.byId, [message.id]: message } };
}
