// The FIFO of accepted listen-user messages waiting for their turn. A ring buffer: enqueue,
// dequeue and pushFront are O(1) amortized. Messages arrive in hub seq order, so the queue is
// always sorted by trigger seq (a requeued message goes back to the front, before every later seq;
// a retry joins the back with its own, newer trigger).

import type { Actor } from '@pilothouse/protocol';

export interface QueuedMessage {
  readonly message_id: string;
  readonly seq: number;
  /**
   * The seq of the event that asked for this run: the message itself, or a retry of it (a
   * `retry` control, a `/pilothouse retry` message). The hub cursor stays below it until the run ends.
   */
  readonly trigger: number;
  readonly body: string;
  readonly author: Actor;
  /** How many times a turn was started for it (a recoverable thread error requeues it once). */
  readonly attempts: number;
}

export class MessageQueue {
  #buf: Array<QueuedMessage | undefined> = new Array<QueuedMessage | undefined>(16);
  #head = 0;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  peek(): QueuedMessage | undefined {
    return this.#size === 0 ? undefined : this.#buf[this.#head];
  }

  enqueue(message: QueuedMessage): void {
    this.#grow();
    this.#buf[(this.#head + this.#size) % this.#buf.length] = message;
    this.#size += 1;
  }

  dequeue(): QueuedMessage | undefined {
    if (this.#size === 0) return undefined;
    const message = this.#buf[this.#head];
    this.#buf[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.#buf.length;
    this.#size -= 1;
    return message;
  }

  /** Puts a message back at the front, e.g. after a recoverable thread error. */
  pushFront(message: QueuedMessage): void {
    this.#grow();
    this.#head = (this.#head - 1 + this.#buf.length) % this.#buf.length;
    this.#buf[this.#head] = message;
    this.#size += 1;
  }

  /** Removes every message with `seq <= through` (they are at the front) and returns them in order. */
  dropThrough(through: number): QueuedMessage[] {
    const dropped: QueuedMessage[] = [];
    for (let next = this.peek(); next !== undefined && next.seq <= through; next = this.peek()) {
      dropped.push(next);
      this.dequeue();
    }
    return dropped;
  }

  /** Removes everything (runner closing) and returns it in order. */
  drain(): QueuedMessage[] {
    return this.dropThrough(Number.POSITIVE_INFINITY);
  }

  #grow(): void {
    if (this.#size < this.#buf.length) return;
    const next = new Array<QueuedMessage | undefined>(this.#buf.length * 2);
    for (let i = 0; i < this.#size; i += 1) next[i] = this.#buf[(this.#head + i) % this.#buf.length];
    this.#buf = next;
    this.#head = 0;
  }
}
