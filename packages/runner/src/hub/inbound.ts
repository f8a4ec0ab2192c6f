// Inbound channel events, parsed at the boundary with the protocol's ChannelEvents table and
// delivered once each in seq order: a repeat (seq at or below the last delivered, as after a
// rejoin whose replay overlaps what was already seen) is dropped. `lastDelivered` is what the
// next join asks to resume from (the seq rule is protocol's seq-gate). Pure: the client feeds it
// frames and hands deliveries on.

import { admit, ChannelEvents, type ChannelEvent, type ChannelEventName } from '@pilothouse/protocol';
import { describeIssues } from './errors.js';

export type Inbound =
  | { type: 'deliver'; event: ChannelEvent; /** seqs skipped before this one; 0 when contiguous. */ gap: number }
  | { type: 'repeat'; seq: number }
  | { type: 'invalid'; name: ChannelEventName; issues: string };

export class InboundFeed {
  #lastDelivered: number | undefined;

  constructor(resumeFrom: number | undefined) {
    this.#lastDelivered = resumeFrom;
  }

  /** The last seq delivered (or resumed from); undefined before the first join of a fresh runner. */
  get lastDelivered(): number | undefined {
    return this.#lastDelivered;
  }

  /** A join was answered with the channel's head: a fresh runner starts from there. */
  joined(headSeq: number): void {
    this.#lastDelivered ??= headSeq;
  }

  accept(name: ChannelEventName, payload: unknown): Inbound {
    const parsed = ChannelEvents[name].safeParse(payload);
    if (!parsed.success) {
      return { type: 'invalid', name, issues: describeIssues(parsed.error) };
    }
    // Each schema's output is exactly that event's payload; the table and the union agree by construction.
    const event = { type: name, payload: parsed.data } as ChannelEvent;
    const seq = event.payload.seq;
    const admission = admit(this.#lastDelivered ?? null, seq);
    if (admission.type === 'repeat') return { type: 'repeat', seq };
    this.#lastDelivered = seq;
    return { type: 'deliver', event, gap: admission.gap };
  }
}
