// Which process a listening socket is credited to, and the grouping into one listener per
// (port, pid): pure, shared by both scanners (procfs-scanner.ts, lsof-scanner.ts).

/** One process holding one listening socket (through one of its fds). */
export interface SocketHold {
  /** What tells one socket from another when several processes hold it: the inode on Linux. */
  readonly socket: string;
  readonly pid: number;
  /** The process's depth in the agent's process forest (process-tree.ts): root 0. */
  readonly depth: number;
  readonly port: number;
  /** Local address: "127.0.0.1", "::"… */
  readonly address: string;
}

/** A listener before the process's command and cwd are known. */
export interface OwnedListener {
  readonly port: number;
  readonly pid: number;
  /** Sorted, each once. */
  readonly addresses: readonly string[];
}

/**
 * A listening fd inherited across fork is held by several processes: each socket is credited to
 * the holder nearest the root (the one that most likely opened it), lowest pid on ties. The
 * credited sockets are then grouped per (port, pid) with their addresses; sorted by port, then pid.
 */
export function attributeListeners(holds: readonly SocketHold[]): OwnedListener[] {
  const owner = new Map<string, { pid: number; depth: number }>();
  for (const { socket, pid, depth } of holds) {
    const current = owner.get(socket);
    if (current === undefined || depth < current.depth || (depth === current.depth && pid < current.pid)) owner.set(socket, { pid, depth });
  }
  const grouped = new Map<string, { port: number; pid: number; addresses: Set<string> }>();
  for (const { socket, pid, port, address } of holds) {
    if (owner.get(socket)?.pid !== pid) continue;
    const key = `${port}/${pid}`;
    const group = grouped.get(key) ?? { port, pid, addresses: new Set<string>() };
    group.addresses.add(address);
    grouped.set(key, group);
  }
  return [...grouped.values()]
    .map(({ port, pid, addresses }) => ({ port, pid, addresses: [...addresses].sort() }))
    .sort((a, b) => a.port - b.port || a.pid - b.pid);
}
