// Test support: a hub process started ahead of need. It loads every module, says `ready`, and
// waits for `go <port>` on stdin; only then does it open the store (recovery included) and listen,
// as `pilothouse hub` does. Kill tests use it to restart a SIGKILLed hub on the same port within
// milliseconds instead of a process start and a module load (seconds on a busy machine).
// Plain JavaScript on the compiled hub (dist/, which the tests' global setup builds), as the
// installed `pilothouse hub` runs: no TypeScript loader, so a standby is ready in ≈ 1.0 s of CPU
// where tsx on the sources took ≈ 2.0 s, and a kill test starts over a hundred of them.
// argv: a SQLite data dir, or a postgres:// URL.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { createInterface } from 'node:readline';
import { pino } from 'pino';
import { startHub } from '@pilothouse/hub';

const target = process.argv[2];
if (target === undefined) throw new Error('usage: hub-standby.mjs <data dir | postgres url>');
const store = target.startsWith('postgres://') ? { kind: 'postgres', url: target } : { kind: 'sqlite', dataDir: target };
// Warm-up: the first hub a process starts pays for lazy loading and compilation (≈ 0.5 s); a
// throw-away hub pays it before `ready`: on PostgreSQL a second hub on the same database (as
// several hub processes are), on SQLite a scratch file (one process owns a SQLite store).
const scratch = store.kind === 'sqlite' ? mkdtempSync(join(tmpdir(), 'ph-standby-')) : null;
const warm = await startHub({ host: '127.0.0.1', port: 0, store: scratch ? { kind: 'sqlite', dataDir: scratch } : store, logger: pino({ level: 'silent' }), webRoot: null });
await warm.close();
if (scratch) rmSync(scratch, { recursive: true, force: true });
const lines = createInterface({ input: process.stdin });
process.stdout.write('ready\n');
lines.once('line', (line) => {
  const port = Number(/^go (\d+)$/.exec(line)?.[1] ?? Number.NaN);
  if (!Number.isInteger(port)) throw new Error(`expected "go <port>", got ${line}`);
  void startHub({ host: '127.0.0.1', port, store, logger: pino({ level: 'warn' }, pino.destination(2)), webRoot: null }).then((hub) => {
    process.stdout.write(`Pilothouse hub listening on ${hub.url}\n`);
  });
});
