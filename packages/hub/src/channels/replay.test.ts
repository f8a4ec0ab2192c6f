import { describe, expect, it } from 'vitest';
import { nothingHeld, type ChannelEvent } from '@pilothouse/protocol';
import { startReplay, stepReplay, type ReplayEffect, type ReplayInput, type ReplayState } from './replay.js';

const ev = (seq: number): ChannelEvent => ({
  type: 'state',
  payload: { seq, message_id: 'm', thread_id: 't', state: { state: 'queued' } },
});
const live = (seq: number): ReplayInput => ({ type: 'live_event', event: ev(seq), frame: `f${seq}` });

function run(state: ReplayState, inputs: ReplayInput[]): { state: ReplayState; effects: ReplayEffect[] } {
  const effects: ReplayEffect[] = [];
  for (const input of inputs) {
    const next = stepReplay(state, input);
    state = next.state;
    effects.push(...next.effects);
  }
  return { state, effects };
}

const sent = (effects: ReplayEffect[]) =>
  effects.map((e) => (e.type === 'send_frame' ? e.frame : e.type === 'send_event' ? `e${e.event.payload.seq}` : `fetch>${e.since}`));

describe('replay', () => {
  it('replays, buffers live events meanwhile, and sends each seq once in order', () => {
    const { state, effects } = run(startReplay(2), [
      live(5),
      { type: 'replayed', events: [ev(3), ev(4), ev(5)] },
      live(6),
      { type: 'caught_up' },
      live(6),
      live(7),
    ]);
    expect(sent(effects)).toEqual(['e3', 'e4', 'e5', 'f6', 'f7']);
    expect(state).toEqual({ mode: 'live', lastSent: 7 });
  });

  it('a live event that skips a seq goes back to the store for the gap', () => {
    const first = run({ mode: 'live', lastSent: 10 }, [live(12)]);
    expect(sent(first.effects)).toEqual(['fetch>10']);
    const healed = run(first.state, [live(13), { type: 'replayed', events: [ev(11), ev(12)] }, { type: 'caught_up' }]);
    expect(sent(healed.effects)).toEqual(['e11', 'e12', 'f13']);
    expect(healed.state).toEqual({ mode: 'live', lastSent: 13 });
  });

  it('drops repeats in live mode', () => {
    expect(sent(run({ mode: 'live', lastSent: 4 }, [live(3), live(4), live(5)]).effects)).toEqual(['f5']);
  });
});

describe('replay with a bounded buffer', () => {
  it('drops the live buffer past its limit and reads the log again before going live', () => {
    // Frames are 2 characters ("f5"); a 5-character limit keeps two.
    const step = (state: ReplayState, input: ReplayInput) => stepReplay(state, input, 5);
    let state = startReplay(2);
    const effects: ReplayEffect[] = [];
    for (const input of [live(5), live(6), live(7), live(8), { type: 'replayed', events: [ev(3), ev(4)] } as ReplayInput, { type: 'caught_up' } as ReplayInput]) {
      const next = step(state, input);
      state = next.state;
      effects.push(...next.effects);
    }
    expect(sent(effects)).toEqual(['e3', 'e4', 'fetch>4']);
    expect(state).toEqual({ mode: 'catching_up', lastSent: 4, held: nothingHeld });
    for (const input of [live(9), { type: 'replayed', events: [ev(5), ev(6), ev(7), ev(8), ev(9)] } as ReplayInput, { type: 'caught_up' } as ReplayInput]) {
      const next = step(state, input);
      state = next.state;
      effects.push(...next.effects);
    }
    expect(sent(effects)).toEqual(['e3', 'e4', 'fetch>4', 'e5', 'e6', 'e7', 'e8', 'e9']);
    expect(state).toEqual({ mode: 'live', lastSent: 9 });
  });
});
