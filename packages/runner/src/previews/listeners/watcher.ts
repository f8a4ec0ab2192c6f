// Port watcher: which TCP ports the agent's processes listen on, polled on an injected schedule,
// reported as `listening` / `closed` diffs. Two scanners with the same output: /proc on Linux
// (scan.ts), ps + lsof elsewhere, i.e. macOS (lsof.ts).
import { newLsofScanCache, scanListenersLsof, ScanToolMissingError, type LsofScanOptions } from './lsof-scanner.js';
import { newScanCache, scanListeners, type Listener, type ScanCache, type ScanOptions } from './procfs-scanner.js';

export type { Listener } from './procfs-scanner.js';

export type PortEvent =
  | { readonly type: 'listening'; readonly listener: Listener }
  | { readonly type: 'closed'; readonly listener: Listener }
  | { readonly type: 'scan_failed'; readonly error: unknown };

/** Runs `fn` after `ms`; returns a cancel function. The runner's one clock supplies it. */
export type Schedule = (fn: () => void, ms: number) => () => void;

/** Where listeners are read from: /proc (Linux), or `ps` and `lsof` (macOS, or asked for). */
export type PortSource = 'proc' | 'lsof';

/** /proc where the platform has it (Linux), lsof everywhere else (macOS). */
export function defaultPortSource(platform: NodeJS.Platform = process.platform): PortSource {
  return platform === 'linux' ? 'proc' : 'lsof';
}

export interface PortWatcherOptions extends Omit<ScanOptions, 'rootPid' | 'cache'> {
  /** A fixed pid, or asked at each scan (Codex may be restarted under a new pid). */
  readonly rootPid: number | null | (() => number | null);
  readonly intervalMs: number;
  readonly schedule: Schedule;
  /** Default: defaultPortSource(). Ignored when `scan` is given. */
  readonly source?: PortSource;
  /** For the lsof source: how tools are run and which platform's ps flags to use (tests). */
  readonly lsof?: Pick<LsofScanOptions, 'run' | 'platform'>;
  readonly scan?: (options: ScanOptions) => Promise<Listener[]>;
}

const keyOf = (l: Listener): string => `${l.port}/${l.pid}`;

/**
 * Polls `scan` every `intervalMs` (measured from the end of the previous scan, so scans never
 * overlap) and reports what changed. `stop()` cancels the timer and drops any scan in flight.
 */
export class PortWatcher {
  readonly #options: PortWatcherOptions;
  readonly #subscribers = new Set<(event: PortEvent) => void>();
  readonly #cache: ScanCache = newScanCache();
  readonly #scan: (options: ScanOptions) => Promise<Listener[]>;
  #known = new Map<string, Listener>();
  #cancel: (() => void) | null = null;
  #running = false;
  #generation = 0;
  /** Set when a tool the scanner needs is missing: reported once, then no more polling. */
  #off = false;

  constructor(options: PortWatcherOptions) {
    this.#options = options;
    if (options.scan !== undefined) this.#scan = options.scan;
    else if ((options.source ?? defaultPortSource()) === 'proc') this.#scan = scanListeners;
    else {
      const cache = newLsofScanCache();
      this.#scan = ({ rootPid, marker }) => scanListenersLsof({ ...options.lsof, rootPid, cache, ...(marker === undefined ? {} : { marker }) });
    }
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
    const { rootPid, procRoot, marker } = this.#options;
    const generation = this.#generation;
    let next: Listener[];
    try {
      next = await this.#scan({
        rootPid: typeof rootPid === 'function' ? rootPid() : rootPid,
        cache: this.#cache,
        ...(procRoot === undefined ? {} : { procRoot }),
        ...(marker === undefined ? {} : { marker }),
      });
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
