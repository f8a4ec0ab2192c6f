// `pilothouse backup --to FILE` and `pilothouse restore --from FILE`: the SQLite store, online (a
// consistent copy while the hub runs) and back. PostgreSQL: pg_dump / pg_restore (docs/cli.md).

import { Command } from 'commander';
import { addStoreOptions, storeConfig, type StoreFlags } from '../store-options.js';
import { UsageError } from '../errors.js';

const PG = 'a PostgreSQL store is backed up with its own tools: pg_dump --format=custom --file=pilothouse.dump "$DATABASE_URL" (restore: pg_restore --clean --if-exists --dbname="$DATABASE_URL" pilothouse.dump); see docs/cli.md';

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

export function backupCommands(): Command[] {
  const backup = addStoreOptions(
    new Command('backup')
      .description("Copy the hub's SQLite store to a new file, consistently, while the hub runs.")
      .requiredOption('--to <file>', 'the backup file to write (must not exist)')
      .addHelpText('after', '\nExamples:\n  pilothouse backup --to ~/backups/pilothouse-$(date +%F).db\n  pilothouse backup --data /var/lib/pilothouse --to /backups/hub.db'),
  ).action(async (opts: StoreFlags & { to: string }) => {
    const store = storeConfig(opts);
    if (store.kind !== 'sqlite') throw new UsageError(PG);
    const { backupSqlite } = await import('@pilothouse/hub');
    const r = await backupSqlite(store.dataDir, opts.to);
    process.stdout.write(`backed up ${r.events} events to ${r.file} (${mib(r.bytes)}) in ${r.ms} ms\n`);
  });
  const restore = addStoreOptions(
    new Command('restore')
      .description('Replace the SQLite store with a backup (the hub must be stopped); the store it replaces is kept beside it.')
      .requiredOption('--from <file>', 'the backup file (from pilothouse backup)')
      .addHelpText('after', '\nExamples:\n  pilothouse restore --from ~/backups/pilothouse-2026-12-01.db\n  pilothouse restore --data /var/lib/pilothouse --from /backups/hub.db'),
  ).action(async (opts: StoreFlags & { from: string }) => {
    const store = storeConfig(opts);
    if (store.kind !== 'sqlite') throw new UsageError(PG);
    const { restoreSqlite } = await import('@pilothouse/hub');
    const r = await restoreSqlite(store.dataDir, opts.from);
    process.stdout.write(`restored ${opts.from} into ${store.dataDir} (schema: ${r.migrations} migrations; newer ones run when the hub starts)${r.previous ? `; the store it replaced is kept as ${r.previous}` : ''}\n`);
  });
  return [backup, restore];
}
