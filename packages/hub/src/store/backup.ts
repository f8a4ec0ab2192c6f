// Backups of the SQLite store and restoring one (`pilothouse backup`, `pilothouse restore`).
// A backup is `VACUUM INTO` on a connection of its own: one read transaction, a consistent snapshot
// while the hub keeps writing. It is written beside its target and renamed into place, so a half-written
// file never has the target's name. One backup at a time per data directory (a lock file naming
// its pid). A restore refuses while a hub runs on the directory (its pid file, hub.pid), refuses a
// file that is not a Pilothouse store or was made by a newer schema, and keeps the store it
// replaces beside it. PostgreSQL is backed up with pg_dump (docs/cli.md).

import { closeSync, constants, accessSync, existsSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync, copyFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { PilothouseError } from '@pilothouse/protocol';
import { migrationProvider } from './migrations.js';

export const DB_FILE = 'pilothouse.db';
export const HUB_PID_FILE = 'hub.pid';
const BACKUP_LOCK = 'backup.lock';

const writable = (dir: string): boolean => {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
};

/** Whether `pid` is a live process. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The pid in `file` when that process is alive (and, where /proc tells, still a `node` process:
 * a pid reused after a crash is not taken for the writer), else null (a stale or missing file).
 */
export function livePid(file: string): number | null {
  let pid: number;
  try {
    pid = Number(readFileSync(file, 'utf8').trim());
  } catch {
    return null;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return null;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('node') ? pid : null;
  } catch {
    return pid; // no /proc (macOS): the pid alone
  }
}

/** Takes `file` as a lock naming this process (a stale one is taken over); throws `already` when a live process holds it. */
function takeLock(file: string, already: (pid: number) => PilothouseError): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = livePid(file);
      if (holder !== null) throw already(holder);
      rmSync(file, { force: true }); // stale: its process is gone
    }
  }
  throw already(-1);
}

/** The hub's pid file in its data directory (what `restore` checks), removed again by the returned function. */
export function markHubRunning(dataDir: string): () => void {
  const file = join(dataDir, HUB_PID_FILE);
  const fd = openSync(file, 'w', 0o600);
  writeSync(fd, `${process.pid}\n`);
  closeSync(fd);
  return () => {
    try {
      if (Number(readFileSync(file, 'utf8').trim()) === process.pid) rmSync(file, { force: true });
    } catch {
      // already gone
    }
  };
}

export interface BackupResult {
  file: string;
  bytes: number;
  ms: number;
  events: number;
}

/** Writes a consistent copy of the store in `dataDir` to `target` (while a hub may be writing). */
export async function backupSqlite(dataDir: string, target: string): Promise<BackupResult> {
  const source = join(dataDir, DB_FILE);
  if (!existsSync(source)) throw new PilothouseError('not_found', `No store at ${source}: pass the hub's --data directory.`);
  const to = resolve(target);
  const dir = dirname(to);
  const why = !existsSync(dir) ? 'the folder does not exist' : !statSync(dir).isDirectory() ? `${dir} is not a folder` : writable(dir) ? null : 'the folder is not writable';
  if (why !== null) throw new PilothouseError('bad_request', `Cannot write the backup to ${to}: ${why}.`);
  if (existsSync(to)) throw new PilothouseError('already_exists', `${to} exists; name a new file (a backup never overwrites one).`);
  const release = takeLock(join(dataDir, BACKUP_LOCK), (pid) => new PilothouseError('bad_request', `Another backup of ${dataDir} is running (pid ${pid}); wait for it to finish.`));
  const partial = join(dir, `.${basename(to)}.partial-${process.pid}`);
  const started = performance.now();
  const db = new BetterSqlite3(source, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    // VACUUM INTO reads in one transaction: a consistent snapshot that the hub's writes (WAL) never
    // restart, as they restart the page-by-page backup API on every commit.
    db.prepare('VACUUM INTO ?').run(partial);
    // One self-contained file (no -wal or -shm beside it when opened); the hub turns WAL back on at start.
    const copy = new BetterSqlite3(partial);
    try {
      copy.pragma('journal_mode = DELETE');
    } finally {
      copy.close();
    }
    renameSync(partial, to);
  } catch (err) {
    rmSync(partial, { force: true });
    throw new PilothouseError('bad_request', `The backup to ${to} failed: ${(err as Error).message}`, undefined, { cause: err });
  } finally {
    db.close();
    release();
  }
  const check = new BetterSqlite3(to, { readonly: true });
  try {
    const events = (check.prepare('select count(*) as n from events').get() as { n: number }).n;
    return { file: to, bytes: statSync(to).size, ms: Math.round(performance.now() - started), events };
  } finally {
    check.close();
  }
}

/** The schema migrations a store file has applied, or why it is not a Pilothouse store. */
function appliedMigrations(file: string): string[] {
  let db: BetterSqlite3.Database;
  try {
    db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw new PilothouseError('bad_request', `${file} cannot be opened as SQLite: ${(err as Error).message}`);
  }
  try {
    const ok = (db.pragma('quick_check', { simple: true }) as string) === 'ok';
    if (!ok) throw new PilothouseError('bad_request', `${file} is damaged (SQLite quick_check failed); use another backup.`);
    const table = db.prepare("select name from sqlite_master where type = 'table' and name = 'kysely_migration'").get();
    if (!table) throw new PilothouseError('bad_request', `${file} is not a Pilothouse store (it has no schema migrations).`);
    return (db.prepare('select name from kysely_migration order by name').all() as { name: string }[]).map((r) => r.name);
  } catch (err) {
    if (err instanceof PilothouseError) throw err;
    throw new PilothouseError('bad_request', `${file} is not a Pilothouse store: ${(err as Error).message}`);
  } finally {
    db.close();
  }
}

export interface RestoreResult {
  /** Where the store it replaced was kept (null: there was none). */
  previous: string | null;
  migrations: number;
}

/** Replaces the store in `dataDir` with the backup `file` (no hub may run on it). */
export async function restoreSqlite(dataDir: string, file: string, now = new Date()): Promise<RestoreResult> {
  const from = resolve(file);
  if (!existsSync(from)) throw new PilothouseError('not_found', `No backup at ${from}.`);
  const hub = livePid(join(dataDir, HUB_PID_FILE));
  if (hub !== null) throw new PilothouseError('bad_request', `A hub (pid ${hub}) runs on ${dataDir}; stop it before restoring (a restore under a running hub would lose its writes).`);
  const applied = appliedMigrations(from);
  const known = Object.keys(await migrationProvider('sqlite').getMigrations());
  const newer = applied.filter((m) => !known.includes(m));
  if (newer.length > 0) {
    throw new PilothouseError('bad_request', `${from} was made by a newer Pilothouse (schema ${newer.join(', ')}); this one knows up to ${known.at(-1) ?? 'none'}. Upgrade Pilothouse, then restore.`);
  }
  const release = takeLock(join(dataDir, BACKUP_LOCK), (pid) => new PilothouseError('bad_request', `A backup of ${dataDir} is running (pid ${pid}); wait for it to finish.`));
  try {
    const target = join(dataDir, DB_FILE);
    let previous: string | null = null;
    if (existsSync(target)) {
      previous = `${target}.before-restore-${now.toISOString().replace(/[:.]/g, '-')}`;
      // Fold the old store's WAL into it first, so the kept copy is whole.
      const old = new BetterSqlite3(target);
      try {
        old.pragma('wal_checkpoint(TRUNCATE)');
      } finally {
        old.close();
      }
      renameSync(target, previous);
    }
    for (const side of ['-wal', '-shm']) rmSync(`${target}${side}`, { force: true });
    const partial = `${target}.restoring`;
    copyFileSync(from, partial);
    renameSync(partial, target);
    return { previous, migrations: applied.length };
  } finally {
    release();
  }
}
