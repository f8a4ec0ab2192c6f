// Parsers for what the lsof scanner (lsof-scanner.ts) reads: `lsof -F` field output and `ps` tables
// (with and without the environment). Pure; tested with output recorded on Linux and macOS output
// written to lsof's and ps's documented formats (lsof-parsers.test.ts).

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
