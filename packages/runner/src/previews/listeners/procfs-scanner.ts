// One scan of /proc for the listening TCP sockets of the agent's processes.
//
// "The agent's processes" are Codex's descendants AND processes carrying the session's marker in
// their environment: Codex kills a command's process group when the command ends, so a dev server
// that outlives its command must have left the group (`setsid`, a daemonizing tool) and is then
// parented by init, outside the tree; it still inherited Codex's environment (see
// docs/decisions/port-watcher-marker.md).
//
// Cost (measured, docs/decisions/port-watcher-marker.md): reading /proc/net/tcp{,6} costs the
// kernel a walk of its whole socket hash table (milliseconds, whatever the number of rows), so a
// scan reads them only when the set of socket inodes held by the agent's processes changed, or
// every REFRESH_SCANS scans (a socket that starts listening without a new fd). Each process's
// environ is read once, cached by pid and start time.
import {
  forest,
  environMarker,
  inBatches,
  readListeningSockets,
  readProcessInfo,
  readProcessStats,
  readSocketInodes,
  type ListeningSocket,
  type StatFields,
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

export interface ScanOptions {
  /** The agent's process (codex app-server); null while it is not running. */
  readonly rootPid: number | null;
  readonly procRoot?: string;
  /** `NAME=value` that every process the agent starts inherits (PILOTHOUSE_SESSION=<id>). */
  readonly marker?: string;
  /** What one scan leaves for the next (see ScanCache); a fresh one makes a full scan. */
  readonly cache?: ScanCache;
}

/** Net tables are re-read at least this often (in scans) even when no socket fd came or went. */
export const REFRESH_SCANS = 10;

export interface ScanCache {
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

export function newScanCache(): ScanCache {
  return { markers: new Map(), inodeKey: null, sockets: [], scansSinceRead: 0, tableReads: 0 };
}

/** One snapshot of the listeners owned by the session's processes, one per (port, pid). */
export async function scanListeners({ rootPid, procRoot = '/proc', marker, cache = newScanCache() }: ScanOptions): Promise<Listener[]> {
  const table = await readProcessStats(procRoot);
  const roots = rootPid !== null && table.has(rootPid) ? [rootPid] : [];
  const adopted = marker === undefined ? [] : await markedProcesses(table, marker, cache, procRoot);
  if (roots.length === 0 && adopted.length === 0) return [];
  const tree = forest(roots, adopted, new Map([...table].map(([pid, { ppid }]) => [pid, ppid])));
  const held: { pid: number; depth: number; inodes: string[] }[] = [];
  await inBatches([...tree], ([pid, depth]) => held.push({ pid, depth, inodes: readSocketInodes(pid, procRoot) }));
  const sockets = await listeningSockets(held, cache, roots[0] ?? adopted[0] ?? process.pid, procRoot);
  if (sockets.length === 0) return [];
  const byInode = new Map<string, ListeningSocket[]>();
  for (const socket of sockets) {
    const list = byInode.get(socket.inode);
    if (list === undefined) byInode.set(socket.inode, [socket]);
    else list.push(socket);
  }
  // A listening fd inherited across fork is held by several processes: credit the one nearest the
  // root (the one that most likely opened it), lowest pid on ties.
  const owner = new Map<string, { pid: number; depth: number }>();
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

/** The LISTEN rows of the net tables, read again only when the held socket inodes changed (or to refresh). */
async function listeningSockets(held: readonly { inodes: readonly string[] }[], cache: ScanCache, nsPid: number, procRoot: string): Promise<readonly ListeningSocket[]> {
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
async function markedProcesses(table: ReadonlyMap<number, StatFields>, marker: string, cache: ScanCache, procRoot: string): Promise<number[]> {
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
