// `pilothouse backup` and `restore` at size (issue: ship it): a SQLite store with 1,000,000 events
// (one channel, a thread of messages whose appends are the events), backed up online while a
// writer keeps posting through the real hub, then restored; against the baseline of copying the
// same file with cp (the floor for any backup of it) in the same run.

import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import BetterSqlite3 from 'better-sqlite3';
import { restoreSqlite, startHub } from '@pilothouse/hub';
import { connect, join as joinChannel, seedStore, settle } from '@pilothouse/hub/testing';

const CLI = join(import.meta.dirname, '..', 'packages', 'cli', 'bin', 'pilothouse.js');
const EVENTS = Number(process.env.BENCH_BACKUP_EVENTS ?? 1_000_000);

export interface BackupBench {
  events: number;
  storeMiB: number;
  backupMs: number;
  restoreMs: number;
  cpMs: number;
  writesDuringBackup: number;
}

const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

export async function backupBench(line: (s: string) => void): Promise<BackupBench> {
  const dir = mkdtempSync(join(tmpdir(), 'ph-bench-backup-'));
  const dataDir = join(dir, 'hub');
  try {
    // The store: seeded through the hub's own store, then filled with EVENTS append events in SQL (seconds, not minutes).
    let hub = await startHub({ host: '127.0.0.1', port: 0, store: { kind: 'sqlite', dataDir }, logger: pino({ level: 'silent' }), webRoot: null, rateLimits: null });
    const { tokens } = await seedStore(hub.store, ['alice']);
    const channelId = (await hub.store.channelByRef({ workspace: 'acme', channel: 'agents' }))!.id;
    await hub.close();
    const db = new BetterSqlite3(join(dataDir, 'pilothouse.db'));
    db.exec(`with recursive n(i) as (select 1 union all select i + 1 from n where i < ${EVENTS})
      insert into events (channel_id, seq, type, message_id, item_offset, actor_id, client_id, data, text, created_at)
      select '${channelId}', i, 'append', 'm-bench', (i - 1) * 80, null, null, '{}', printf('%080d', i), '2026-12-06T00:00:00.000Z' from n`);
    db.prepare('update channels set head_seq = ? where id = ?').run(EVENTS, channelId);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    const storeBytes = statSync(join(dataDir, 'pilothouse.db')).size;

    // Online: the hub runs and a client keeps writing while the backup is taken.
    hub = await startHub({ host: '127.0.0.1', port: 0, store: { kind: 'sqlite', dataDir }, logger: pino({ level: 'silent' }), webRoot: null, rateLimits: null });
    const socket = connect(hub.url, tokens.alice!);
    const ch = socket.channel('channel:acme/agents', {});
    await joinChannel(ch);
    let writing = true;
    let writes = 0;
    const writer = (async () => {
      while (writing) {
        await settle(ch.push('post_message', { client_id: `w-${writes}`, body: 'written during the backup' }));
        writes++;
      }
    })();
    // The real command, as a process of its own (its SQLite work does not stall this process's hub).
    const t0 = performance.now();
    const printed = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, [CLI, 'backup', '--data', dataDir, '--to', join(dir, 'backup.db')], (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout))),
    );
    const backupMs = Math.round(performance.now() - t0);
    const backedUp = Number(/^backed up (\d+) events/.exec(printed)?.[1] ?? NaN);
    writing = false;
    await writer;
    socket.disconnect();
    await hub.close();

    const c0 = performance.now();
    execFileSync('cp', [join(dataDir, 'pilothouse.db'), join(dir, 'copy.db')]);
    const cpMs = Math.round(performance.now() - c0);

    const r0 = performance.now();
    await restoreSqlite(dataDir, join(dir, 'backup.db'));
    const restoreMs = Math.round(performance.now() - r0);

    const result = { events: backedUp, storeMiB: mib(storeBytes), backupMs, restoreMs, cpMs, writesDuringBackup: writes };
    line(`backup: a store of ${result.events.toLocaleString('en')} events (${result.storeMiB} MiB): pilothouse backup (a process of its own, its start included) ${backupMs} ms while ${writes} writes were acknowledged, restore ${restoreMs} ms; cp of the same file ${cpMs} ms (backup ${(backupMs / Math.max(1, cpMs)).toFixed(1)}× cp)`);
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
