// Reads Linux /proc for the port watcher: the process tree (ppid links from /proc/<pid>/stat),
// listening TCP sockets (/proc/<pid>/net/tcp{,6}, state 0A = LISTEN) and which process holds
// each socket inode (/proc/<pid>/fd -> "socket:[inode]"). Processes come and go while we read:
// ENOENT, ESRCH and EACCES mean "not there for us" and are skipped, never thrown.
// Format reference: proc(5) — /proc/pid/stat, /proc/net/tcp.
import { readdir, readFile, readlink } from 'node:fs/promises';

export interface ListeningSocket {
  readonly inode: string;
  readonly port: number;
  /** Local address as printed by the kernel, decoded: "127.0.0.1", "0.0.0.0", "::1", "::"… */
  readonly address: string;
}

const TCP_LISTEN = '0A';

/** Errors that only mean the process or file went away or is not ours to read. */
function isVanished(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ESRCH' || code === 'EACCES' || code === 'EPERM' || code === 'ENOTDIR';
}

async function tolerant<T>(read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch (error) {
    if (isVanished(error)) return null;
    throw error;
  }
}

/** `pid (comm) state ppid …` — comm may hold spaces and parentheses, so split after the last ')'. */
export function parseStatPpid(stat: string): number | null {
  const close = stat.lastIndexOf(')');
  if (close < 0) return null;
  const fields = stat.slice(close + 2).split(' ');
  const ppid = Number(fields[1]);
  return Number.isInteger(ppid) ? ppid : null;
}

function decodeIpv4(hex: string): string {
  // Kernel prints the 32-bit address in host (little-endian on x86/arm) order.
  const n = Number.parseInt(hex, 16);
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff].join('.');
}

function decodeIpv6(hex: string): string {
  // Four 32-bit words, each in host order.
  const groups: string[] = [];
  for (let word = 0; word < 4; word += 1) {
    const w = hex.slice(word * 8, word * 8 + 8);
    const bytes = [w.slice(6, 8), w.slice(4, 6), w.slice(2, 4), w.slice(0, 2)].join('');
    groups.push(bytes.slice(0, 4), bytes.slice(4, 8));
  }
  const full = groups.map((g) => Number.parseInt(g, 16).toString(16));
  const text = full.join(':');
  if (text === '0:0:0:0:0:0:0:0') return '::';
  if (text === '0:0:0:0:0:0:0:1') return '::1';
  return text.replace(/(^|:)0(:0)+(:|$)/, '::');
}

/** Rows of /proc/net/tcp or tcp6 in state LISTEN. */
export function parseNetTcp(text: string, family: 4 | 6): ListeningSocket[] {
  const out: ListeningSocket[] = [];
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    const local = cols[1];
    if (cols[3] !== TCP_LISTEN || local === undefined) continue;
    const inode = cols[9];
    const [addrHex, portHex] = local.split(':');
    if (inode === undefined || inode === '0' || addrHex === undefined || portHex === undefined) continue;
    out.push({ inode, port: Number.parseInt(portHex, 16), address: family === 4 ? decodeIpv4(addrHex) : decodeIpv6(addrHex) });
  }
  return out;
}

/** pid → ppid for every process we can see. */
export async function readProcessTable(procRoot = '/proc'): Promise<Map<number, number>> {
  const entries = await readdir(procRoot);
  const table = new Map<number, number>();
  await Promise.all(
    entries
      .filter((name) => /^\d+$/.test(name))
      .map(async (name) => {
        const stat = await tolerant(() => readFile(`${procRoot}/${name}/stat`, 'utf8'));
        const ppid = stat === null ? null : parseStatPpid(stat);
        if (ppid !== null) table.set(Number(name), ppid);
      }),
  );
  return table;
}

/** `root` and every process below it, each with its depth (root = 0). */
export function descendants(root: number, table: ReadonlyMap<number, number>): Map<number, number> {
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of table) {
    const list = children.get(ppid);
    if (list === undefined) children.set(ppid, [pid]);
    else list.push(pid);
  }
  const depth = new Map<number, number>([[root, 0]]);
  const queue = [root];
  for (let i = 0; i < queue.length; i += 1) {
    const pid = queue[i] as number;
    for (const child of children.get(pid) ?? []) {
      if (depth.has(child)) continue;
      depth.set(child, (depth.get(pid) ?? 0) + 1);
      queue.push(child);
    }
  }
  return depth;
}

/** Listening sockets in the network namespace of `pid` (falls back to our own). */
export async function readListeningSockets(pid: number, procRoot = '/proc'): Promise<ListeningSocket[]> {
  const read = async (file: string, family: 4 | 6): Promise<ListeningSocket[]> => {
    const text =
      (await tolerant(() => readFile(`${procRoot}/${pid}/net/${file}`, 'utf8'))) ??
      (await tolerant(() => readFile(`${procRoot}/net/${file}`, 'utf8')));
    return text === null ? [] : parseNetTcp(text, family);
  };
  const [v4, v6] = await Promise.all([read('tcp', 4), read('tcp6', 6)]);
  return [...v4, ...v6];
}

/** Socket inodes held open by `pid`; empty when it vanished or is not ours. */
export async function readSocketInodes(pid: number, procRoot = '/proc'): Promise<string[]> {
  const fds = await tolerant(() => readdir(`${procRoot}/${pid}/fd`));
  if (fds === null) return [];
  const links = await Promise.all(fds.map((fd) => tolerant(() => readlink(`${procRoot}/${pid}/fd/${fd}`))));
  const inodes: string[] = [];
  for (const link of links) {
    const match = link === null ? null : /^socket:\[(\d+)\]$/.exec(link);
    if (match?.[1] !== undefined) inodes.push(match[1]);
  }
  return inodes;
}

export interface ProcessInfo {
  readonly command: string;
  readonly cwd: string;
}

/** Command line (arguments joined by spaces) and working directory; null once the process is gone. */
export async function readProcessInfo(pid: number, procRoot = '/proc'): Promise<ProcessInfo | null> {
  const [cmdline, cwd] = await Promise.all([
    tolerant(() => readFile(`${procRoot}/${pid}/cmdline`, 'utf8')),
    tolerant(() => readlink(`${procRoot}/${pid}/cwd`)),
  ]);
  if (cmdline === null) return null;
  const command = cmdline.split('\0').filter((arg) => arg !== '').join(' ');
  return { command, cwd: cwd ?? '' };
}
