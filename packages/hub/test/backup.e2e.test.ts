// Backups and restores of the SQLite store (issue: ship it), with the real CLI against a real hub
// process: a backup taken while a client writes is a consistent snapshot (gap-free seqs, every
// write acknowledged before it began); refusals each with one line and exit 1 (an unwritable path,
// an existing file, another backup running, a restore under a running hub, a newer schema, a file
// that is no store); a restore brings the store back to the backup, keeping the one it replaced.

import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Channel } from 'phoenix';
import { CLI, cleanupDir, seed, startHubProcess, type HubProcess, type Seeded } from './hub-process.js';
import { connect, join as joinChannel, settle } from './phx.js';

let seeded: Seeded;
let hub: HubProcess;
let dir: string;

beforeAll(async () => {
  seeded = await seed(['alice']);
  hub = await startHubProcess(seeded.dataDir, { args: ['--rate-limit-scale', '0'] });
  dir = mkdtempSync(join(tmpdir(), 'ph-backups-'));
});
afterAll(async () => {
  if (hub.child.exitCode === null && hub.child.signalCode === null) await hub.stop();
  cleanupDir(seeded.dataDir);
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `pilothouse ARGS` to its end: exit code and output. */
function cli(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => resolve({ code, out, err }));
  });
}

const messageCount = (file: string): { events: number; seqs: number[] } => {
  const db = new BetterSqlite3(file, { readonly: true });
  try {
    const seqs = (db.prepare('select seq from events order by seq').all() as { seq: number }[]).map((r) => Number(r.seq));
    return { events: seqs.length, seqs };
  } finally {
    db.close();
  }
};

describe('backup and restore', () => {
  let backup: string;
  let ackedBefore: number;

  it('takes a consistent backup while a client writes', async () => {
    const socket = connect(hub.url, seeded.tokens.alice!);
    const ch: Channel = socket.channel('channel:acme/agents', {});
    await joinChannel(ch);
    for (let i = 0; i < 50; i++) await settle(ch.push('post_message', { client_id: `pre-${i}`, body: `before ${i}` }));
    ackedBefore = 50;
    let writing = true;
    let n = 0;
    const writer = (async () => {
      while (writing) await settle(ch.push('post_message', { client_id: `during-${n++}`, body: `during ${n}` }));
    })();
    backup = join(dir, 'hub.db');
    const r = await cli('backup', '--data', seeded.dataDir, '--to', backup);
    writing = false;
    await writer;
    socket.disconnect();
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^backed up \d+ events to .*hub\.db \([\d.]+ MiB\) in \d+ ms\n$/);
    const { events, seqs } = messageCount(backup);
    expect(events).toBeGreaterThanOrEqual(ackedBefore);
    expect(seqs).toEqual(Array.from({ length: events }, (_, i) => i + 1));
    // Nothing half-written beside it.
    expect(readdirSync(dir)).toEqual(['hub.db']);
  });

  it.each([
    ['an existing file', () => ['--to', backup], /exists; name a new file/],
    ['a folder that does not exist', () => ['--to', join(dir, 'missing', 'x.db')], /the folder does not exist/],
    ['a path under a file', () => ['--to', join(backup, 'x.db')], /Cannot write the backup/],
  ])('refuses a backup to %s, in one line, exit 1', async (_what, args, message) => {
    const r = await cli('backup', '--data', seeded.dataDir, ...args());
    expect(r.code).toBe(1);
    expect(r.err).toMatch(message);
    expect(r.err.trim().split('\n')).toHaveLength(1);
  });

  it('refuses a second backup while one runs (its lock names a live process)', async () => {
    writeFileSync(join(seeded.dataDir, 'backup.lock'), `${process.pid}\n`);
    try {
      const r = await cli('backup', '--data', seeded.dataDir, '--to', join(dir, 'second.db'));
      expect(r.code).toBe(1);
      expect(r.err).toContain(`Another backup of ${seeded.dataDir} is running (pid ${process.pid})`);
      expect(existsSync(join(dir, 'second.db'))).toBe(false);
    } finally {
      rmSync(join(seeded.dataDir, 'backup.lock'));
    }
  });

  it('refuses to restore under a running hub', async () => {
    const r = await cli('restore', '--data', seeded.dataDir, '--from', backup);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/A hub \(pid \d+\) runs on .*; stop it before restoring/);
  });

  it('refuses a backup made by a newer schema, and a file that is no store', async () => {
    await hub.stop();
    const newer = join(dir, 'newer.db');
    copyFileSync(backup, newer);
    const db = new BetterSqlite3(newer);
    db.prepare('insert into kysely_migration (name, timestamp) values (?, ?)').run('9999_from_the_future', new Date().toISOString());
    db.close();
    const r = await cli('restore', '--data', seeded.dataDir, '--from', newer);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/was made by a newer Pilothouse \(schema 9999_from_the_future\)/);
    const junk = join(dir, 'junk.db');
    writeFileSync(junk, 'not a database at all'.repeat(100));
    const j = await cli('restore', '--data', seeded.dataDir, '--from', junk);
    expect(j.code).toBe(1);
    expect(j.err).toMatch(/cannot be opened as SQLite|is not a Pilothouse store|damaged/);
  });

  it('restores the backup (the newer writes are gone; the replaced store is kept) and the hub serves it', async () => {
    const live = messageCount(join(seeded.dataDir, 'pilothouse.db')).events;
    const backedUp = messageCount(backup).events;
    expect(live).toBeGreaterThan(backedUp);
    const r = await cli('restore', '--data', seeded.dataDir, '--from', backup);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const kept = /kept as (\S+)\n$/.exec(r.out)![1]!;
    expect(messageCount(kept).events).toBe(live);
    expect(messageCount(join(seeded.dataDir, 'pilothouse.db')).events).toBe(backedUp);
    hub = await startHubProcess(seeded.dataDir);
    const socket = connect(hub.url, seeded.tokens.alice!);
    const ch: Channel = socket.channel('channel:acme/agents', {});
    const joined = (await joinChannel(ch)) as { head_seq: number };
    expect(joined.head_seq).toBe(backedUp);
    const next = (await settle(ch.push('post_message', { client_id: 'after-restore', body: 'after' }))) as { seq: number };
    expect(next.seq).toBe(backedUp + 1);
    socket.disconnect();
  });
});
