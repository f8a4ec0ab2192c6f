// The real `pilothouse demo` as a child process, for the demo's end-to-end test and bench: spawn
// it, read its one JSON line, see every process below it and the ports they listen on (Linux
// /proc), send it a signal and wait for it to exit. processesIn also serves the preview tests, to
// find the dev servers their agent left running.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'packages', 'cli', 'bin', 'pilothouse.js');

export interface DemoInfo {
  url: string;
  signInUrl: string;
  token: string;
  channel: string;
  threadId: string;
}

export interface DemoProcess {
  readonly child: ChildProcessWithoutNullStreams;
  /** performance.now() when it was spawned. */
  readonly spawnedAt: number;
  /** Everything it wrote to stderr so far (progress lines). */
  stderr(): string;
  stdout(): string;
  /** Resolves with the JSON line (and when it came), or rejects if the demo exits first. */
  readonly ready: Promise<{ info: DemoInfo; at: number; line: string }>;
  /** Resolves with the exit code (or the signal's name). */
  readonly exited: Promise<number | string>;
  /** Resolves once its stderr holds `text` (checked as it writes), or rejects if it exits first. */
  stderrShows(text: string): Promise<void>;
}

export function spawnDemo(args: string[], env: NodeJS.ProcessEnv = process.env): DemoProcess {
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, [CLI, 'demo', ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const ready = new Promise<{ info: DemoInfo; at: number; line: string }>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl !== -1) resolve({ info: JSON.parse(out.slice(0, nl)) as DemoInfo, at: performance.now(), line: out.slice(0, nl) });
    });
    void exited.then((code) => reject(new Error(`pilothouse demo exited (${code}) before it was ready:\n${err}`)));
  });
  // A demo that is expected to fail never gets ready: that is not an unhandled rejection.
  ready.catch(() => undefined);
  const stderrShows = (text: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!err.includes(text)) return;
        child.stderr.off('data', check);
        resolve();
      };
      child.stderr.on('data', check);
      void exited.then((code) => reject(new Error(`pilothouse demo exited (${code}) before its stderr showed ${text}:\n${err}`)));
      check();
    });
  return { child, spawnedAt, stderr: () => err, stdout: () => out, ready, exited, stderrShows };
}

/** Waits for a condition on processes or sockets, which announce nothing: checked on a short timer, bounded. */
export async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface Proc {
  pid: number;
  start: string;
  comm: string;
  cmdline: string;
}

function stat(pid: number): { ppid: number; start: string; comm: string; state: string } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = text.lastIndexOf(')');
    const fields = text.slice(close + 2).split(' ');
    return { ppid: Number(fields[1]), start: fields[19]!, comm: text.slice(text.indexOf('(') + 1, close), state: fields[0]! };
  } catch {
    return null; // exited while we looked
  }
}

/** Every process below `root`, with its start time (so a reused pid is not mistaken for it). */
export function descendantsOf(root: number): Proc[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const s = stat(Number(entry));
    if (s) children.set(s.ppid, [...(children.get(s.ppid) ?? []), Number(entry)]);
  }
  const found: Proc[] = [];
  const queue = [root];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    for (const child of children.get(pid) ?? []) {
      const s = stat(child);
      if (!s) continue;
      let cmdline = '';
      try {
        cmdline = readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0').join(' ').trim();
      } catch {
        // exited: its stat was enough
      }
      found.push({ pid: child, start: s.start, comm: s.comm, cmdline });
      queue.push(child);
    }
  }
  return found;
}

/** The same process is still there (zombies count as gone). */
export function isAlive(p: Proc): boolean {
  const s = stat(p.pid);
  return s !== null && s.start === p.start && s.state !== 'Z';
}

/** TCP ports in LISTEN state held by any of `pids` (IPv4 and IPv6). */
export function listeningPorts(pids: readonly number[]): number[] {
  const inodes = new Set<string>();
  for (const pid of pids) {
    try {
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        const link = (() => {
          try {
            return readlinkSync(`/proc/${pid}/fd/${fd}`);
          } catch {
            return '';
          }
        })();
        const m = /^socket:\[(\d+)\]$/.exec(link);
        if (m) inodes.add(m[1]!);
      }
    } catch {
      // exited while we looked
    }
  }
  const ports = new Set<number>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // local_address is HEX_IP:HEX_PORT; st 0A is LISTEN; inode is column 10.
      if (cols[3] === '0A' && inodes.has(cols[9] ?? '')) ports.add(parseInt(cols[1]!.split(':')[1]!, 16));
    }
  }
  return [...ports].sort((a, b) => a - b);
}

/** Every TCP port anything on this machine listens on (to check that the demo's were freed). */
export function allListeningPorts(): Set<number> {
  const ports = new Set<number>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[3] === '0A') ports.add(parseInt(cols[1]!.split(':')[1]!, 16));
    }
  }
  return ports;
}

/** Processes anywhere on this machine working in `dir` or below (orphans of a demo included). */
export function processesIn(dir: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cwd = readlinkSync(`/proc/${entry}/cwd`).replace(/ \(deleted\)$/, '');
      if (cwd === dir || cwd.startsWith(`${dir}/`)) found.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}
