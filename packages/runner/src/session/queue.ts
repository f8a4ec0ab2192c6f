// The FIFO of accepted listen-user messages waiting for their turn, as a plain array (at most
// `maxQueued`, 256 by default, so a copy per change is cheap). Messages arrive in hub seq order,
// so the queue is sorted by trigger seq (a requeued message goes back to the front, before every
// later seq; a retry joins the back with its own, newer trigger).

import type { Actor } from '@pilothouse/protocol';

export interface QueuedMessage {
  readonly message_id: string;
  /** The session thread it was sent in: the bound one, or an older one the session re-binds to when it runs (rebind.ts). */
  readonly thread_id: string;
  readonly seq: number;
  /**
   * The seq of the event that asked for this run: the message itself, or a retry of it (a
   * `retry` control, a `/pilothouse retry` message). The hub cursor stays below it until the run ends.
   */
  readonly trigger: number;
  readonly body: string;
  readonly author: Actor;
  /** How many times a turn was started for it (a lost thread requeues it once). */
  readonly attempts: number;
}

export type Queue = readonly QueuedMessage[];

/** Splits off every message with `seq <= through` (they are at the front), in order. */
export function dropThrough(queue: Queue, through: number): { readonly queue: Queue; readonly dropped: Queue } {
  let n = 0;
  while (n < queue.length && queue[n]!.seq <= through) n += 1;
  return n === 0 ? { queue, dropped: [] } : { queue: queue.slice(n), dropped: queue.slice(0, n) };
}
