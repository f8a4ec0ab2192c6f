// Bench support for the runner figures: a child process driven by line RPC over its stdin/stdout
// (the parent sends `{"id","cmd","args"}` lines, the child answers `REPLY <id> <json>`), the
// child side of that protocol, and /proc readers (descendant pids, RSS). Linux; node builtins only.

import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

export interface Peer {
  pid: number;
  proc: ChildProcess;
  /** The ready line's regex match. */
  ready: RegExpMatchArray;
  call<T>(cmd: string, args?: unknown, timeoutMs?: number): Promise<T>;
  stderrTail(): string;
  exited: Promise<number | null>;
  /** SIGTERM (then SIGKILL after `graceMs`) to this child only. */
  stop(graceMs?: number): Promise<void>;
}

/** Spawns `node <args>` with piped stdio and waits for `ready` on its stdout. */
export async function startPeer(args: string[], ready: RegExp, timeoutMs: number): Promise<Peer> {
  const proc = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr.on('data', (d: Buffer) => {
    err = (err + d.toString('utf8')).slice(-8192);
  });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  let nextId = 1;
  let readyMatch: RegExpMatchArray | null = null;
  let onReady: (m: RegExpMatchArray) => void = () => {};
  const lines = createInterface({ input: proc.stdout });
  lines.on('line', (line) => {
    const reply = /^REPLY (\d+) (.*)$/.exec(line);
    if (reply) {
      const w = waiting.get(Number(reply[1]));
      if (!w) return;
      waiting.delete(Number(reply[1]));
      clearTimeout(w.timer);
      const body = JSON.parse(reply[2]!) as { ok: boolean; value?: unknown; error?: string };
      if (body.ok) w.resolve(body.value);
      else w.reject(new Error(body.error ?? 'failed'));
      return;
    }
    if (readyMatch === null) {
      const m = line.match(ready);
      if (m) {
        readyMatch = m;
        onReady(m);
      }
    }
  });
  void exited.then((code) => {
    for (const w of waiting.values()) {
      clearTimeout(w.timer);
      w.reject(new Error(`child exited (${String(code)}):\n${err}`));
    }
    waiting.clear();
  });
  const match = await new Promise<RegExpMatchArray>((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`child ${args.join(' ')} not ready after ${timeoutMs} ms:\n${err}`));
    }, timeoutMs);
    onReady = (m) => {
      clearTimeout(timer);
      resolve(m);
    };
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`child ${args.join(' ')} exited (${String(code)}) before it was ready:\n${err}`));
    });
  });
  const peer: Peer = {
    pid: proc.pid ?? -1,
    proc,
    ready: match,
    call<T>(cmd: string, callArgs?: unknown, callTimeoutMs = 30_000): Promise<T> {
      const id = nextId++;
      if (proc.exitCode !== null || proc.signalCode !== null) return Promise.reject(new Error(`${cmd}: the child has exited:\n${err}`));
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(id);
          reject(new Error(`${cmd}: no reply after ${callTimeoutMs} ms:\n${err}`));
        }, callTimeoutMs);
        waiting.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
        proc.stdin.write(`${JSON.stringify({ id, cmd, args: callArgs })}\n`);
      });
    },
    stderrTail: () => err,
    exited,
    async stop(graceMs = 5000) {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
  return peer;
}

/** The child side: answers each stdin command with its handler's value (or error). */
export function serve(handlers: Record<string, (args: unknown) => unknown>): void {
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    const { id, cmd, args } = JSON.parse(line) as { id: number; cmd: string; args: unknown };
    const handler = handlers[cmd];
    Promise.resolve()
      .then(() => {
        if (!handler) throw new Error(`unknown command ${cmd}`);
        return handler(args);
      })
      .then(
        (value) => process.stdout.write(`REPLY ${id} ${JSON.stringify({ ok: true, value: value ?? null })}\n`),
        (e: unknown) => process.stdout.write(`REPLY ${id} ${JSON.stringify({ ok: false, error: e instanceof Error ? e.message : String(e) })}\n`),
      );
  });
}

interface ProcStat {
  pid: number;
  ppid: number;
  comm: string;
}

function procStat(pid: number): ProcStat | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    return { pid, ppid: Number(stat.slice(close + 2).split(' ')[1]), comm: stat.slice(stat.indexOf('(') + 1, close) };
  } catch {
    return null; // gone meanwhile
  }
}

/** Every live descendant of `pid` (Linux /proc). */
export function descendants(pid: number): ProcStat[] {
  const all = readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .map((e) => procStat(Number(e)))
    .filter((p): p is ProcStat => p !== null);
  const out: ProcStat[] = [];
  const frontier = [pid];
  while (frontier.length > 0) {
    const parent = frontier.pop()!;
    for (const p of all) {
      if (p.ppid === parent) {
        out.push(p);
        frontier.push(p.pid);
      }
    }
  }
  return out;
}

/** Resident set size of a process in bytes (VmRSS), or NaN. */
export function rssBytes(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

export const MB = 1024 * 1024;
