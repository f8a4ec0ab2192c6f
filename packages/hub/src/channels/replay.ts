// The state machine of one subscriber: replay from `since`, buffer live events that arrive
// meanwhile, then go live, so the client sees every seq after `since` once, in order. A live event
// that skips a seq (possible when several hubs publish one channel) sends it back to catching up
// from the store. The buffer is bounded: past `maxBufferBytes` it is dropped and the log is read
// again once the replay ends (the store is the source of truth). Pure: the caller performs the effects.

import type { ChannelEvent } from '@pilothouse/protocol';

export type ReplayState =
  | {
      mode: 'catching_up';
      lastSent: number;
      buffer: { event: ChannelEvent; frame: string }[];
      /** Characters of the buffered frames. */
      bufferBytes: number;
      /** Live events were dropped: read the log again before going live. */
      dropped: boolean;
    }
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

const catchingUp = (lastSent: number, buffer: { event: ChannelEvent; frame: string }[] = []): ReplayState => ({
  mode: 'catching_up',
  lastSent,
  buffer,
  bufferBytes: buffer.reduce((n, b) => n + b.frame.length, 0),
  dropped: false,
});

export const startReplay = (since: number): ReplayState => catchingUp(since);

export function stepReplay(
  state: ReplayState,
  input: ReplayInput,
  maxBufferBytes = MAX_BUFFER_BYTES,
): { state: ReplayState; effects: ReplayEffect[] } {
  switch (input.type) {
    case 'live_event': {
      const seq = input.event.payload.seq;
      if (state.mode === 'catching_up') {
        if (state.dropped) return { state, effects: [] };
        if (state.bufferBytes + input.frame.length > maxBufferBytes) {
          return { state: { ...state, buffer: [], bufferBytes: 0, dropped: true }, effects: [] };
        }
        // The buffer is appended in place: O(1) per event while a long replay runs.
        state.buffer.push({ event: input.event, frame: input.frame });
        state.bufferBytes += input.frame.length;
        return { state, effects: [] };
      }
      if (seq <= state.lastSent) return { state, effects: [] };
      if (seq > state.lastSent + 1) {
        return { state: catchingUp(state.lastSent, [{ event: input.event, frame: input.frame }]), effects: [{ type: 'fetch_since', since: state.lastSent }] };
      }
      return { state: { mode: 'live', lastSent: seq }, effects: [{ type: 'send_frame', frame: input.frame }] };
    }
    case 'replayed': {
      const effects: ReplayEffect[] = [];
      let lastSent = state.lastSent;
      for (const event of input.events) {
        if (event.payload.seq <= lastSent) continue;
        effects.push({ type: 'send_event', event });
        lastSent = event.payload.seq;
      }
      return { state: { ...state, lastSent }, effects };
    }
    case 'caught_up': {
      if (state.mode === 'live') return { state, effects: [] };
      // Live events were dropped meanwhile: they are in the log; read it again from where we are.
      if (state.dropped) return { state: catchingUp(state.lastSent), effects: [{ type: 'fetch_since', since: state.lastSent }] };
      const effects: ReplayEffect[] = [];
      let lastSent = state.lastSent;
      for (const { event, frame } of state.buffer) {
        if (event.payload.seq <= lastSent) continue;
        effects.push({ type: 'send_frame', frame });
        lastSent = event.payload.seq;
      }
      return { state: { mode: 'live', lastSent }, effects };
    }
    default:
      return assertNever(input);
  }
}

export function assertNever(x: never): never {
  throw new Error(`unexpected ${JSON.stringify(x)}`);
}
