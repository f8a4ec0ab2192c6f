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
