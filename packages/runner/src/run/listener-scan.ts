// One scan of what the agent's processes listen on, for the session's `scan_listeners` effect: /proc
// on Linux, ps + lsof elsewhere. The session diffs the results and decides when to scan next.

import { newLsofScanCache, scanListenersLsof, ScanToolMissingError } from '../ports/lsof.js';
import { newScanCache, scanListeners, type Listener } from '../ports/scan.js';
import { defaultPortSource } from '../ports/watcher.js';

export type ScanOutcome =
  | { readonly ok: true; readonly listeners: readonly Listener[] }
  /** `permanent`: a tool the scanner needs is missing; asking again will not help. */
  | { readonly ok: false; readonly error: string; readonly permanent: boolean };

export interface ListenerScanOptions {
  /** The agent's process, asked at each scan (Codex may be restarted under a new pid). */
  readonly rootPid: () => number | null;
  /** `NAME=value` that every process the agent starts inherits. */
  readonly marker: string;
}

/** A scanner that keeps its caches between scans; never rejects. */
export function listenerScanner({ rootPid, marker }: ListenerScanOptions): () => Promise<ScanOutcome> {
  const procCache = newScanCache();
  const lsofCache = newLsofScanCache();
  const scan = (): Promise<Listener[]> =>
    defaultPortSource() === 'proc' ? scanListeners({ rootPid: rootPid(), marker, cache: procCache }) : scanListenersLsof({ rootPid: rootPid(), marker, cache: lsofCache });
  return () =>
    scan().then(
      (listeners): ScanOutcome => ({ ok: true, listeners }),
      (err: unknown): ScanOutcome => ({ ok: false, error: err instanceof Error ? err.message : String(err), permanent: err instanceof ScanToolMissingError }),
    );
}
