// Test support for the port scanners: real processes that listen and print "PORT PID", scratch
// folders to run them in, and the cleanup of both (and of watchers) after each test (or, for a
// suite that shares its processes, after all).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, type afterAll } from 'vitest';
import type { PortEvent, PortWatcher, Schedule } from './watcher.js';

/** A node one-liner that listens on 127.0.0.1 and prints "PORT PID". */
export const SERVER = "const s=require('net').createServer().listen(0,'127.0.0.1',()=>console.log(s.address().port+' '+process.pid))";

export const realSchedule: Schedule = (fn, ms) => {
  const t = setTimeout(fn, ms);
  return () => clearTimeout(t);
};

/** Registers the cleanup (after each test by default); returns the helpers whose leftovers it cleans. */
export function listenerFixture(prefix: string, cleanupAfter: typeof afterEach | typeof afterAll = afterEach) {
  const children: ChildProcess[] = [];
  const pids: number[] = [];
  const dirs: string[] = [];
  const watchers: PortWatcher[] = [];

  cleanupAfter(() => {
    for (const w of watchers.splice(0)) w.stop();
    for (const pid of pids.splice(0)) {
      try {
        process.kill(pid);
      } catch {
        // Best-effort cleanup: the process may already be gone.
      }
    }
    for (const c of children.splice(0)) c.kill();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  return {
    /** The processes started so far, in order (a shell's pid is its child's parent). */
    children: children as readonly ChildProcess[],
    tempDir: (): string => {
      const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
      dirs.push(dir);
      return dir;
    },
    /**
     * Starts `command`, resolves with the "PORT PID [PID…]" line the server prints: more pids are
     * processes it started (`others`). Every pid is killed at cleanup.
     */
    start: async (command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<{ port: number; pid: number; others: number[] }> => {
      const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'inherit'] });
      children.push(child);
      for await (const line of createInterface({ input: child.stdout })) {
        const [port, pid, ...others] = line.split(' ').map(Number);
        pids.push(pid!, ...others);
        return { port: port!, pid: pid!, others };
      }
      throw new Error(`${command} exited before printing its port`);
    },
    /** Stopped after the test. */
    track: (watcher: PortWatcher): PortWatcher => {
      watchers.push(watcher);
      return watcher;
    },
  };
}

export function nextEvent(watcher: PortWatcher, match: (e: PortEvent) => boolean): Promise<PortEvent> {
  return new Promise((resolve) => {
    const off = watcher.subscribe((e) => {
      if (!match(e)) return;
      off();
      resolve(e);
    });
  });
}
