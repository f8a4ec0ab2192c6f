// Test support for the hub client tests (src/hub/*.test.ts): a real hub in-process on a temp SQLite
// directory, seeded with alice (member of acme/agents) and bob (member of nothing), that can be
// stopped and started again on the same port and data; a captured log; awaitable recorders.

import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { digest, newToken, startHub, Store, type RunningHub } from '@pilothouse/hub';
import type { RunnerInfo } from '@pilothouse/protocol';
import type { ConnectHubOptions, HubLogger } from '../src/hub/api.js';
import { memoryCursor } from '../src/hub/cursor.js';

export type LogLine = Record<string, unknown> & { level: number; msg?: string };

export const CHANNEL = 'acme/agents';
const silent = pino({ level: 'silent' });

export interface TestHub {
  readonly dataDir: string;
  readonly channelId: string;
  readonly tokens: { alice: string; bob: string };
  readonly users: { alice: string; bob: string };
  /** Warnings and errors the hub logged, across restarts. */
  readonly logs: LogLine[];
  readonly url: string;
  readonly port: number;
  /** The running hub's store (throws while stopped). */
  readonly store: Store;
  running(): boolean;
  start(port?: number): Promise<void>;
  stop(): Promise<void>;
  restart(): Promise<void>;
  /** Opens the store directly (the hub must be stopped), e.g. to write while no client can connect. */
  withStore<T>(fn: (store: Store) => Promise<T>): Promise<T>;
  /** Posts a plain message as alice straight through the store; the hub fans it out. */
  post(body: string, store?: Store): Promise<{ seq: number; message_id: string }>;
  dispose(): Promise<void>;
}

/** Seeds a data directory; `start` it (on port 0 or a chosen port). */
export async function seedHub(): Promise<TestHub> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ph-runner-hub-'));
  const seeding = await Store.open({ kind: 'sqlite', dataDir });
  const channel = await seeding.createChannel({ workspace: 'acme', channel: 'agents' });
  const users = { alice: '', bob: '' };
  const tokens = { alice: '', bob: '' };
  for (const name of ['alice', 'bob'] as const) {
    const user = await seeding.createUser({ name, passwordHash: null, admin: false });
    users[name] = user.id;
    tokens[name] = newToken();
    await seeding.createToken({ userId: user.id, tokenHash: digest(tokens[name]), label: null });
  }
  await seeding.addMember(channel.id, users.alice);
  await seeding.close();

  const logs: LogLine[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) });
  let hub: RunningHub | null = null;
  let port = 0;
  let post = 0;

  const self: TestHub = {
    dataDir,
    channelId: channel.id,
    tokens,
    users,
    logs,
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    get store() {
      if (!hub) throw new Error('the hub is stopped');
      return hub.store;
    },
    running: () => hub !== null,
    async start(at = port) {
      hub = await startHub({ host: '127.0.0.1', port: at, store: { kind: 'sqlite', dataDir }, logger });
      port = hub.port;
    },
    async stop() {
      const h = hub;
      hub = null;
      await h?.close();
    },
    async restart() {
      await self.stop();
      await self.start(port);
    },
    async withStore(fn) {
      if (hub) throw new Error('stop the hub first');
      const store = await Store.open({ kind: 'sqlite', dataDir });
      try {
        return await fn(store);
      } finally {
        await store.close();
      }
    },
    async post(body, store = self.store) {
      const author = { userId: users.alice, name: 'alice', runnerId: null };
      return store.postMessage(channel.id, author, { client_id: `human-${++post}`, body, kind: 'text' });
    },
    async dispose() {
      await self.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return self;
}

export async function startTestHub(): Promise<TestHub> {
  const hub = await seedHub();
  await hub.start();
  return hub;
}

export function runnerInfo(runnerId = 'runner-1'): RunnerInfo {
  return {
    runner_id: runnerId,
    instance_id: randomUUID(),
    name: 'test runner',
    cwd: '/tmp/project',
    agent: { name: 'codex', version: '0.0.0-test' },
    capabilities: ['rows'],
  };
}

/** A pino logger whose lines (info and up) are kept for assertions. */
export function capturingLogger(): { logger: HubLogger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  return { logger: pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) }), lines };
}

/** Options for connectHub against `hub` with short backoffs; `onEvent` records into `events`. */
export function clientOptions(hub: Pick<TestHub, 'url' | 'tokens'>, over: Partial<ConnectHubOptions> = {}): ConnectHubOptions {
  return {
    url: hub.url,
    token: hub.tokens.alice,
    channel: CHANNEL,
    cursor: memoryCursor(),
    runner: runnerInfo(),
    logger: silent,
    onEvent: () => {},
    reconnectAfterMs: () => 20,
    rejoinAfterMs: () => 20,
    pushTimeoutMs: 5000,
    ...over,
  };
}

/** An append-only list whose entries can be awaited by predicate (no sleeping in tests). */
export class Recorder<T> {
  readonly items: T[] = [];
  #waiters: { pred: (items: readonly T[]) => boolean; resolve: () => void }[] = [];

  readonly add = (item: T): void => {
    this.items.push(item);
    this.#waiters = this.#waiters.filter((w) => (w.pred(this.items) ? (w.resolve(), false) : true));
  };

  /** Resolves once `pred` holds for the items so far (checked now and after every add). */
  until(pred: (items: readonly T[]) => boolean): Promise<void> {
    if (pred(this.items)) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ pred, resolve }));
  }

  /** Resolves once some item satisfies `pred`; items before `from` are not considered. */
  some(pred: (item: T) => boolean, from = 0): Promise<void> {
    return this.until((items) => items.slice(from).some(pred));
  }
}

/** Resolves with the error a promise rejects with; fails if it resolves. */
export async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    if (err instanceof Error) return err;
    throw new Error(`expected an Error, the promise rejected with ${String(err)}`);
  }
  throw new Error('expected a rejection');
}
