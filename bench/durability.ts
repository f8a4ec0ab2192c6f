// The durability cost, through the Store API in this process: `postMessage` writes/s with many
// concurrent writers, group commit (default maxBatch 256: one transaction and fsync per batch)
// against maxBatch 1 (one transaction and fsync per write), on SQLite (WAL, synchronous=FULL) and
// on PostgreSQL (a throw-away schema, dropped afterwards). Each case is bounded in time and count.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Store, type StoreConfig } from '@pilothouse/hub';
import pg from 'pg';
import { round } from './procs.js';

export interface DurabilityRow {
  store: 'sqlite' | 'postgres';
  maxBatch: number;
  writers: number;
  writes: number;
  seconds: number;
  writesPerSec: number;
  /** Transactions committed (= fsyncs of the log). */
  commits: number;
  avgBatch: number;
  error?: string;
}

export interface DurabilityOptions {
  writers: number;
  seconds: number;
  maxWrites: number;
  postgresUrl: string;
}

async function measure(config: StoreConfig, opts: DurabilityOptions): Promise<Omit<DurabilityRow, 'store' | 'maxBatch'>> {
  const store = await Store.open(config);
  try {
    const channel = await store.createChannel({ workspace: 'bench', channel: 'durability' });
    const user = await store.createUser({ name: 'bench-writer', passwordHash: null, admin: false });
    const author = { userId: user.id, name: user.name, runnerId: null };
    const post = (id: string) => store.postMessage(channel.id, author, { client_id: id, body: 'a durable chat message of modest size', kind: 'text' });
    for (let i = 0; i < 20; i++) await post(`warm-${i}`);
    const before = { ...store.writeStats };
    let issued = 0;
    const start = performance.now();
    const until = start + opts.seconds * 1000;
    await Promise.all(
      Array.from({ length: opts.writers }, async (_, w) => {
        while (issued < opts.maxWrites && performance.now() < until) await post(`w${w}-${issued++}`);
      }),
    );
    const seconds = (performance.now() - start) / 1000;
    const writes = store.writeStats.writes - before.writes;
    const commits = store.writeStats.batches - before.batches;
    return { writers: opts.writers, writes, seconds: round(seconds, 2), writesPerSec: round(writes / seconds, 0), commits, avgBatch: round(writes / Math.max(1, commits), 1) };
  } finally {
    await store.close();
  }
}

async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    await client.query(`drop schema if exists "${schema}" cascade`);
  } catch {
    // The database was unreachable: the case already reported its error, and there is nothing to drop.
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function runDurability(opts: DurabilityOptions): Promise<DurabilityRow[]> {
  const rows: DurabilityRow[] = [];
  for (const maxBatch of [256, 1]) {
    const dataDir = mkdtempSync(join(tmpdir(), 'ph-bench-dur-'));
    try {
      rows.push({ store: 'sqlite', maxBatch, ...(await measure({ kind: 'sqlite', dataDir, maxBatch }, opts)) });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  for (const maxBatch of [256, 1]) {
    const schema = `ph_bench_${Math.random().toString(36).slice(2, 10)}`;
    try {
      rows.push({ store: 'postgres', maxBatch, ...(await measure({ kind: 'postgres', url: opts.postgresUrl, schema, maxBatch }, opts)) });
    } catch (err) {
      rows.push({ store: 'postgres', maxBatch, writers: opts.writers, writes: 0, seconds: 0, writesPerSec: 0, commits: 0, avgBatch: 0, error: (err as Error).message });
    } finally {
      await dropSchema(opts.postgresUrl, schema);
    }
  }
  return rows;
}
