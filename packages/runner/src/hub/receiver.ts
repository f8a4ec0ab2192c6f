// The inbound side of the client: events go through the feed (parse, dedup) to the owner's
// listener; the owner's `ack` advances the persisted cursor; each join is checked against it.
// What the next join resumes from is the last seq delivered, which is at or after the cursor.

import { assertNever, type ChannelEvent, type ChannelEventName } from '@pilothouse/protocol';
import type { HubLogger } from './api.js';
import type { CursorStore } from './cursor.js';
import { HubClientError } from './errors.js';
import { InboundFeed } from './inbound.js';

export class Receiver {
  readonly #cursor: CursorStore;
  readonly #listener: (event: ChannelEvent) => void;
  readonly #log: HubLogger;
  readonly #feed: InboundFeed;
  #acked: number | undefined;

  constructor(cursor: CursorStore, listener: (event: ChannelEvent) => void, log: HubLogger) {
    this.#cursor = cursor;
    this.#listener = listener;
    this.#log = log;
    this.#acked = cursor.load();
    this.#feed = new InboundFeed(this.#acked);
  }

  /** The `since` of the next join; undefined for a fresh runner (join at the head). */
  get resumeFrom(): number | undefined {
    return this.#feed.lastDelivered;
  }

  /**
   * A join was answered with the channel's head. A cursor ahead of it is refused (it belongs to
   * another hub, or the hub lost data: resuming would silently skip events); a fresh runner
   * persists the head, so that a restart resumes from here rather than from "now".
   */
  joined(channel: string, headSeq: number): HubClientError | null {
    const since = this.#feed.lastDelivered;
    if (since !== undefined && headSeq < since) {
      return new HubClientError(
        'cursor_ahead',
        `The cursor (${since}) is ahead of ${channel} on the hub (head ${headSeq}): it belongs to another hub, or the hub lost data. Delete the cursor file to start from the head.`,
      );
    }
    this.#feed.joined(headSeq);
    if (this.#acked === undefined) this.#save(headSeq);
    return null;
  }

  receive(name: ChannelEventName, payload: unknown): void {
    const result = this.#feed.accept(name, payload);
    switch (result.type) {
      case 'deliver':
        if (result.gap > 0) this.#log.warn({ seq: result.event.payload.seq, missing: result.gap }, 'channel events skipped seqs');
        try {
          this.#listener(result.event);
        } catch (err) {
          this.#log.error({ err, seq: result.event.payload.seq, type: result.event.type }, 'onEvent listener threw');
        }
        return;
      case 'repeat':
        return;
      case 'invalid':
        this.#log.error({ event: result.name, issues: result.issues }, 'the hub sent an event that does not match the protocol; dropped');
        return;
      default:
        assertNever(result);
    }
  }

  ack(seq: number): void {
    const delivered = this.#feed.lastDelivered;
    if (!Number.isSafeInteger(seq) || delivered === undefined || seq > delivered) {
      throw new HubClientError('invalid_ack', `ack(${seq}): the last delivered seq is ${String(delivered)}.`);
    }
    if (this.#acked === undefined || seq > this.#acked) this.#save(seq);
  }

  #save(seq: number): void {
    this.#cursor.save(seq);
    this.#acked = seq;
  }
}
