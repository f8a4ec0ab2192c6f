// The state machine of one subscriber: replay from `since`, buffer live events that arrive
// meanwhile, then go live, so the client sees every seq after `since` once, in order. A live event
// that skips a seq (possible when several hubs publish one channel) sends it back to catching up
// from the store. Pure: the caller performs the effects.

import type { ChannelEvent } from '@pilothouse/protocol';

export type ReplayState =
  | { mode: 'catching_up'; lastSent: number; buffer: { event: ChannelEvent; frame: string }[] }
  | { mode: 'live'; lastSent: number };

export type ReplayInput =
  | { type: 'live_event'; event: ChannelEvent; frame: string }
  | { type: 'replayed'; events: ChannelEvent[] }
  | { type: 'caught_up' };

export type ReplayEffect =
  | { type: 'send_frame'; frame: string }
  | { type: 'send_event'; event: ChannelEvent }
  /** Read the log after `since`, feed it back as `replayed`, then `caught_up`. */
  | { type: 'fetch_since'; since: number };

export const startReplay = (since: number): ReplayState => ({ mode: 'catching_up', lastSent: since, buffer: [] });

export function stepReplay(state: ReplayState, input: ReplayInput): { state: ReplayState; effects: ReplayEffect[] } {
  switch (input.type) {
    case 'live_event': {
      const seq = input.event.payload.seq;
      if (state.mode === 'catching_up') {
        // The buffer is appended in place: O(1) per event while a long replay runs.
        state.buffer.push({ event: input.event, frame: input.frame });
        return { state, effects: [] };
      }
      if (seq <= state.lastSent) return { state, effects: [] };
      if (seq > state.lastSent + 1) {
        return {
          state: { mode: 'catching_up', lastSent: state.lastSent, buffer: [{ event: input.event, frame: input.frame }] },
          effects: [{ type: 'fetch_since', since: state.lastSent }],
        };
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
