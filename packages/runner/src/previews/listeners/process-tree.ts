// The agent's process forest: which processes belong to the agent, each with its depth below the
// root, from a pid -> ppid table. Pure; both scanners read the table their own way (/proc, ps).

/** `root` and every process below it, each with its depth (root = 0). */
export function descendants(root: number, table: ReadonlyMap<number, number>): Map<number, number> {
  return forest([root], [], table);
}

/**
 * Every process below `roots` (depth 0) and below `adopted` (depth 1: processes that left the tree,
 * e.g. a `setsid` dev server now parented by init), each with its depth. `adopted` pids already
 * below another root keep their place there.
 */
export function forest(roots: readonly number[], adopted: readonly number[], table: ReadonlyMap<number, number>): Map<number, number> {
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of table) {
    const list = children.get(ppid);
    if (list === undefined) children.set(ppid, [pid]);
    else list.push(pid);
  }
  const depth = new Map<number, number>();
  const walk = (sources: readonly number[], at: number) => {
    const queue = sources.filter((pid) => !depth.has(pid));
    for (const pid of queue) depth.set(pid, at);
    for (let i = 0; i < queue.length; i += 1) {
      const pid = queue[i] as number;
      for (const child of children.get(pid) ?? []) {
        if (depth.has(child)) continue;
        depth.set(child, (depth.get(pid) ?? 0) + 1);
        queue.push(child);
      }
    }
  };
  walk(roots, 0);
  // An adopted process whose parent is adopted too is reached from that parent.
  const adoptedSet = new Set(adopted);
  walk(adopted.filter((pid) => !adoptedSet.has(table.get(pid) ?? -1)), 1);
  walk(adopted, 1);
  return depth;
}
