// The loop around the pure session core: holds its state, steps it with each input, hands the
// effects to the effect runner in order, and keeps the clock at the core's next deadline. Hub
// events that arrive before the session exists wait here, in order.

import type { ChannelEvent } from '@pilothouse/protocol';
import { nextDeadline, step, type Effect, type SessionInput, type SessionState, type ThreadSnapshot } from '../session/index.js';
import { Clock } from './clock.js';

export class SessionLoop {
  #state: SessionState | null = null;
  #perform: (effect: Effect) => void = () => {};
  readonly #early: ChannelEvent[] = [];
  readonly #clock = new Clock((now) => this.feed({ type: 'tick', now }));

  /** The session as it stands (null before `start`). */
  get state(): SessionState | null {
    return this.#state;
  }

  /** A hub event: fed at once, or kept until `start`. */
  readonly hubEvent = (event: ChannelEvent): void => {
    if (this.#state) this.feed({ type: 'hub_event', now: Date.now(), event });
    else this.#early.push(event);
  };

  /** One input through `step`; its effects are performed in order. Dropped before `start`. */
  readonly feed = (input: SessionInput): void => {
    if (!this.#state) return;
    const result = step(this.#state, input);
    this.#state = result.state;
    for (const effect of result.effects) this.#perform(effect);
    this.#clock.arm(nextDeadline(this.#state));
  };

  /** The session exists: what the dead process left (`--resume`) first, then the hub events that waited. */
  start(state: SessionState, perform: (effect: Effect) => void, recovered: ThreadSnapshot | null): void {
    this.#state = state;
    this.#perform = perform;
    if (recovered) this.feed({ type: 'recover', now: Date.now(), thread: recovered });
    for (const event of this.#early.splice(0)) this.feed({ type: 'hub_event', now: Date.now(), event });
    this.#clock.arm(nextDeadline(state));
  }

  /** No more ticks (the runner closes). */
  stopClock(): void {
    this.#clock.stop();
  }
}
