// The state machine of one subscriber: replay from `since`, buffer live events that arrive
// meanwhile, then go live, so the client sees every seq after `since` once, in order. A live event
// that skips a seq (possible when several hubs publish one channel) sends it back to catching up
// from the store. The buffer is bounded: past `maxBufferBytes` it is dropped and the log is read
// again once the replay ends (the store is the source of truth). The seq rules are protocol's
// seq-gate. Pure: the caller performs the effects.

import { admit, assertNever, eventsAbove, heldEvents, holdEvent, nothingHeld, type ChannelEvent, type Held } from '@pilothouse/protocol';

/** A live event kept while a replay runs: the frame is sent as is once the replay is done. */
interface LiveEvent {
  event: ChannelEvent;
  frame: string;
}

export type ReplayState =
  /** `held` is bounded in characters of frames; once it overflows, the log is read again before going live. */
  | { mode: 'catching_up'; lastSent: number; held: Held<LiveEvent> }
  | { mode: 'live'; lastSent: number };

/** Live events kept while a replay runs, in characters of frames (about one replay page or two). */
export const MAX_BUFFER_BYTES = 1024 * 1024;

export type ReplayInput =
  | { type: 'live_event'; event: ChannelEvent; frame: string }
  | { type: 'replayed'; events: ChannelEvent[] }
  | { type: 'caught_up' };

export type ReplayEffect =
  | { type: 'send_frame'; frame: string }
  | { type: 'send_event'; event: ChannelEvent }
  /** Read the log after `since`, feed it back as `replayed`, then `caught_up`. */
  | { type: 'fetch_since'; since: number };

const catchingUp = (lastSent: number, held: Held<LiveEvent> = nothingHeld): ReplayState => ({ mode: 'catching_up', lastSent, held });

export const startReplay = (since: number): ReplayState => catchingUp(since);

export function stepReplay(
  state: ReplayState,
  input: ReplayInput,
  maxBufferBytes = MAX_BUFFER_BYTES,
): { state: ReplayState; effects: ReplayEffect[] } {
  switch (input.type) {
    case 'live_event': {
      const live = { event: input.event, frame: input.frame };
      if (state.mode === 'catching_up') return { state: { ...state, held: holdEvent(state.held, live, maxBufferBytes, input.frame.length) }, effects: [] };
      const admission = admit(state.lastSent, input.event.payload.seq);
      if (admission.type === 'repeat') return { state, effects: [] };
      if (admission.gap > 0) {
        const held = holdEvent(nothingHeld, live, maxBufferBytes, input.frame.length);
        return { state: catchingUp(state.lastSent, held), effects: [{ type: 'fetch_since', since: state.lastSent }] };
      }
      return { state: { mode: 'live', lastSent: input.event.payload.seq }, effects: [{ type: 'send_frame', frame: input.frame }] };
    }
    case 'replayed': {
      const { through, events } = eventsAbove(state.lastSent, input.events, (e) => e.payload.seq);
      return { state: { ...state, lastSent: through }, effects: events.map((event) => ({ type: 'send_event', event })) };
    }
    case 'caught_up': {
      if (state.mode === 'live') return { state, effects: [] };
      // Live events were dropped meanwhile: they are in the log; read it again from where we are.
      if (state.held.overflowed) return { state: catchingUp(state.lastSent), effects: [{ type: 'fetch_since', since: state.lastSent }] };
      const { through, events } = eventsAbove(state.lastSent, heldEvents(state.held), (l) => l.event.payload.seq);
      return { state: { mode: 'live', lastSent: through }, effects: events.map(({ frame }) => ({ type: 'send_frame', frame })) };
    }
    default:
      return assertNever(input, 'replay input');
  }
}
