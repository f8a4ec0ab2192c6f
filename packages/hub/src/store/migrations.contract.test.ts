// Upgrades from every earlier schema, on SQLite and PostgreSQL: a store migrated only up to one
// migration, holding rows written at each version on the way (test/migration-fixtures.ts), is
// opened as the hub opens it (migrating to the latest); every row still reads back through the
// store, the log replays whole from seq 0, and writing goes on from the same head.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { PG_URL } from '../../test/stores.js';
import { IDS, MIGRATION_FIXTURES, SchemaWriter } from '../../test/migration-fixtures.js';
import { migrationProvider, type Dialect } from './migrations.js';
import { Store } from './store.js';
import { threadPage } from './thread-pages.js';

const NAMES = Object.keys(await migrationProvider('sqlite').getMigrations());

/** A store's database before the store opens it: raw access at any version, then the real open. */
interface Target {
  db: Kysely<unknown>;
  migrator: Migrator;
  open(): Promise<Store>;
  cleanup(): Promise<void>;
}

function sqliteTarget(): Target {
  const dataDir = mkdtempSync(join(tmpdir(), 'ph-upgrade-'));
  const database = new BetterSqlite3(join(dataDir, 'pilothouse.db'));
  database.pragma('foreign_keys = ON');
  const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database }) });
  return {
    db,
    migrator: new Migrator({ db, provider: migrationProvider('sqlite') }),
    open: () => Store.open({ kind: 'sqlite', dataDir }),
    cleanup: async () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

async function postgresTarget(): Promise<Target> {
  const schema = `ph_upgrade_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: PG_URL, max: 2, options: `-c search_path=${schema}` }) }) });
  return {
    db,
    // The store looks for its migration tables in its own schema (store.ts): so must this.
    migrator: new Migrator({ db, provider: migrationProvider('postgres'), migrationTableSchema: schema }),
    open: () => Store.open({ kind: 'postgres', url: PG_URL, schema }),
    cleanup: async () => {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    },
  };
}

const targets: Record<Dialect, () => Target | Promise<Target>> = { sqlite: sqliteTarget, postgres: postgresTarget };

describe('migration fixtures', () => {
  it('has one fixture per migration, in order: a new migration needs its rows in test/migration-fixtures.ts', async () => {
    expect(Object.keys(MIGRATION_FIXTURES)).toEqual(NAMES);
    expect(Object.keys(await migrationProvider('postgres').getMigrations())).toEqual(NAMES);
  });
});

describe.each(['sqlite', 'postgres'] as const)('upgrade to the latest schema: %s', (dialect) => {
  let target: Target | undefined;
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
    await target?.db.destroy();
    await target?.cleanup();
    store = target = undefined;
  });

  it.each(NAMES.map((name, i) => [name, i] as const))('from %s', async (name, i) => {
    target = await targets[dialect]();
    const written = NAMES.slice(0, i + 1);
    for (const version of written) {
      const { error, results } = await target.migrator.migrateTo(version);
      if (error) throw error instanceof Error ? error : new Error(`migration to ${version} failed`);
      expect(results?.map((r) => [r.migrationName, r.status])).toEqual([[version, 'Success']]);
      await MIGRATION_FIXTURES[version]!.write(new SchemaWriter(target.db));
    }
    const head = Number((await sql<{ head_seq: number | string }>`select head_seq from channels where id = ${IDS.channel}`.execute(target.db)).rows[0]!.head_seq);
    await target.db.destroy();

    store = await target.open();
    const now = new Date();
    for (const version of written) await MIGRATION_FIXTURES[version]!.check(store, now);

    // The whole log parses and replays from 0 with dense seqs; thread pages read every thread.
    expect(await store.headSeq(IDS.channel)).toBe(head);
    const events = await store.eventsSince(IDS.channel, 0, 10_000);
    expect(events.map((e) => e.payload.seq)).toEqual(Array.from({ length: head }, (_, k) => k + 1));
    for (const thread of [IDS.root, ...(NAMES.indexOf('0004_item_keys_per_runner') <= i ? [IDS.root2] : [])]) {
      const page = await threadPage(store.db, IDS.channel, thread, { afterSeq: 0, limit: 100, pageChars: 100_000, clip: 10_000 });
      expect(page.messages.map((m) => [m.id, m.body])).toEqual((await store.getThread(IDS.channel, thread)).map((m) => [m.id, m.body]));
    }

    // And writing goes on: the next seq, in an old thread.
    const bob = { userId: IDS.bob, name: 'bob', runnerId: null };
    expect(await store.postMessage(IDS.channel, bob, { client_id: 'after-upgrade', body: 'still here', kind: 'text', thread_id: IDS.root })).toMatchObject({ seq: head + 1, thread_id: IDS.root });
  });
});
