// Seq gating of "a snapshot, then events" (docs/protocol.md §4.2, §4.4), one rule for the hub's
// replay, the runner's inbound feed and the web's views: a view through seq S takes an event above S
// once and drops a repeat at or below it; events that arrive while its snapshot (or a replay) loads
// are held, bounded, then released above the snapshot's head. Pure functions over plain data.

/** What an event is to a view: new (with the seqs it skips, seqs being dense per channel), or a repeat. */
export type SeqAdmission = { readonly type: 'new'; readonly gap: number } | { readonly type: 'repeat' };

/**
 * Whether an event at `seq` is new to a view `through` a seq: the highest seq it reflects (a
 * snapshot's head_seq, a join's head, then each new event's). `null`: nothing is known yet, so any
 * event is new and none counts as a gap.
 */
export function admit(through: number | null, seq: number): SeqAdmission {
  if (through === null) return { type: 'new', gap: 0 };
  if (seq <= through) return { type: 'repeat' };
  return { type: 'new', gap: seq - through - 1 };
}

/** The events above `through`, each once and in order (repeats dropped), and the seq the view is then through. */
export function eventsAbove<E>(through: number, events: Iterable<E>, seqOf: (event: E) => number): { through: number; events: E[] } {
  const fresh: E[] = [];
  for (const event of events) {
    const seq = seqOf(event);
    if (admit(through, seq).type === 'repeat') continue;
    fresh.push(event);
    through = seq;
  }
  return { through, events: fresh };
}

/**
 * Events held while a snapshot loads. The newest is linked to the ones before it, so holding one is
 * O(1) however long the load, and a state that shares its Held with an older state changes neither.
 */
export interface Held<E> {
  readonly newest: HeldLink<E> | null;
  /** The held events' size, in the unit the holder bounds them by (one per event, characters of frames…). */
  readonly size: number;
  /** The bound was passed: what was held is dropped, and so is every later event. The holder must load again. */
  readonly overflowed: boolean;
}

export interface HeldLink<E> {
  readonly event: E;
  readonly before: HeldLink<E> | null;
}

export const nothingHeld: Held<never> = { newest: null, size: 0, overflowed: false };

/** Holds `event` (of `size`, one by default) unless that takes the held size past `max`: then all is dropped. */
export function holdEvent<E>(held: Held<E>, event: E, max: number, size = 1): Held<E> {
  if (held.overflowed) return held;
  if (held.size + size > max) return { newest: null, size: 0, overflowed: true };
  return { newest: { event, before: held.newest }, size: held.size + size, overflowed: false };
}

/** The held events, oldest first. */
export function heldEvents<E>(held: Held<E>): E[] {
  const events: E[] = [];
  for (let link = held.newest; link !== null; link = link.before) events.push(link.event);
  return events.reverse();
}
