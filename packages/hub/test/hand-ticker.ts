// The retention job's timer (retention/pruner.ts `Ticker`), ticked by the test instead of the clock.

import type { Ticker } from '../src/retention/pruner.js';

export function handTicker() {
  const armed: { ms: number; tick: () => void; cancelled: boolean }[] = [];
  const ticker: Ticker = {
    every(ms, tick) {
      const timer = { ms, tick, cancelled: false };
      armed.push(timer);
      return { cancel: () => void (timer.cancelled = true) };
    },
  };
  const tick = () => armed.filter((t) => !t.cancelled).forEach((t) => t.tick());
  return { ticker, armed, tick };
}
