// The hub's one query layer: opens SQLite (embedded default) or PostgreSQL behind kysely, runs the
// migrations, and exposes the domain's reads and (group-committed) writes.

import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { PilothouseError, type ChannelRef } from '@pilothouse/protocol';
import { migrationProvider, type Dialect } from './migrations.js';
import type { Database } from './schema.js';
import * as identity from './identity.js';
import * as signInCodes from './sign-in-codes.js';
import * as reads from './log-reads.js';
import * as controls from './control-writes.js';
import * as messages from './message-writes.js';
import * as runners from './runner-writes.js';
import * as binding from './session-binding.js';
import * as titles from './thread-titles.js';
import * as retention from './retention.js';
import { WriteQueue, type Publish } from './write-queue.js';

export type StoreConfig =
  | { kind: 'sqlite'; dataDir: string; maxBatch?: number }
  | { kind: 'postgres'; url: string; schema?: string; maxBatch?: number };

export type { User, UserWithSecret, Channel, AuditEntry, TokenInfo, TokenScope } from './identity.js';
export { TOKEN_SCOPES } from './identity.js';
export type { CodeExchange } from './sign-in-codes.js';
export type { Author } from './log-events.js';
export type { PostInput, PostResult } from './message-writes.js';
export type { PruneOptions } from './retention.js';

/** mkdir -p, one level at a time: Node's recursive mkdir can spin forever on procfs-like paths. */
function makeDirs(dir: string): void {
  const missing: string[] = [];
  let cur = resolve(dir);
  while (!existsSync(cur)) {
    missing.unshift(cur);
    const parent = dirname(cur);
    if (parent === cur) break;
    cur = parent;
  }
  for (const d of missing) mkdirSync(d);
}

function openSqlite(dataDir: string): Kysely<Database> {
  try {
    makeDirs(dataDir);
    accessSync(dataDir, constants.W_OK);
  } catch (err) {
    throw new PilothouseError('bad_request', `The data directory ${dataDir} cannot be written: ${(err as Error).message}`, undefined, { cause: err });
  }
  const database = new BetterSqlite3(join(dataDir, 'pilothouse.db'));
  database.pragma('journal_mode = WAL');
  // FULL: the WAL is fsynced at every commit, so an acknowledged write survives a power cut.
  database.pragma('synchronous = FULL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
}

/** kysely prepares every query anew; the hub runs the same few SQL texts over and over. */
function withStatementCache(database: BetterSqlite3.Database, cap = 500) {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => database.close(),
    prepare(sqlText: string) {
      let stmt = cache.get(sqlText);
      if (!stmt) {
        if (cache.size >= cap) cache.clear();
        stmt = database.prepare(sqlText);
        cache.set(sqlText, stmt);
      }
      return stmt;
    },
  };
}

function openPostgres(url: string, schema: string | undefined): Kysely<Database> {
  const int8 = 20;
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary'): unknown =>
        oid === int8 ? (v: string) => Number(v) : (pg.types.getTypeParser(oid, format ?? 'text') as unknown)) as typeof pg.types.getTypeParser,
    },
  });
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

export class Store {
  private readonly queue: WriteQueue;

  private constructor(
    readonly db: Kysely<Database>,
    readonly dialect: Dialect,
    maxBatch: number,
  ) {
    this.queue = new WriteQueue(db, maxBatch);
  }

  static async open(config: StoreConfig): Promise<Store> {
    const dialect: Dialect = config.kind;
    let db: Kysely<Database>;
    if (config.kind === 'sqlite') {
      db = openSqlite(config.dataDir);
    } else {
      if (config.schema) {
        const bootstrap = openPostgres(config.url, undefined);
        try {
          await sql`create schema if not exists ${sql.id(config.schema)}`.execute(bootstrap);
        } finally {
          await bootstrap.destroy();
        }
      }
      db = openPostgres(config.url, config.schema);
    }
    const store = new Store(db, dialect, config.maxBatch ?? 256);
    // With a schema of its own, the migration tables are looked up there: kysely otherwise finds
    // them in any schema of the database (another store's) and never creates its own.
    const migrationTableSchema = config.kind === 'postgres' ? config.schema : undefined;
    const { error } = await new Migrator({ db, provider: migrationProvider(dialect), ...(migrationTableSchema ? { migrationTableSchema } : {}) }).migrateToLatest();
    if (error) {
      await db.destroy();
      throw error instanceof Error ? error : new Error(`migration failed: ${JSON.stringify(error)}`);
    }
    return store;
  }

  /** Where committed channel events go (the hub's fan-out). */
  /** Runners whose presence is not offline (for /metrics). */
  async runnersOnline(): Promise<number> {
    const row = await this.db.selectFrom('runners').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '!=', 'offline').executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /** Deliveries waiting to be sent (pending or being sent; for /metrics). */
  async deliveriesQueued(): Promise<number> {
    const row = await this.db.selectFrom('deliveries').select((eb) => eb.fn.countAll<number>().as('n')).where('status', 'in', ['pending', 'sending']).executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /** Whether the store answers a query now (for /readyz). */
  async ready(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  onCommitted(observe: (seconds: number, writes: number) => void): void {
    this.queue.onCommitted(observe);
  }

  onPublish(publish: Publish): void {
    this.queue.onPublish(publish);
  }

  /** What follows every write in its transaction (notifications/derive.ts), and the wake-up once such a batch committed. */
  onFollow(...a: Parameters<WriteQueue['onFollow']>): void {
    this.queue.onFollow(...a);
  }

  get writeStats() {
    return this.queue.stats;
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }

  // identity
  createUser = (input: { name: string; passwordHash: string | null; admin: boolean }) => identity.createUser(this.db, input);
  userByName = (name: string) => identity.userByName(this.db, name);
  userById = (id: string) => identity.userById(this.db, id);
  setPassword = (userId: string, passwordHash: string) => identity.setPassword(this.db, userId, passwordHash);
  createToken = (input: Parameters<typeof identity.createToken>[1]) => identity.createToken(this.db, input);
  tokenByHash = (hash: string) => identity.tokenByHash(this.db, hash);
  tokenById = (id: string) => identity.tokenById(this.db, id);
  listTokens = (opts?: { userId?: string | undefined }) => identity.listTokens(this.db, opts);
  revokeToken = (id: string, now?: Date) => identity.revokeToken(this.db, id, now);
  touchToken = (id: string, now?: Date) => identity.touchToken(this.db, id, now);
  createSession = (input: { userId: string; sessionHash: string; expiresAt: Date }) => identity.createSession(this.db, input);
  userBySessionHash = (hash: string, now: Date) => identity.userBySessionHash(this.db, hash, now);
  deleteSession = (hash: string) => identity.deleteSession(this.db, hash);
  createChannel = (ref: ChannelRef) => identity.createChannel(this.db, ref);
  channelByRef = (ref: ChannelRef) => identity.channelByRef(this.db, ref);
  addMember = (channelId: string, userId: string) => identity.addMember(this.db, channelId, userId);
  removeMember = (channelId: string, userId: string) => identity.removeMember(this.db, channelId, userId);
  isMember = (channelId: string, userId: string) => identity.isMember(this.db, channelId, userId);
  channelsOf = (userId: string) => identity.channelsOf(this.db, userId);
  audit = (entry: Parameters<typeof identity.audit>[1]) => identity.audit(this.db, entry);
  listAudit = (opts: Parameters<typeof identity.listAudit>[1]) => identity.listAudit(this.db, opts);
  createSignInCode = (input: Parameters<typeof signInCodes.createSignInCode>[1], now?: Date) => signInCodes.createSignInCode(this.db, input, now);
  exchangeSignInCode = (codeHash: string, now: Date) => signInCodes.exchangeSignInCode(this.db, codeHash, now);

  // the channel log: writes are group-committed, reads go straight to the database
  postMessage = (...a: Parameters<typeof messages.postMessage>) => this.queue.run(messages.postMessage(...a));
  appendRow = (...a: Parameters<typeof messages.appendRow>) => this.queue.run(messages.appendRow(...a));
  updateRow = (...a: Parameters<typeof messages.updateRow>) => this.queue.run(messages.updateRow(...a));
  setState = (...a: Parameters<typeof messages.setState>) => this.queue.run(messages.setState(...a));
  recordControl = (...a: Parameters<typeof controls.recordControl>) => this.queue.run(controls.recordControl(...a));
  registerRunner = (...a: Parameters<typeof runners.registerRunner>) => this.queue.run(runners.registerRunner(...a));
  setRunnerStatus = (...a: Parameters<typeof runners.setRunnerStatus>) => this.queue.run(runners.setRunnerStatus(...a));
  setTitle = (...a: Parameters<typeof titles.setTitle>) => this.queue.run(titles.setTitle(...a));

  findControl = (channelId: string, actorId: string, clientId: string) => controls.findControl(this.db, channelId, actorId, clientId);
  rootOf = (channelId: string, messageId: string) => binding.rootOf(this.db, channelId, messageId);
  threadRoot = (channelId: string, threadId: string) => binding.threadRoot(this.db, channelId, threadId);

  /** Reads that must agree with each other (a head seq and the rows it covers): one snapshot. */
  async snapshot<T>(fn: (db: Kysely<Database>) => Promise<T>): Promise<T> {
    const trx = this.db.transaction();
    return (this.dialect === 'postgres' ? trx.setIsolationLevel('repeatable read') : trx).execute(fn);
  }

  headSeq = (channelId: string) => reads.headSeq(this.db, channelId);
  eventsSince = (channelId: string, since: number, limit = 500, maxChars?: number) => reads.eventsSince(this.db, channelId, since, limit, maxChars);
  getThread = (channelId: string, threadId: string) => reads.getThread(this.db, channelId, threadId);
  getMessage = (channelId: string, messageId: string) => reads.getMessage(this.db, channelId, messageId);
  listThreads = (channelId: string, opts: { beforeSeq?: number | undefined; limit: number }) => reads.listThreads(this.db, channelId, opts);
  runnersOf = (channelId: string) => reads.runnersOf(this.db, channelId);

  /** Retention: empties old rows' output, one bounded batch per call (retention.ts); outside the write queue, in its own transaction. */
  pruneEventPayloads = (opts: retention.PruneOptions) => retention.pruneEventPayloads(this.db, opts);

  /** After a crash no socket is left: every runner the store still shows present is offline. */
  async markRunnersOffline(): Promise<number> {
    const present = await this.db
      .selectFrom('runners')
      .innerJoin('users', 'users.id', 'runners.user_id')
      .select(['runners.runner_id', 'runners.channel_id', 'runners.user_id', 'users.name'])
      .where('runners.status', '!=', 'offline')
      .execute();
    for (const r of present) {
      await this.setRunnerStatus(r.channel_id, { user_id: r.user_id, name: r.name }, r.runner_id, { status: 'offline' });
    }
    return present.length;
  }
}
