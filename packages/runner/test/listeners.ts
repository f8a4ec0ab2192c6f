// Test support for the port scanners: real processes that listen and print "PORT PID", scratch
// folders to run them in, and the cleanup of both after each test (or, for a suite that shares its
// processes, after all).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, type afterAll } from 'vitest';

/** A node one-liner that listens on 127.0.0.1 and prints "PORT PID". */
export const SERVER = "const s=require('net').createServer().listen(0,'127.0.0.1',()=>console.log(s.address().port+' '+process.pid))";

/** Registers the cleanup (after each test by default); returns the helpers whose leftovers it cleans. */
export function listenerFixture(prefix: string, cleanupAfter: typeof afterEach | typeof afterAll = afterEach) {
  const children: ChildProcess[] = [];
  const pids: number[] = [];
  const dirs: string[] = [];

  cleanupAfter(() => {
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
    start: async (command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<Server> => {
      const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'inherit'] });
      children.push(child);
      for await (const line of createInterface({ input: child.stdout })) {
        const [port, pid, ...others] = line.split(' ').map(Number);
        pids.push(pid!, ...others);
        return { port: port!, pid: pid!, others, child };
      }
      throw new Error(`${command} exited before printing its port`);
    },
  };
}

/** What `start` resolves with: the listener's port and pid, and the process started for it. */
export interface Server {
  readonly port: number;
  readonly pid: number;
  /** Pids of processes the server started. */
  readonly others: number[];
  /** The process `start` spawned: the server itself, or a shell that waits for it. */
  readonly child: ChildProcess;
}

/**
 * Kills the server and resolves once `child` has exited: the server itself, or a shell that
 * `wait`s for it. The kernel closes a process's sockets before its parent can reap it.
 */
export async function killServer(server: Server): Promise<void> {
  const { child } = server;
  const exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : once(child, 'exit');
  process.kill(server.pid);
  await exited;
}
