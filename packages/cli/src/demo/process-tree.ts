// Every process below this one (Codex, and whatever the agent started: a dev server keeps running
// after its command "returns"), so the demo can end them all. Linux reads /proc and remembers each
// process's start time, so a pid reused after an exit is never signalled; elsewhere `ps` is asked.

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Proc {
  readonly pid: number;
  /** Start time in clock ticks since boot (Linux), or null where unknown. */
  readonly start: number | null;
}

interface Row extends Proc {
  readonly ppid: number;
  /** R, S, D, Z (zombie)… ('?' from ps). */
  readonly state: string;
}

/** `/proc/PID/stat`: `pid (comm) state ppid … starttime(22nd)`; comm may hold spaces and parentheses. */
function readStat(pid: number): Row | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, state: fields[0] ?? '?', ppid: Number(fields[1]), start: Number(fields[19]) };
  } catch {
    return null; // gone while we looked: not a process any more
  }
}

function processTable(): Row[] {
  if (process.platform === 'linux') {
    return readdirSync('/proc')
      .filter((e) => /^\d+$/.test(e))
      .flatMap((e) => readStat(Number(e)) ?? []);
  }
  const out = execFileSync('ps', ['-A', '-o', 'pid=,ppid='], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number))
    .filter((cols): cols is [number, number] => cols.length === 2 && cols.every(Number.isInteger))
    .map(([pid, ppid]) => ({ pid, ppid, start: null, state: '?' }));
}

/** Every descendant of `root` (children, their children, …), parents before their children. */
export function descendants(root: number = process.pid): Proc[] {
  const children = new Map<number, Row[]>();
  for (const row of processTable()) {
    const list = children.get(row.ppid);
    if (list) list.push(row);
    else children.set(row.ppid, [row]);
  }
  const found: Proc[] = [];
  const queue = [root];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    for (const child of children.get(pid) ?? []) {
      found.push({ pid: child.pid, start: child.start });
      queue.push(child.pid);
    }
  }
  return found;
}

/** Still the same process (not exited, pid not reused). Zombies count as gone. */
export function alive(p: Proc): boolean {
  if (p.start !== null) {
    const now = readStat(p.pid);
    return now !== null && now.start === p.start && now.state !== 'Z';
  }
  try {
    process.kill(p.pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function signal(procs: readonly Proc[], sig: NodeJS.Signals): void {
  for (const p of procs) {
    if (!alive(p)) continue;
    try {
      process.kill(p.pid, sig);
    } catch {
      // it exited between the check and the signal: nothing left to stop
    }
  }
}

/**
 * SIGTERM to each, then SIGKILL to whatever is left after `graceMs`; resolves once all are gone
 * (or after `graceMs` more, returning the ones that would not die).
 */
export async function endAll(procs: readonly Proc[], graceMs = 2000): Promise<Proc[]> {
  signal(procs, 'SIGTERM');
  const left = await waitGone(procs, graceMs);
  if (left.length === 0) return [];
  signal(left, 'SIGKILL');
  return waitGone(left, graceMs);
}

async function waitGone(procs: readonly Proc[], timeoutMs: number): Promise<Proc[]> {
  const deadline = Date.now() + timeoutMs;
  let left = procs.filter(alive);
  // Polling is the only portable way to see an unrelated process exit.
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(25);
    left = left.filter(alive);
  }
  return left;
}
