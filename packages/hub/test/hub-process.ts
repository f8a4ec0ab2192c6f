// Test support: the real hub as a child process (`pilothouse hub`), seeded through the real store.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Store } from '../src/store/store.js';
import { digest, newToken } from '../src/auth/secrets.js';
import { hashPassword } from '../src/auth/secrets.js';

export const CLI = resolve(import.meta.dirname, '../../cli/bin/pilothouse.js');

export interface Seeded {
  dataDir: string;
  tokens: Record<string, string>;
  users: Record<string, string>;
}

/** Creates users (alice is an admin), the channel acme/agents with alice+bob, acme/private with alice, and a token each. */
export async function seed(names: string[] = ['alice', 'bob', 'carol']): Promise<Seeded> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ph-hub-'));
  const store = await Store.open({ kind: 'sqlite', dataDir });
  try {
    return { dataDir, ...(await seedStore(store, names)) };
  } finally {
    await store.close();
  }
}

export async function seedStore(store: Store, names: string[]): Promise<Omit<Seeded, 'dataDir'>> {
  const tokens: Record<string, string> = {};
  const users: Record<string, string> = {};
  const passwordHash = await hashPassword('pw');
  const agents = await store.createChannel({ workspace: 'acme', channel: 'agents' });
  const priv = await store.createChannel({ workspace: 'acme', channel: 'private' });
  for (const name of names) {
    const u = await store.createUser({ name, passwordHash, admin: name === 'alice' });
    users[name] = u.id;
    const token = newToken();
    await store.createToken({ userId: u.id, tokenHash: digest(token), label: null });
    tokens[name] = token;
    if (name !== 'carol') await store.addMember(agents.id, u.id);
    if (name === 'alice') await store.addMember(priv.id, u.id);
  }
  return { tokens, users };
}

export interface HubProcess {
  url: string;
  port: number;
  child: ChildProcess;
  stderr: string[];
  /** Resolves once a stderr line satisfies `pred` (lines already seen count). */
  waitForLog(pred: (line: string) => boolean): Promise<string>;
  /** SIGKILL and wait for the exit. */
  kill(): Promise<void>;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
}

/** Starts `pilothouse hub` on `dataDir` (a SQLite data dir) or, when it starts with postgres://, on that database. */
export async function startHubProcess(dataDir: string, opts: { port?: number; args?: string[] } = {}): Promise<HubProcess> {
  const storeArgs = dataDir.startsWith('postgres://') ? ['--database-url', dataDir] : ['--data', dataDir];
  const child = spawn(process.execPath, [CLI, 'hub', '--port', String(opts.port ?? 0), ...storeArgs, '--log-level', 'warn', ...(opts.args ?? [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  let waiters: { pred: (l: string) => boolean; resolve: (l: string) => void }[] = [];
  createInterface({ input: child.stderr }).on('line', (l) => {
    stderr.push(l);
    waiters = waiters.filter((w) => (w.pred(l) ? (w.resolve(l), false) : true));
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = await new Promise<string>((res, rej) => {
    const rl = createInterface({ input: child.stdout });
    rl.on('line', (line) => {
      const m = /listening on (\S+)/.exec(line);
      if (m) res(m[1]!);
    });
    child.once('exit', (code) => rej(new Error(`hub exited with ${code}: ${stderr.join('\n')}`)));
  });
  return {
    url,
    port: Number(new URL(url).port),
    child,
    stderr,
    waitForLog(pred) {
      const seen = stderr.find(pred);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ pred, resolve }));
    },
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export const cleanupDir = (dir: string) => rmSync(dir, { recursive: true, force: true });

const STANDBY = resolve(import.meta.dirname, 'hub-standby.mjs');

/**
 * Hub processes that restart fast: the next one is always spawned and loaded in advance
 * (hub-standby.mjs, on the compiled hub), so `restart()` after a SIGKILL costs a store open and a listen, not a process
 * start. The port stays the same, so clients reconnect to the new process.
 */
export class HubCycler {
  #current: ChildProcess | null = null;
  /** Standbys loading or ready, oldest first: two, so one is ready even when a load is slow. */
  #standby: Promise<ChildProcess>[] = [];
  url = '';
  port = 0;
  readonly stderr: string[] = [];

  constructor(private readonly target: string) {}

  #spawn(): Promise<ChildProcess> {
    const child = spawn(process.execPath, [STANDBY, this.target], { stdio: ['pipe', 'pipe', 'pipe'] });
    createInterface({ input: child.stderr }).on('line', (l) => this.stderr.push(l));
    return new Promise((resolveReady, reject) => {
      const lines = createInterface({ input: child.stdout });
      lines.once('line', (l) => (l === 'ready' ? resolveReady(child) : reject(new Error(`standby hub said ${l}`))));
      child.once('exit', (code) => reject(new Error(`standby hub exited with ${code}: ${this.stderr.slice(-5).join('\n')}`)));
    });
  }

  /** Starts (or, after a kill, restarts) the hub on `port` (0 the first time: any free port); resolves with how long the restart took. */
  async start(): Promise<number> {
    const t0 = Date.now();
    while (this.#standby.length < 3) {
      const next = this.#spawn();
      next.catch(() => undefined); // reported when taken
      this.#standby.push(next);
    }
    const child = await this.#standby.shift()!;
    const url = await new Promise<string>((resolveUrl, reject) => {
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const m = /listening on (\S+)/.exec(line);
        if (m) resolveUrl(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`hub exited with ${code}: ${this.stderr.slice(-5).join('\n')}`)));
      child.stdin!.write(`go ${this.port}\n`);
    });
    this.#current = child;
    this.url = url;
    this.port = Number(new URL(url).port);
    return Date.now() - t0;
  }

  /** SIGKILL the running hub and wait for its exit. */
  async kill(): Promise<void> {
    const child = this.#current;
    this.#current = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGKILL');
    await exited;
  }

  /** Kills the running hub and the standby. */
  async close(): Promise<void> {
    await this.kill();
    const standby = await Promise.all(this.#standby.splice(0).map((p) => p.catch(() => null)));
    for (const next of standby) {
      if (!next || next.exitCode !== null) continue;
      const exited = new Promise<void>((r) => next.once('exit', () => r()));
      next.kill('SIGKILL');
      await exited;
    }
  }
}
