// A moment on the page: a <time> with its machine-readable value and the full date and time on
// hover, written as a row's time ("15:17", with the date on other days) or, in lists, relative
// ("5 min ago"). Relative times move on with one shared minute clock for the whole page.

import { useSyncExternalStore } from 'react';
import { fullTime, relativeTime, rowTime } from '../render/time.js';

const MINUTE = 60_000;
let now = new Date();
const listeners = new Set<() => void>();
let timer: number | null = null;

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  timer ??= window.setInterval(() => {
    now = new Date();
    listeners.forEach((l) => l());
  }, MINUTE);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer !== null) {
      window.clearInterval(timer);
      timer = null;
    }
  };
}

const getNow = () => now;

export function Time({ iso, relative = false, className }: { iso: string; relative?: boolean; className?: string }) {
  const at = useSyncExternalStore(subscribe, getNow);
  // A time written before the clock's last tick is still "now" for the row's own format.
  const reference = new Date(Math.max(at.getTime(), Date.now()));
  return (
    <time className={className} dateTime={iso} title={fullTime(iso)}>
      {relative ? relativeTime(iso, reference) : rowTime(iso, reference)}
    </time>
  );
}
