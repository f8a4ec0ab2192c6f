// The ordered, bounded queue of pushes not yet answered by the hub. Pure bookkeeping, no I/O:
// the client asks it what to send next and tells it what was answered or lost.
//
// Order is the point. Appends to a row must reach the hub in offset order, and "set" pushes
// (update_row, set_state, runner_status) must not be applied out of order, so entries are only
// ever sent in the order they were added: at most `maxInFlight` at a time, and after a lost link
// every unanswered entry is sent again from the oldest, in order (`rewind`). The hub treats a
// repeat as the same write, so a resent entry that had already been applied changes nothing.
//
// Bounded: at most `maxEntries` entries and `maxBytes` of payload are admitted; later entries wait
// in order behind them (the pusher's promise stays pending: backpressure, never a silent drop).
// Entries are numbered consecutively, so admitted entries are a prefix of the remaining ones and
// those sent in this session a prefix of the admitted ones.

export interface OutboxLimits {
  maxEntries: number;
  maxBytes: number;
  maxInFlight: number;
}

export interface OutboxEntry<T> {
  readonly id: number;
  readonly item: T;
  readonly bytes: number;
}

export class Outbox<T> {
  readonly #limits: OutboxLimits;
  /** Every unanswered entry, admitted or waiting, in id (= insertion) order. */
  readonly #entries = new Map<number, OutboxEntry<T>>();
  #nextId = 0;
  /** Entries with id < #admitEnd are admitted. */
  #admitEnd = 0;
  /** Entries with id < #nextSend were sent in this session (or answered). */
  #nextSend = 0;
  #inFlight = 0;
  #admittedCount = 0;
  #admittedBytes = 0;

  constructor(limits: OutboxLimits) {
    if (limits.maxEntries < 1 || limits.maxInFlight < 1 || limits.maxBytes < 1) throw new RangeError('Outbox limits must be at least 1.');
    this.#limits = limits;
  }

  /** Unanswered entries, admitted or waiting for room. */
  get size(): number {
    return this.#entries.size;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /** Entries admitted (holding room in the outbox); the rest wait for room. */
  get admitted(): { count: number; bytes: number } {
    return { count: this.#admittedCount, bytes: this.#admittedBytes };
  }

  /** Appends an entry; it is admitted at once if there is room, else it waits behind the others. */
  add(item: T, bytes: number): OutboxEntry<T> {
    const entry: OutboxEntry<T> = { id: this.#nextId++, item, bytes };
    this.#entries.set(entry.id, entry);
    this.#admit();
    return entry;
  }

  /** The admitted entries to send now, oldest first, within the in-flight window; they count as in flight. */
  takeSendable(): OutboxEntry<T>[] {
    const out: OutboxEntry<T>[] = [];
    while (this.#nextSend < this.#admitEnd && this.#inFlight < this.#limits.maxInFlight) {
      const entry = this.#entries.get(this.#nextSend++);
      // Entries answered before a rewind leave holes in the id range.
      if (entry === undefined) continue;
      this.#inFlight++;
      out.push(entry);
    }
    return out;
  }

  /** Removes an answered entry and admits waiting ones. Undefined when it was answered already. */
  settle(id: number): OutboxEntry<T> | undefined {
    const entry = this.#entries.get(id);
    if (entry === undefined) return undefined;
    this.#entries.delete(id);
    if (id < this.#nextSend) this.#inFlight--;
    if (id < this.#admitEnd) {
      this.#admittedCount--;
      this.#admittedBytes -= entry.bytes;
    }
    this.#admit();
    return entry;
  }

  /** The link was lost: nothing is in flight any more, and every unanswered entry is sent again in order. */
  rewind(): void {
    const oldest = this.#entries.keys().next();
    this.#nextSend = oldest.done ? this.#nextId : oldest.value;
    this.#inFlight = 0;
  }

  /** Whether an unanswered entry satisfies `pred` (oldest first). */
  some(pred: (item: T) => boolean): boolean {
    for (const entry of this.#entries.values()) if (pred(entry.item)) return true;
    return false;
  }

  /** Every unanswered entry, oldest first. */
  entries(): OutboxEntry<T>[] {
    return [...this.#entries.values()];
  }

  /** Removes and returns every unanswered entry, oldest first (the client is closing). */
  drain(): OutboxEntry<T>[] {
    const all = [...this.#entries.values()];
    this.#entries.clear();
    this.#admitEnd = this.#nextSend = this.#nextId;
    this.#inFlight = this.#admittedCount = this.#admittedBytes = 0;
    return all;
  }

  #admit(): void {
    while (this.#admitEnd < this.#nextId) {
      const entry = this.#entries.get(this.#admitEnd);
      if (entry === undefined) {
        this.#admitEnd++;
        continue;
      }
      const full =
        this.#admittedCount >= this.#limits.maxEntries ||
        // One entry larger than the byte budget is admitted alone rather than blocking forever.
        (this.#admittedCount > 0 && this.#admittedBytes + entry.bytes > this.#limits.maxBytes);
      if (full) return;
      this.#admittedCount++;
      this.#admittedBytes += entry.bytes;
      this.#admitEnd++;
    }
  }
}
