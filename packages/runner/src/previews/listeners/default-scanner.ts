// The scanner for this machine: /proc on Linux (procfs-scanner.ts), `ps` + `lsof` elsewhere, i.e.
// macOS (lsof-scanner.ts). The session decides when to scan and diffs the results (session/previews/).
import { LsofScanner } from './lsof-scanner.js';
import { ProcfsScanner } from './procfs-scanner.js';
import type { ListenerScanner } from './scanner.js';

/** Where listeners are read from: /proc (Linux), or `ps` and `lsof` (macOS). */
export type PortSource = 'proc' | 'lsof';

/** /proc where the platform has it (Linux), lsof everywhere else (macOS). */
export function defaultPortSource(platform: NodeJS.Platform = process.platform): PortSource {
  return platform === 'linux' ? 'proc' : 'lsof';
}

/** A fresh scanner (with its own cache) for the platform's source. */
export function defaultScanner(platform: NodeJS.Platform = process.platform): ListenerScanner {
  return defaultPortSource(platform) === 'proc' ? new ProcfsScanner() : new LsofScanner({ platform });
}
