// One thread's messages: a get_thread snapshot plus the channel events after it (docs/protocol.md
// §4.4). Pure: threadStep(state, input) → state. Every step is idempotent: an event at or below the
// view's seq is already reflected (protocol's seq gate), a message is upserted by id, an append
// lands only at the body's end. Anything that shows a gap marks the view stale; the shell then
// reloads the snapshot. A long thread is opened at its end (its root plus the newest page) and
// older pages are added as the reader scrolls back (`older`, docs/protocol.md §4.4).

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
  /**
   * The `before_seq` of the next older page when the history between the root and the oldest
   * loaded message is not loaded yet; null once every message is.
   */
  readonly older: number | null;
}

/** A page of messages, as get_thread sends it. */
interface Page {
  readonly messages: readonly Message[];
  readonly clipped?: readonly { message_id: string; length: number }[];
}

export type ThreadInput =
  /** The shell starts (re)loading the snapshot: buffer events until it lands. */
  | { type: 'load' }
  /** The snapshot: the whole thread, or (with `older`) its root and newest page. */
  | ({ type: 'snapshot'; head_seq: number; older?: number | null } & Page)
  /** An older page (get_thread with `before_seq`); `next` is the one after it, null at the root. */
  | ({ type: 'older'; next: number | null } & Page)
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
  older: null,
  pending: nothingHeld,
  stale: false,
});

export function threadStep(state: ThreadState, input: ThreadInput): ThreadState {
  switch (input.type) {
    case 'load':
      return reload(state);
    case 'snapshot':
      return fromSnapshot(state, input.head_seq, input, input.older ?? null);
    case 'older':
      return withOlder(state, input, input.next);
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

function fromSnapshot(state: ThreadState, headSeq: number, page: Page, older: number | null): ThreadState {
  const empty = { ...state, order: [], byId: {}, clipped: {}, older };
  return landed(state, merged(empty, page), headSeq, applyEvent);
}

/**
 * An older page joins the messages held. Its rows reflect its own head_seq, at or above the view's:
 * the events still to come over them are repeats the idempotent rules skip. A message already held
 * (the root, or any after a reload) keeps its held version.
 */
function withOlder(state: ThreadState, page: Page, next: number | null): ThreadState {
  if (state.status !== 'ready' || state.older === null) return state;
  return { ...merged(state, page), older: next };
}

function merged(state: ThreadState, page: Page): ThreadState {
  const byId: Record<string, Message> = { ...state.byId };
  // Kept once each: a page can repeat a message (the root, in the newest page of a short thread).
  const fresh: Message[] = [];
  for (const m of page.messages) {
    if (byId[m.id]) continue;
    byId[m.id] = m;
    fresh.push(m);
  }
  if (fresh.length === 0) return state;
  const clipped: Record<string, number> = { ...state.clipped };
  const added = new Set(fresh.map((m) => m.id));
  for (const c of page.clipped ?? []) if (added.has(c.message_id)) clipped[c.message_id] = c.length;
  const order = [...state.order, ...fresh.map((m) => m.id)].sort((a, b) => byId[a]!.seq - byId[b]!.seq);
  return { ...state, order, byId, clipped };
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
      if (!m) return unknown(at);
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
      if (!m) return unknown(at);
      // A new body is a whole body: the message is no longer clipped.
      const next = replace(at, applyRowUpdate(m, event.payload));
      return event.payload.body !== undefined ? unclip(next, m.id) : next;
    }
    case 'state': {
      const m = state.byId[event.payload.message_id];
      return m ? replace(at, { ...m, state: event.payload.state }) : unknown(at);
    }
    case 'presence':
    case 'control':
    case 'title':
      return at;
    default:
      return assertNever(event, 'channel event');
  }
}

/**
 * An event for a message the view does not hold: with the whole history loaded something was
 * missed (reload); with older pages still unloaded it is one of those, which will reflect it.
 */
const unknown = (state: ThreadState): ThreadState => (state.older === null ? { ...state, stale: true } : state);

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
