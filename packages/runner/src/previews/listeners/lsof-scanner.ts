// The ListenerScanner (scanner.ts) where there is no /proc (macOS): the same `Listener` list as
// procfs-scanner.ts, from `ps` (process tree, command lines, the session marker) and `lsof`
// (listening sockets, cwd).
//
// A scan runs, each through execFile (no shell) with a timeout:
//   1. `ps -A -ww -o pid=,ppid=,lstart=,command=`: every process, its parent, start time and argv;
//   2. with a marker, `ps` again with the environment (macOS `-E`, procps `e`) for the processes not
//      seen before only, remembered by (pid, start time, command) as procfs-scanner.ts remembers
//      environs;
//   3. `lsof -a -p <the agent's pids> -iTCP -sTCP:LISTEN -F …`: only the agent's processes are
//      asked about, which keeps lsof from walking every process's files;
//   4. `lsof -a -p <listener pids> -d cwd` for listeners whose cwd is not known yet.
// Steady state is two short-lived processes per scan (1 and 3; about 21 ms of CPU per scan on the
// Linux VM measured in docs/decisions/port-watcher-marker.md, against 3.4 ms for /proc); only the
// table is read when the agent has no process at all.
//
// The marker on macOS (docs/decisions/port-watcher-marker.md): `ps -E` shows the environment only
// of the caller's own processes and, since Big Sur, only of processes the kernel has not marked
// `CS_RESTRICT`: Apple's own binaries (/bin/sh, /bin/zsh, /usr/bin/nohup, /usr/bin/ruby, /usr/bin/nc…)
// show argv alone. Programs a developer installed (Homebrew/nvm node, bun, uv or pyenv python, the
// Xcode python3 that /usr/bin/python3 execs, Go binaries…) show theirs. So a server that left
// Codex's tree is found by the marker when the listening process (or a marked ancestor of it outside
// the tree) is such a program; a detached Apple binary that listens itself is not found.
//
// The parsers are in lsof-parsers.ts; the command runner (tool-runner.ts) is injectable.
import { attributeListeners, type SocketHold } from './attribution.js';
import { parseLsofCwd, parseLsofListen, parsePsEnv, parsePsTable, type LsofSocket, type PsProcess } from './lsof-parsers.js';
import { forest } from './process-tree.js';
import type { Listener, ListenerScanner } from './scanner.js';
import { runTool, type RunTool } from './tool-runner.js';

/** What one scan leaves for the next. */
export interface LsofScanCache {
  /** Marker check per pid, keyed by start time and command (an exec changes the command). */
  readonly markers: Map<number, { readonly key: string; readonly marked: boolean }>;
  /** Working directory per listener pid, same key. */
  readonly cwds: Map<number, { readonly key: string; readonly cwd: string }>;
  /** Commands run by the last scan (for the tests and the bench). */
  lastRuns: number;
}

export interface LsofScannerOptions {
  /** Chooses ps's environment flag: procps `e` on Linux, `-E` elsewhere (macOS). */
  readonly platform?: NodeJS.Platform;
  /** How ps and lsof are run (tests inject a recorded session). */
  readonly run?: RunTool;
}

/** Pids per ps/lsof invocation: keeps argv short whatever the number of processes. */
const CHUNK = 400;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

const keyOf = (p: PsProcess): string => `${p.start}\0${p.command}`;

/** The ListenerScanner without /proc: `ps` and `lsof`, the same list as ProcfsScanner. */
export class LsofScanner implements ListenerScanner {
  readonly cache: LsofScanCache = { markers: new Map(), cwds: new Map(), lastRuns: 0 };
  readonly #platform: NodeJS.Platform;
  readonly #run: RunTool;

  constructor({ platform = process.platform, run = runTool }: LsofScannerOptions = {}) {
    this.#platform = platform;
    this.#run = run;
  }

  async scan(rootPid: number | null, marker?: string): Promise<Listener[]> {
    const { cache } = this;
    let runs = 0;
    const exec: RunTool = (tool, args) => {
      runs += 1;
      return this.#run(tool, args);
    };
    try {
      const ps = await exec('ps', ['-A', '-ww', '-o', 'pid=,ppid=,lstart=,command=']);
      const table = parsePsTable(ps.stdout);
      if (ps.pid !== undefined) table.delete(ps.pid);
      const roots = rootPid !== null && table.has(rootPid) ? [rootPid] : [];
      const adopted = marker === undefined ? [] : await markedProcesses(table, marker, cache, this.#platform, exec);
      if (roots.length === 0 && adopted.length === 0) return [];
      const tree = forest(roots, adopted, new Map([...table].map(([pid, { ppid }]) => [pid, ppid])));

      const sockets: LsofSocket[] = [];
      for (const pids of chunks([...tree.keys()])) {
        // -b: no stat/readlink (none needed for sockets), which also spares lsof a helper process:
        // about half the cost on Linux (20 -> 11 ms per call here) and no hang on a dead network mount.
        const lsof = await exec('lsof', ['-b', '-nP', '-w', '-a', '-p', pids.join(','), '-iTCP', '-sTCP:LISTEN', '-F', 'pcfdtnT']);
        sockets.push(...parseLsofListen(lsof.stdout));
      }
      if (sockets.length === 0) return [];

      const holds = sockets.map(
        (s): SocketHold => ({
          socket: s.id ?? `${s.family}/${s.address}/${s.port}`,
          pid: s.pid,
          depth: tree.get(s.pid) ?? Number.MAX_SAFE_INTEGER,
          port: s.port,
          address: s.address,
        }),
      );
      const owned = attributeListeners(holds);
      const pids = [...new Set(owned.map((o) => o.pid))].sort((a, b) => a - b);
      const cwds = await workingDirectories(pids, table, cache, exec);
      const listeners: Listener[] = [];
      for (const { port, pid, addresses } of owned) {
        const proc = table.get(pid);
        if (proc !== undefined) listeners.push({ port, pid, command: proc.command, cwd: cwds.get(pid) ?? '', addresses });
      }
      return listeners;
    } finally {
      cache.lastRuns = runs;
    }
  }
}

/** Pids whose environment holds `marker`; asks ps about processes new since the last scan only. */
async function markedProcesses(table: ReadonlyMap<number, PsProcess>, marker: string, cache: LsofScanCache, platform: NodeJS.Platform, exec: RunTool): Promise<number[]> {
  const { markers } = cache;
  for (const [pid, entry] of markers) {
    const now = table.get(pid);
    if (now === undefined || keyOf(now) !== entry.key) markers.delete(pid);
  }
  // Kernel processes (pid 0 on macOS; kthreadd = 2 and its children on Linux) have no environment.
  const isKernel = (pid: number, ppid: number) => pid === 0 || (platform === 'linux' && (pid === 2 || ppid === 2));
  const fresh: number[] = [];
  for (const [pid, proc] of table) {
    if (markers.has(pid)) continue;
    if (isKernel(pid, proc.ppid)) markers.set(pid, { key: keyOf(proc), marked: false });
    else fresh.push(pid);
  }
  for (const pids of chunks(fresh)) {
    const flags = platform === 'linux' ? ['eww'] : ['-E', '-ww'];
    const out = await exec('ps', [...flags, '-o', 'pid=,command=', '-p', pids.join(',')]);
    const found = parsePsEnv(out.stdout, marker);
    for (const pid of pids) {
      const marked = found.get(pid);
      const proc = table.get(pid);
      // Gone since the table was read: nothing to remember.
      if (marked !== undefined && proc !== undefined) markers.set(pid, { key: keyOf(proc), marked });
    }
  }
  const out: number[] = [];
  for (const [pid, { marked }] of markers) if (marked) out.push(pid);
  return out;
}

/** cwd of each listener pid: from the cache while the process is the same, else one lsof call for the rest. */
async function workingDirectories(pids: readonly number[], table: ReadonlyMap<number, PsProcess>, cache: LsofScanCache, exec: RunTool): Promise<Map<number, string>> {
  for (const [pid, entry] of cache.cwds) {
    const now = table.get(pid);
    if (now === undefined || keyOf(now) !== entry.key) cache.cwds.delete(pid);
  }
  const out = new Map<number, string>();
  const missing: number[] = [];
  for (const pid of pids) {
    const known = cache.cwds.get(pid);
    if (known === undefined) missing.push(pid);
    else out.set(pid, known.cwd);
  }
  for (const chunk of chunks(missing)) {
    const lsof = await exec('lsof', ['-nP', '-w', '-a', '-p', chunk.join(','), '-d', 'cwd', '-F', 'pfn']);
    for (const [pid, cwd] of parseLsofCwd(lsof.stdout)) {
      const proc = table.get(pid);
      if (proc === undefined) continue;
      out.set(pid, cwd);
      cache.cwds.set(pid, { key: keyOf(proc), cwd });
    }
  }
  return out;
}
