// The ListenerScanner (scanner.ts) on Linux: one scan of /proc for the listening TCP sockets of the
// agent's processes (Codex's descendants and the processes carrying the session marker).
//
// Cost (measured, docs/decisions/port-watcher-marker.md): reading /proc/net/tcp{,6} costs the
// kernel a walk of its whole socket hash table (milliseconds, whatever the number of rows), so a
// scan reads them only when the set of socket inodes held by the agent's processes changed, or
// every REFRESH_SCANS scans (a socket that starts listening without a new fd). Each process's
// environ is read once, cached by pid and start time.
import { attributeListeners, type SocketHold } from './attribution.js';
import { forest } from './process-tree.js';
import { environMarker, inBatches, readListeningSockets, readProcessInfo, readProcessStats, readSocketInodes, type ListeningSocket, type StatFields } from './procfs.js';
import type { Listener, ListenerScanner } from './scanner.js';

/** Net tables are re-read at least this often (in scans) even when no socket fd came or went. */
export const REFRESH_SCANS = 10;

/** What one scan leaves for the next. */
export interface ProcfsScanCache {
  /**
   * The marker check per pid, with the start time that tells a reused pid and the comm that tells
   * an exec (which may bring a new environment); pruned to live pids.
   */
  readonly markers: Map<number, { readonly start: string; readonly comm: string; readonly marked: boolean }>;
  /** The socket inodes the agent's processes held at the last read of the net tables, sorted and joined. */
  inodeKey: string | null;
  sockets: readonly ListeningSocket[];
  scansSinceRead: number;
  /** How many scans read the net tables (for the bench and tests). */
  tableReads: number;
}

export interface ProcfsScannerOptions {
  /** Default /proc. */
  readonly procRoot?: string;
}

/** The ListenerScanner on Linux: reads /proc, no process started. */
export class ProcfsScanner implements ListenerScanner {
  readonly cache: ProcfsScanCache = { markers: new Map(), inodeKey: null, sockets: [], scansSinceRead: 0, tableReads: 0 };
  readonly #procRoot: string;

  constructor({ procRoot = '/proc' }: ProcfsScannerOptions = {}) {
    this.#procRoot = procRoot;
  }

  async scan(rootPid: number | null, marker?: string): Promise<Listener[]> {
    const procRoot = this.#procRoot;
    const table = await readProcessStats(procRoot);
    const roots = rootPid !== null && table.has(rootPid) ? [rootPid] : [];
    const adopted = marker === undefined ? [] : await markedProcesses(table, marker, this.cache, procRoot);
    if (roots.length === 0 && adopted.length === 0) return [];
    const tree = forest(roots, adopted, new Map([...table].map(([pid, { ppid }]) => [pid, ppid])));
    const held: { pid: number; depth: number; inodes: string[] }[] = [];
    await inBatches([...tree], ([pid, depth]) => held.push({ pid, depth, inodes: readSocketInodes(pid, procRoot) }));
    const sockets = await listeningSockets(held, this.cache, roots[0] ?? adopted[0] ?? process.pid, procRoot);
    if (sockets.length === 0) return [];
    const byInode = new Map<string, ListeningSocket[]>();
    for (const socket of sockets) {
      const list = byInode.get(socket.inode);
      if (list === undefined) byInode.set(socket.inode, [socket]);
      else list.push(socket);
    }
    const holds: SocketHold[] = [];
    for (const { pid, depth, inodes } of held) {
      for (const inode of inodes) {
        for (const { port, address } of byInode.get(inode) ?? []) holds.push({ socket: inode, pid, depth, port, address });
      }
    }
    const listeners = await Promise.all(
      attributeListeners(holds).map(async ({ port, pid, addresses }): Promise<Listener | null> => {
        const info = await readProcessInfo(pid, procRoot);
        return info === null ? null : { port, pid, command: info.command, cwd: info.cwd, addresses };
      }),
    );
    return listeners.filter((l): l is Listener => l !== null);
  }
}

/** The LISTEN rows of the net tables, read again only when the held socket inodes changed (or to refresh). */
async function listeningSockets(held: readonly { inodes: readonly string[] }[], cache: ProcfsScanCache, nsPid: number, procRoot: string): Promise<readonly ListeningSocket[]> {
  const inodes = held.flatMap((h) => h.inodes);
  if (inodes.length === 0) {
    cache.inodeKey = '';
    cache.sockets = [];
    return [];
  }
  const key = [...new Set(inodes)].sort().join(',');
  cache.scansSinceRead += 1;
  if (key === cache.inodeKey && cache.scansSinceRead < REFRESH_SCANS) return cache.sockets;
  cache.sockets = await readListeningSockets(nsPid, procRoot);
  cache.inodeKey = key;
  cache.scansSinceRead = 0;
  cache.tableReads += 1;
  return cache.sockets;
}

/** Pids whose environment holds `marker`; reads the environ of processes new since the last scan only. */
async function markedProcesses(table: ReadonlyMap<number, StatFields>, marker: string, cache: ProcfsScanCache, procRoot: string): Promise<number[]> {
  const { markers } = cache;
  for (const [pid, entry] of markers) {
    const now = table.get(pid);
    if (now?.start !== entry.start || now.comm !== entry.comm) markers.delete(pid);
  }
  const fresh = [...table].filter(([pid]) => !markers.has(pid));
  await inBatches(fresh, ([pid, { start, ppid, comm }]) => {
    // Kernel threads (kthreadd = 2 and its children) have no environment.
    const found = pid === 2 || ppid === 2 ? 'unmarked' : environMarker(pid, marker, procRoot);
    // Not known yet (mid-exec, zombie): asked again next scan rather than remembered wrong.
    if (found !== 'unknown') markers.set(pid, { start, comm, marked: found === 'marked' });
  });
  const out: number[] = [];
  for (const [pid, { marked }] of markers) if (marked) out.push(pid);
  return out;
}
