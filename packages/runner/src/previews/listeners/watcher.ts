// Port watcher: which TCP ports the agent's processes listen on, polled on an injected schedule
// through a ListenerScanner (scanner.ts), reported as `listening` / `closed` diffs. The default
// scanner reads /proc on Linux (procfs-scanner.ts), ps + lsof elsewhere, i.e. macOS (lsof-scanner.ts).
import { LsofScanner } from './lsof-scanner.js';
import { ProcfsScanner } from './procfs-scanner.js';
import { ScanToolMissingError, type Listener, type ListenerScanner } from './scanner.js';

export type { Listener } from './scanner.js';

export type PortEvent =
  | { readonly type: 'listening'; readonly listener: Listener }
  | { readonly type: 'closed'; readonly listener: Listener }
  | { readonly type: 'scan_failed'; readonly error: unknown };

/** Runs `fn` after `ms`; returns a cancel function. The runner's one clock supplies it. */
export type Schedule = (fn: () => void, ms: number) => () => void;

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

export interface PortWatcherOptions {
  /** A fixed pid, or asked at each scan (Codex may be restarted under a new pid). */
  readonly rootPid: number | null | (() => number | null);
  /** `NAME=value` that every process the agent starts inherits (PILOTHOUSE_SESSION=<id>). */
  readonly marker?: string;
  readonly intervalMs: number;
  readonly schedule: Schedule;
  /** Default: defaultScanner(). */
  readonly scanner?: ListenerScanner;
}

const keyOf = (l: Listener): string => `${l.port}/${l.pid}`;

/**
 * Asks the scanner every `intervalMs` (measured from the end of the previous scan, so scans never
 * overlap) and reports what changed. `stop()` cancels the timer and drops any scan in flight.
 */
export class PortWatcher {
  readonly #options: PortWatcherOptions;
  readonly #subscribers = new Set<(event: PortEvent) => void>();
  readonly #scanner: ListenerScanner;
  #known = new Map<string, Listener>();
  #cancel: (() => void) | null = null;
  #running = false;
  #generation = 0;
  /** Set when a tool the scanner needs is missing: reported once, then no more polling. */
  #off = false;

  constructor(options: PortWatcherOptions) {
    this.#options = options;
    this.#scanner = options.scanner ?? defaultScanner();
  }

  /** Current listeners as of the last scan. */
  get listeners(): Listener[] {
    return [...this.#known.values()];
  }

  /** Subscribers run synchronously inside the poll and must not throw. */
  subscribe(fn: (event: PortEvent) => void): () => void {
    this.#subscribers.add(fn);
    return () => this.#subscribers.delete(fn);
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#generation += 1;
    void this.#tick(this.#generation);
  }

  stop(): void {
    this.#running = false;
    this.#generation += 1;
    this.#cancel?.();
    this.#cancel = null;
  }

  /** One scan and its diff, outside the schedule (tests, or a nudge after a command runs). */
  async poll(): Promise<PortEvent[]> {
    if (this.#off) return [];
    const { rootPid, marker } = this.#options;
    const generation = this.#generation;
    let next: Listener[];
    try {
      next = await this.#scanner.scan(typeof rootPid === 'function' ? rootPid() : rootPid, marker);
    } catch (error) {
      // lsof (or ps) not installed: say so once (the runner logs scan_failed) and stop asking.
      if (error instanceof ScanToolMissingError) this.#off = true;
      return this.#emit([{ type: 'scan_failed', error }]);
    }
    if (generation !== this.#generation) return [];
    const fresh = new Map(next.map((l) => [keyOf(l), l]));
    const events: PortEvent[] = [];
    for (const [key, listener] of this.#known) if (!fresh.has(key)) events.push({ type: 'closed', listener });
    for (const [key, listener] of fresh) if (!this.#known.has(key)) events.push({ type: 'listening', listener });
    this.#known = fresh;
    return this.#emit(events);
  }

  async #tick(generation: number): Promise<void> {
    await this.poll();
    if (!this.#running || generation !== this.#generation || this.#off) return;
    this.#cancel = this.#options.schedule(() => void this.#tick(generation), this.#options.intervalMs);
  }

  #emit(events: PortEvent[]): PortEvent[] {
    for (const event of events) for (const fn of this.#subscribers) fn(event);
    return events;
  }
}
