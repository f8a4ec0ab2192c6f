// What every web view built from "a snapshot, then events" does (docs/protocol.md §4.4): while its
// snapshot loads it holds the events that arrive, once the snapshot lands it applies the held ones
// above its head, then each new event. The seq rules are protocol's seq gate; what an event does
// to the view is the view's own `apply` (thread.ts, threads.ts).

import { heldEvents, holdEvent, nothingHeld, type ChannelEvent, type Held } from '@pilothouse/protocol';

/** Events kept while a snapshot loads; past this the view reloads instead of buffering more. */
export const MAX_PENDING = 5_000;

export interface SnapshotView {
  readonly status: 'loading' | 'ready';
  /** The highest seq the view reflects: the snapshot's head_seq, then each applied event's. */
  readonly seq: number;
  /** Events that arrived while the snapshot was loading (at most MAX_PENDING). */
  readonly pending: Held<ChannelEvent>;
  /** Something was missed: the shell must reload the snapshot. */
  readonly stale: boolean;
}

/** One event applied to a ready view; an event at or below the view's seq must change nothing. */
export type Apply<V extends SnapshotView> = (view: V, event: ChannelEvent) => V;

/** The shell starts (re)loading the snapshot: events are held until it lands. */
export const reload = <V extends SnapshotView>(view: V): V => ({ ...view, status: 'loading', pending: nothingHeld, stale: false });

export function receive<V extends SnapshotView>(view: V, event: ChannelEvent, apply: Apply<V>): V {
  if (view.status === 'ready') return apply(view, event);
  const pending = holdEvent(view.pending, event, MAX_PENDING);
  return { ...view, pending, stale: view.stale || pending.overflowed };
}

/**
 * The snapshot at `headSeq` landed in `loaded` (the view's content taken from it): the events
 * `before` held follow. If some were dropped (past MAX_PENDING) the view cannot be brought up to
 * date: it stays stale and the shell reloads it.
 */
export function landed<V extends SnapshotView>(before: V, loaded: V, headSeq: number, apply: Apply<V>): V {
  let next: V = { ...loaded, status: 'ready', seq: headSeq, pending: nothingHeld, stale: before.pending.overflowed };
  for (const event of heldEvents(before.pending)) next = apply(next, event);
  return next;
}
