// A channel's thread list: a list_threads snapshot plus the events after it. Same rules as one
// thread (thread.ts, snapshot-view.ts): events at or below the list's seq are already in it, roots are upserted by
// id, and a reply raises its thread's count and last seq. Newest root first.

import { admit, assertNever, instructionTitle, isInstruction, nothingHeld, type ChannelEvent, type Message, type ThreadSummary } from '@pilothouse/protocol';
import { applyAppend, applyRowUpdate } from './message.js';
import { landed, receive, reload, type SnapshotView } from './snapshot-view.js';

export type { ThreadSummary };

/** A summary as a snapshot may carry it: the fields that tell threads apart default from the root. */
export type ListedThread = Pick<ThreadSummary, 'root' | 'reply_count' | 'last_seq'> & Partial<ThreadSummary>;

const instructionOf = (m: Message): string | null => (isInstruction(m) ? instructionTitle(m.body) : null);

const summaryOf = (t: ListedThread): ThreadSummary => ({
  ...t,
  title: t.title ?? null,
  instruction: t.instruction !== undefined ? t.instruction : instructionOf(t.root),
  last_at: t.last_at ?? t.root.created_at,
});

/** What a thread is called: the title a person set, else its first instruction, else its root's first line. */
export function threadTitle(t: ThreadSummary, rootLine: (body: string) => string): string {
  return t.title ?? t.instruction ?? (rootLine(t.root.body) || '(empty)');
}

export interface ThreadListState extends SnapshotView {
  /** Root ids, newest root first. */
  readonly order: readonly string[];
  readonly byId: Readonly<Record<string, ThreadSummary>>;
}

export type ThreadListInput =
  | { type: 'load' }
  | { type: 'snapshot'; head_seq: number; threads: readonly ListedThread[] }
  | { type: 'event'; event: ChannelEvent };

export const emptyThreadList: ThreadListState = { status: 'loading', seq: 0, order: [], byId: {}, pending: nothingHeld, stale: false };

export function threadListStep(state: ThreadListState, input: ThreadListInput): ThreadListState {
  switch (input.type) {
    case 'load':
      return reload(state);
    case 'snapshot': {
      const sorted = input.threads.map(summaryOf).sort((a, b) => b.root.seq - a.root.seq);
      const byId: Record<string, ThreadSummary> = {};
      for (const t of sorted) byId[t.root.id] = t;
      return landed(state, { ...state, order: sorted.map((t) => t.root.id), byId }, input.head_seq, applyEvent);
    }
    case 'event':
      return receive(state, input.event, applyEvent);
    default:
      return assertNever(input, 'thread list input');
  }
}

export const summariesOf = (state: ThreadListState): ThreadSummary[] => state.order.flatMap((id) => state.byId[id] ?? []);

function applyEvent(state: ThreadListState, event: ChannelEvent): ThreadListState {
  const seq = event.payload.seq;
  if (admit(state.seq, seq).type === 'repeat') return state;
  const at = { ...state, seq };
  switch (event.type) {
    case 'message': {
      const m = event.payload.message;
      if (m.id === m.thread_id) {
        if (state.byId[m.id]) return at;
        return { ...at, order: [m.id, ...state.order], byId: { ...state.byId, [m.id]: summaryOf({ root: m, reply_count: 0, last_seq: m.seq }) } };
      }
      const t = state.byId[m.thread_id];
      // A reply to a thread older than the loaded page: nothing to show for it.
      if (!t) return at;
      // The first instruction names the thread (protocol's instructionTitle), until someone sets a title.
      return put(at, { ...t, reply_count: t.reply_count + 1, last_seq: Math.max(t.last_seq, m.seq), last_at: m.created_at, instruction: t.instruction ?? instructionOf(m) });
    }
    case 'append': {
      const t = state.byId[event.payload.message_id];
      if (!t) return at;
      const out = applyAppend(t.root, event.payload.offset, event.payload.text);
      switch (out.type) {
        case 'applied':
          return put(at, { ...t, root: out.message });
        case 'repeat':
          return at;
        case 'gap':
          return { ...at, stale: true };
        default:
          return assertNever(out, 'append outcome');
      }
    }
    case 'row_updated': {
      const t = state.byId[event.payload.message_id];
      return t ? put(at, { ...t, root: applyRowUpdate(t.root, event.payload) }) : at;
    }
    case 'state': {
      const t = state.byId[event.payload.message_id];
      return t ? put(at, { ...t, root: { ...t.root, state: event.payload.state } }) : at;
    }
    case 'title': {
      const t = state.byId[event.payload.thread_id];
      return t ? put(at, { ...t, title: event.payload.title }) : at;
    }
    case 'presence':
    case 'control':
      return at;
    default:
      return assertNever(event, 'channel event');
  }
}

const put = (state: ThreadListState, t: ThreadSummary): ThreadListState => ({ ...state, byId: { ...state.byId, [t.root.id]: t } });
