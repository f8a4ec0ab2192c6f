// `--data DIR` / `--database-url URL`, shared by `hub` and the admin commands.

import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { StoreConfig } from '@pilothouse/hub';

export interface StoreFlags {
  data?: string;
  databaseUrl?: string;
}

export function addStoreOptions(cmd: Command): Command {
  return cmd
    .option('--data <dir>', 'data directory for the embedded SQLite store (env PILOTHOUSE_DATA)', process.env.PILOTHOUSE_DATA ?? join(homedir(), '.pilothouse'))
    .option('--database-url <url>', 'PostgreSQL URL; replaces the SQLite store (env PILOTHOUSE_DATABASE_URL)', process.env.PILOTHOUSE_DATABASE_URL);
}

export function storeConfig(flags: StoreFlags): StoreConfig {
  if (flags.databaseUrl) return { kind: 'postgres', url: flags.databaseUrl };
  return { kind: 'sqlite', dataDir: flags.data ?? join(homedir(), '.pilothouse') };
}
