// Port watcher: which TCP ports are listened on by the agent's process tree, polled on an
// injected schedule, reported as `listening` / `closed` diffs. Linux only (/proc); one scan reads
// every /proc/<pid>/stat once, then fds, cmdline and cwd of the tree's processes only.
import {
  descendants,
  readListeningSockets,
  readProcessInfo,
  readProcessTable,
  readSocketInodes,
  type ListeningSocket,
} from './procfs.js';

export interface Listener {
  readonly port: number;
  readonly pid: number;
  /** The process's argv joined by spaces. */
  readonly command: string;
  readonly cwd: string;
  /** Local addresses this process listens on for `port` ("127.0.0.1", "::"…), sorted. */
  readonly addresses: readonly string[];
}

export type PortEvent =
  | { readonly type: 'listening'; readonly listener: Listener }
  | { readonly type: 'closed'; readonly listener: Listener }
  | { readonly type: 'scan_failed'; readonly error: unknown };

/** Runs `fn` after `ms`; returns a cancel function. The runner's one clock supplies it. */
export type Schedule = (fn: () => void, ms: number) => () => void;

export interface ScanOptions {
  readonly rootPid: number;
  readonly procRoot?: string;
}

/** One snapshot of the listeners owned by `rootPid` and its descendants, one per (port, pid). */
export async function scanListeners({ rootPid, procRoot = '/proc' }: ScanOptions): Promise<Listener[]> {
  const [table, sockets] = await Promise.all([readProcessTable(procRoot), readListeningSockets(rootPid, procRoot)]);
  if (sockets.length === 0) return [];
  const tree = descendants(rootPid, table);
  if (!table.has(rootPid)) return [];
  const byInode = new Map<string, ListeningSocket[]>();
  for (const socket of sockets) {
    const list = byInode.get(socket.inode);
    if (list === undefined) byInode.set(socket.inode, [socket]);
    else list.push(socket);
  }
  // A listening fd inherited across fork is held by several processes: credit the one nearest the
  // root (the one that most likely opened it), lowest pid on ties.
  const owner = new Map<string, { pid: number; depth: number }>();
  const held = await Promise.all([...tree].map(async ([pid, depth]) => ({ pid, depth, inodes: await readSocketInodes(pid, procRoot) })));
  for (const { pid, depth, inodes } of held) {
    for (const inode of inodes) {
      if (!byInode.has(inode)) continue;
      const current = owner.get(inode);
      if (current === undefined || depth < current.depth || (depth === current.depth && pid < current.pid)) owner.set(inode, { pid, depth });
    }
  }
  const grouped = new Map<string, { port: number; pid: number; addresses: Set<string> }>();
  for (const [inode, { pid }] of owner) {
    for (const socket of byInode.get(inode) ?? []) {
      const key = `${socket.port}/${pid}`;
      const group = grouped.get(key) ?? { port: socket.port, pid, addresses: new Set<string>() };
      group.addresses.add(socket.address);
      grouped.set(key, group);
    }
  }
  const listeners = await Promise.all(
    [...grouped.values()].map(async ({ port, pid, addresses }): Promise<Listener | null> => {
      const info = await readProcessInfo(pid, procRoot);
      return info === null ? null : { port, pid, command: info.command, cwd: info.cwd, addresses: [...addresses].sort() };
    }),
  );
  return listeners.filter((l): l is Listener => l !== null).sort((a, b) => a.port - b.port || a.pid - b.pid);
}

export interface PortWatcherOptions extends ScanOptions {
  readonly intervalMs: number;
  readonly schedule: Schedule;
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
  #known = new Map<string, Listener>();
  #cancel: (() => void) | null = null;
  #running = false;
  #generation = 0;

  constructor(options: PortWatcherOptions) {
    this.#options = options;
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
    const { scan = scanListeners, rootPid, procRoot } = this.#options;
    const generation = this.#generation;
    let next: Listener[];
    try {
      next = await scan({ rootPid, ...(procRoot === undefined ? {} : { procRoot }) });
    } catch (error) {
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
    if (!this.#running || generation !== this.#generation) return;
    this.#cancel = this.#options.schedule(() => void this.#tick(generation), this.#options.intervalMs);
  }

  #emit(events: PortEvent[]): PortEvent[] {
    for (const event of events) for (const fn of this.#subscribers) fn(event);
    return events;
  }
}
