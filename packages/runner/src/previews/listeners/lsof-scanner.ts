// The port watcher's scanner where there is no /proc (macOS): the same `Listener` list as scan.ts,
// from `ps` (process tree, command lines, the session marker) and `lsof` (listening sockets, cwd).
//
// A scan runs, each through execFile (no shell) with a timeout:
//   1. `ps -A -ww -o pid=,ppid=,lstart=,command=`: every process, its parent, start time and argv;
//   2. with a marker, `ps` again with the environment (macOS `-E`, procps `e`) for the processes not
//      seen before only, remembered by (pid, start time, command) like scan.ts remembers environs;
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
// Parsers are pure and exported (tested with output recorded on Linux, and macOS output written to
// lsof's and ps's documented formats); the command runner is injectable.
import { execFile } from 'node:child_process';
import { forest } from './procfs.js';
import type { Listener } from './procfs-scanner.js';

/** A TCP socket in LISTEN as lsof reports it, for one process holding it. */
export interface LsofSocket {
  readonly pid: number;
  /** lsof's short command name (`c` field); the scanner takes the full argv from ps. */
  readonly command: string;
  readonly fd: string;
  /**
   * What tells one socket from another when several processes hold it (an fd inherited across
   * fork): the `d` field — the socket inode on Linux, the kernel address on macOS. Null if absent.
   */
  readonly id: string | null;
  readonly family: 4 | 6;
  /** "127.0.0.1", "0.0.0.0", "::1", "::"… (lsof's `*` made explicit per family). */
  readonly address: string;
  readonly port: number;
}

export interface PsProcess {
  readonly ppid: number;
  /** `lstart` as printed (C locale): with the pid and command, names one process across pid reuse. */
  readonly start: string;
  /** argv joined by spaces, as ps prints it. */
  readonly command: string;
}

/** `address:port` from lsof's `n` field: `127.0.0.1:3000`, `*:3000`, `[::1]:5173`, `[fe80::1%lo0]:80`. */
export function parseLsofAddress(name: string, family: 4 | 6): { address: string; port: number } | null {
  if (name.includes('->')) return null; // a connection, not a listener
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d+)$/.exec(name);
  if (match === null) return null;
  const port = Number(match[3]);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) return null;
  const host = match[1] ?? match[2] ?? '';
  if (host === '*') return { address: family === 4 ? '0.0.0.0' : '::', port };
  return { address: host, port };
}

/**
 * `lsof -F pcfdtnT` output: `p` starts a process, `f` a file in it; other fields belong to the
 * current one. Only IPv4/IPv6 files in LISTEN (or without a state field) are kept.
 */
export function parseLsofListen(text: string): LsofSocket[] {
  const out: LsofSocket[] = [];
  let pid: number | null = null;
  let command = '';
  let file: { fd: string; type?: string; id?: string; name?: string; state?: string } | null = null;
  const flush = () => {
    if (file === null || pid === null || file.name === undefined) return;
    // Without the `t` field (not asked for), brackets tell IPv6; a bare `*` is then taken as IPv4.
    if (file.type !== undefined && file.type !== 'IPv4' && file.type !== 'IPv6') return;
    const family = file.type === 'IPv6' || (file.type === undefined && file.name.startsWith('[')) ? 6 : 4;
    if (file.state !== undefined && file.state !== 'LISTEN') return;
    const parsed = parseLsofAddress(file.name, family);
    if (parsed === null) return;
    out.push({ pid, command, fd: file.fd, id: file.id ?? null, family, ...parsed });
  };
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const field = line.charAt(0);
    const value = line.slice(1);
    switch (field) {
      case 'p':
        flush();
        file = null;
        pid = Number(value);
        command = '';
        if (!Number.isInteger(pid)) pid = null;
        break;
      case 'c':
        command = value;
        break;
      case 'f':
        flush();
        file = { fd: value };
        break;
      case 't':
        if (file !== null) file.type = value;
        break;
      case 'd':
        if (file !== null) file.id = value;
        break;
      case 'n':
        if (file !== null) file.name = value;
        break;
      case 'T':
        if (file !== null && value.startsWith('ST=')) file.state = value.slice(3);
        break;
      default:
        break;
    }
  }
  flush();
  return out;
}

/** `lsof -a -p … -d cwd -F pfn` output: pid → working directory. */
export function parseLsofCwd(text: string): Map<number, string> {
  const out = new Map<number, string>();
  let pid: number | null = null;
  let fd: string | null = null;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const value = line.slice(1);
    if (line[0] === 'p') {
      pid = Number(value);
      fd = null;
    } else if (line[0] === 'f') {
      fd = value;
    } else if (line[0] === 'n' && pid !== null && Number.isInteger(pid) && (fd === null || fd === 'cwd') && !out.has(pid)) {
      out.set(pid, value);
    }
  }
  return out;
}

// `lstart` in the C locale is `%c`: "Wed Nov 25 12:13:07 2026" (macOS pads the column to 28).
const PS_ROW = /^\s*(\d+)\s+(\d+)\s+([A-Za-z]{3} [A-Za-z]{3} +\d{1,2} \d{1,2}:\d{2}:\d{2} \d{4})\s+(.*)$/;

/** `ps -A -ww -o pid=,ppid=,lstart=,command=` (C locale) output: pid → parent, start, argv. */
export function parsePsTable(text: string): Map<number, PsProcess> {
  const table = new Map<number, PsProcess>();
  for (const line of text.split('\n')) {
    const match = PS_ROW.exec(line);
    if (match === null) continue;
    table.set(Number(match[1]), { ppid: Number(match[2]), start: match[3] ?? '', command: (match[4] ?? '').trimEnd() });
  }
  return table;
}

/**
 * Whether `text` (argv then environment, space-joined, as `ps -E` / `ps e` print them) holds
 * `entry` as a whole word. argv and environment cannot be told apart in that form: an argument
 * that is exactly `entry` counts too (`env PILOTHOUSE_SESSION=… node x` carries it anyway).
 */
export function hasEnvEntry(text: string, entry: string): boolean {
  return ` ${text} `.includes(` ${entry} `);
}

/** `ps -E -ww -o pid=,command= -p …` (or procps `ps eww …`) output: pid → whether `entry` is there. */
export function parsePsEnv(text: string, entry: string): Map<number, boolean> {
  const out = new Map<number, boolean>();
  for (const line of text.split('\n')) {
    const match = /^\s*(\d+)\s(.*)$/.exec(line);
    if (match === null) continue;
    out.set(Number(match[1]), hasEnvEntry(match[2] ?? '', entry));
  }
  return out;
}

/** A tool the scanner needs is not installed: the watcher turns itself off once, with this message. */
export class ScanToolMissingError extends Error {
  readonly tool: string;
  constructor(tool: string) {
    super(
      `port watcher off: ${tool} not found; install it or put it on PATH (Debian/Ubuntu: apt-get install ${tool === 'ps' ? 'procps' : tool}; macOS ships /usr/sbin/lsof and /bin/ps). ` +
        'Listening ports are not detected; the runner goes on without them.',
    );
    this.name = 'ScanToolMissingError';
    this.tool = tool;
  }
}

export interface RunResult {
  readonly stdout: string;
  /** The child's pid (the scanner leaves its own `ps` out of the table). */
  readonly pid?: number | undefined;
}

/** Runs `tool` with `args`, no shell; rejects with ScanToolMissingError when it is not installed. */
export type RunTool = (tool: 'ps' | 'lsof', args: readonly string[]) => Promise<RunResult>;

const TIMEOUT_MS = 5_000;
/** Places tried after PATH: a runner started by launchd or a service manager may have a short PATH. */
const FALLBACK_DIRS = ['/usr/sbin', '/usr/bin', '/bin', '/sbin'];

function execOnce(file: string, args: readonly string[]): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      // The C locale fixes ps's `lstart` format; a large buffer for the first environment read.
      { timeout: TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, LC_ALL: 'C' }, windowsHide: true },
      (error, stdout, stderr) => {
        if (error === null) return resolve({ stdout, pid: child.pid });
        const code = (error as { code?: unknown }).code;
        // lsof and ps exit 1 when some asked-for pid is gone or nothing matched: not an error.
        if (code === 1 && stderr.trim() === '') return resolve({ stdout, pid: child.pid });
        if (code === 'ENOENT') return reject(Object.assign(new Error(error.message), { code }));
        const why = error.killed ? `timed out after ${TIMEOUT_MS} ms` : `exited ${String(code)}`;
        reject(new Error(`${file} ${why}: ${stderr.trim().slice(0, 500)}`));
      },
    );
  });
}

/**
 * A RunTool that looks `tool` up on PATH (or runs `paths[tool]`), then in `fallbackDirs`, and
 * remembers what worked. Nothing found: ScanToolMissingError.
 */
export function makeRunTool(paths: Partial<Record<'ps' | 'lsof', string>> = {}, fallbackDirs: readonly string[] = FALLBACK_DIRS): RunTool {
  const resolved = new Map<string, string>();
  return async (tool, args) => {
    const known = resolved.get(tool);
    if (known !== undefined) return execOnce(known, args);
    for (const file of [paths[tool] ?? tool, ...fallbackDirs.map((dir) => `${dir}/${tool}`)]) {
      try {
        const result = await execOnce(file, args);
        resolved.set(tool, file);
        return result;
      } catch (error) {
        if ((error as { code?: unknown }).code !== 'ENOENT') {
          resolved.set(tool, file);
          throw error;
        }
      }
    }
    throw new ScanToolMissingError(tool);
  };
}

/** The default RunTool: PATH first, then the usual system directories. */
export const runTool: RunTool = makeRunTool();

export interface LsofScanCache {
  /** Marker check per pid, keyed by start time and command (an exec changes the command). */
  readonly markers: Map<number, { readonly key: string; readonly marked: boolean }>;
  /** Working directory per listener pid, same key. */
  readonly cwds: Map<number, { readonly key: string; readonly cwd: string }>;
  /** Commands run by the last scan (for the tests and the bench). */
  lastRuns: number;
}

export function newLsofScanCache(): LsofScanCache {
  return { markers: new Map(), cwds: new Map(), lastRuns: 0 };
}

export interface LsofScanOptions {
  /** The agent's process (codex app-server); null while it is not running. */
  readonly rootPid: number | null;
  /** `NAME=value` that every process the agent starts inherits (PILOTHOUSE_SESSION=<id>). */
  readonly marker?: string;
  readonly cache?: LsofScanCache;
  /** Chooses ps's environment flag: procps `e` on Linux, `-E` elsewhere (macOS). */
  readonly platform?: NodeJS.Platform;
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

/** One snapshot of the listeners owned by the session's processes, one per (port, pid), like scanListeners. */
export async function scanListenersLsof({ rootPid, marker, cache = newLsofScanCache(), platform = process.platform, run = runTool }: LsofScanOptions): Promise<Listener[]> {
  let runs = 0;
  const exec: RunTool = (tool, args) => {
    runs += 1;
    return run(tool, args);
  };
  try {
    const ps = await exec('ps', ['-A', '-ww', '-o', 'pid=,ppid=,lstart=,command=']);
    const table = parsePsTable(ps.stdout);
    if (ps.pid !== undefined) table.delete(ps.pid);
    const roots = rootPid !== null && table.has(rootPid) ? [rootPid] : [];
    const adopted = marker === undefined ? [] : await markedProcesses(table, marker, cache, platform, exec);
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

    // A listening fd inherited across fork is held by several processes: credit the one nearest the
    // root (the one that most likely opened it), lowest pid on ties — as scan.ts does.
    const socketKey = (s: LsofSocket) => s.id ?? `${s.family}/${s.address}/${s.port}`;
    const owner = new Map<string, { pid: number; depth: number }>();
    for (const socket of sockets) {
      const depth = tree.get(socket.pid) ?? Number.MAX_SAFE_INTEGER;
      const key = socketKey(socket);
      const current = owner.get(key);
      if (current === undefined || depth < current.depth || (depth === current.depth && socket.pid < current.pid)) owner.set(key, { pid: socket.pid, depth });
    }
    const grouped = new Map<string, { port: number; pid: number; addresses: Set<string> }>();
    for (const socket of sockets) {
      const pid = owner.get(socketKey(socket))?.pid;
      if (pid !== socket.pid) continue;
      const key = `${socket.port}/${pid}`;
      const group = grouped.get(key) ?? { port: socket.port, pid, addresses: new Set<string>() };
      group.addresses.add(socket.address);
      grouped.set(key, group);
    }

    const cwds = await workingDirectories([...new Set([...grouped.values()].map((g) => g.pid))], table, cache, exec);
    const listeners: Listener[] = [];
    for (const { port, pid, addresses } of grouped.values()) {
      const proc = table.get(pid);
      if (proc === undefined) continue;
      listeners.push({ port, pid, command: proc.command, cwd: cwds.get(pid) ?? '', addresses: [...addresses].sort() });
    }
    return listeners.sort((a, b) => a.port - b.port || a.pid - b.pid);
  } finally {
    cache.lastRuns = runs;
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
