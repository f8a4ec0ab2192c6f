// Fan-out of committed channel events to every subscribed socket. A frame is encoded once per
// event and the same text is sent to each subscriber (as Phoenix's fastlane does).

import { channelTopic, encodeFrame, type ChannelEvent, type ChannelRef, type EphemeralEventName } from '@pilothouse/protocol';

export interface Subscriber {
  /** Receives the event and its pre-encoded frame; decides itself whether to send or buffer. */
  deliver(event: ChannelEvent, frame: string): void;
  /** Receives an ephemeral event's frame (no seq, not in the log: sent as is, never replayed). */
  ephemeral(frame: string): void;
}

export class Fanout {
  private readonly byChannel = new Map<string, { topic: string; subs: Set<Subscriber> }>();

  subscribe(channelId: string, ref: ChannelRef, sub: Subscriber): () => void {
    let entry = this.byChannel.get(channelId);
    if (!entry) {
      entry = { topic: channelTopic(ref), subs: new Set() };
      this.byChannel.set(channelId, entry);
    }
    entry.subs.add(sub);
    return () => {
      const e = this.byChannel.get(channelId);
      if (!e) return;
      e.subs.delete(sub);
      if (e.subs.size === 0) this.byChannel.delete(channelId);
    };
  }

  publish(channelId: string, event: ChannelEvent): void {
    const entry = this.byChannel.get(channelId);
    if (!entry) return;
    const frame = encodeFrame({ joinRef: null, ref: null, topic: entry.topic, event: event.type, payload: event.payload });
    for (const sub of entry.subs) sub.deliver(event, frame);
  }

  /** Sends an ephemeral event (protocol's EphemeralEvents) to the channel's subscribers on this hub. */
  broadcast(channelId: string, event: EphemeralEventName, payload: unknown): void {
    const entry = this.byChannel.get(channelId);
    if (!entry) return;
    const frame = encodeFrame({ joinRef: null, ref: null, topic: entry.topic, event, payload });
    for (const sub of entry.subs) sub.ephemeral(frame);
  }

  subscriberCount(): number {
    let n = 0;
    for (const e of this.byChannel.values()) n += e.subs.size;
    return n;
  }
}
