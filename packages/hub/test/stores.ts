// Test fixtures: a fresh store on a temp SQLite file, or on PostgreSQL in a schema of its own.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Store } from '../src/store/store.js';

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
