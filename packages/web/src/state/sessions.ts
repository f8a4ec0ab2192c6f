// Which thread a channel opens on: its latest live session (protocol's isLiveSession), if any.

import { isLiveSession, type RunnerPresence } from '@pilothouse/protocol';
import type { ThreadSummary } from './threads.js';

/** The newest session thread whose runner is present; null when none is live. */
export function latestLiveSession(threads: readonly Pick<ThreadSummary, 'root'>[], runners: readonly RunnerPresence[]): string | null {
  let best: Pick<ThreadSummary, 'root'> | null = null;
  for (const t of threads) if (isLiveSession(t.root, runners) && (best === null || t.root.seq > best.root.seq)) best = t;
  return best?.root.id ?? null;
}
