// Test fixtures: a fresh store on a temp SQLite file, or on PostgreSQL in a schema of its own.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Store, type Author, type Channel } from '../src/store/store.js';

export const PG_URL = process.env.PILOTHOUSE_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface StoreFixture {
  name: 'sqlite' | 'postgres';
  open(opts?: { maxBatch?: number }): Promise<{ store: Store; cleanup: () => Promise<void> }>;
}

export const sqliteFixture: StoreFixture = {
  name: 'sqlite',
  async open(opts = {}) {
    const dataDir = mkdtempSync(join(tmpdir(), 'ph-store-'));
    const store = await Store.open({ kind: 'sqlite', dataDir, ...opts });
    return {
      store,
      cleanup: async () => {
        await store.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  },
};

export const postgresFixture: StoreFixture = {
  name: 'postgres',
  async open(opts = {}) {
    const schema = `ph_test_${randomBytes(6).toString('hex')}`;
    const store = await Store.open({ kind: 'postgres', url: PG_URL, schema, ...opts });
    return {
      store,
      cleanup: async () => {
        await store.close();
        const client = new pg.Client({ connectionString: PG_URL });
        await client.connect();
        await client.query(`drop schema if exists ${schema} cascade`);
        await client.end();
      },
    };
  },
};

/** A fresh store holding Alice and acme/agents, with Alice as an author in person and as runner r1: where most store tests start. */
export async function openWithChannel(fixture: StoreFixture): Promise<{ store: Store; cleanup: () => Promise<void>; channel: Channel; human: Author; runner: Author }> {
  const { store, cleanup } = await fixture.open();
  const alice = await store.createUser({ name: 'Alice', passwordHash: 'h', admin: false });
  const channel = await store.createChannel({ workspace: 'acme', channel: 'agents' });
  return { store, cleanup, channel, human: { userId: alice.id, name: 'Alice', runnerId: null }, runner: { userId: alice.id, name: 'Alice', runnerId: 'r1' } };
}
