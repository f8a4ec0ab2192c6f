// Retention of event payloads in a running hub (issue 17), on SQLite and on PostgreSQL: a hub
// started with a 30-day retention empties, at start, the output of rows older than that (command
// output, reasoning, a diff) and marks them, keeps the words (the instruction, the answer) and the
// recent rows whole; a client reads the same over the socket, from the thread and from a replay of
// the log; the Prometheus counter says how many rows; the next tick prunes what aged since; close()
// cancels the timer, and a tick after it touches nothing.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as pathJoin } from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'phoenix';
import type { Message } from '@pilothouse/protocol';
import { startHub, type RunningHub } from '../src/hub.js';
import { Store, type Author, type StoreConfig } from '../src/store/store.js';
import { connect, EventLog, join, push } from './phx.js';
import { seedStore } from './hub-process.js';
import { PG_URL } from './stores.js';
import { handTicker } from './hand-ticker.js';

const DAY = 86_400_000;

/** The value of one sample line (`name value`) of the Prometheus text. */
async function counter(hub: RunningHub, series: string): Promise<number | null> {
  const text = await (await fetch(`${hub.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? null : Number(line.slice(series.length + 1));
}

/** Rows as a runner writes them, then backdated when `old`: names to ids. */
async function writeRows(store: Store, channelId: string, authors: { human: Author; runner: Author }, threadId: string | undefined, old: boolean, prefix: string) {
  const { human, runner } = authors;
  const ids: Record<string, string> = {};
  let thread = threadId;
  if (thread === undefined) {
    const root = await store.postMessage(channelId, runner, { client_id: `${prefix}root`, body: 'Session in /work', kind: 'session', meta: { agent: 'codex' } });
    ids.root = root.message_id;
    thread = root.thread_id;
  }
  ids.ask = (await store.postMessage(channelId, human, { client_id: `${prefix}ask`, body: 'run the tests', kind: 'text', thread_id: thread })).message_id;
  const row = async (name: string, kind: Message['kind'], body: string, meta?: Record<string, unknown>) =>
    (ids[name] = (await store.postMessage(channelId, runner, { client_id: `${prefix}${name}`, item_key: `${prefix}${name}`, kind, body, thread_id: thread, ...(meta ? { meta } : {}) })).message_id);
  await row('cmd', 'command', '$ npm test\n', { command: 'npm test' });
  await store.appendRow(channelId, runner, { item_key: `${prefix}cmd`, offset: 11, text: 'ok 1 - pruned output\n' });
  await store.updateRow(channelId, runner, { item_key: `${prefix}cmd`, meta: { command: 'npm test', exit_code: 0 }, status: 'completed' });
  await row('think', 'reasoning', 'Thinking about the tests');
  await store.updateRow(channelId, runner, { item_key: `${prefix}think`, status: 'completed' });
  await row('diff', 'file_change', '', { changes: [{ path: 'src/x.ts', kind: 'update' }] });
  await store.updateRow(channelId, runner, { item_key: `${prefix}diff`, body: '--- a/src/x.ts\n+++ b/src/x.ts\n@@ -1 +1 @@\n-1\n+2\n', status: 'completed' });
  await row('answer', 'assistant', 'All tests pass.');
  await store.updateRow(channelId, runner, { item_key: `${prefix}answer`, status: 'completed' });
  if (old) await store.db.updateTable('messages').set({ created_at: new Date(Date.now() - 40 * DAY).toISOString() }).where('id', 'in', Object.values(ids)).execute();
  return { ids, threadId: thread };
}

describe.each(['sqlite', 'postgres'] as const)('retention of event payloads in a running hub (%s)', (KIND) => {
  const schema = `ph_retention_${randomBytes(5).toString('hex')}`;
  const dataDir = mkdtempSync(pathJoin(tmpdir(), 'ph-retention-'));
  const storeConfig: StoreConfig = KIND === 'sqlite' ? { kind: 'sqlite', dataDir } : { kind: 'postgres', url: PG_URL, schema };
  const hand = handTicker();
  const logs: Record<string, unknown>[] = [];
  let hub: RunningHub;
  let hubClosed = false;
  let socket: Socket;
  let channelId: string;
  let authors: { human: Author; runner: Author };
  let before: Message[];
  let old: Record<string, string>;
  let fresh: Record<string, string>;
  let threadId: string;

  beforeAll(async () => {
    // Written before the hub starts: old rows (40 days) and rows from today, in one session thread.
    const seeding = await Store.open(storeConfig);
    const { tokens, users } = await seedStore(seeding, ['alice', 'bob']);
    channelId = (await seeding.channelByRef({ workspace: 'acme', channel: 'agents' }))!.id;
    authors = { human: { userId: users.alice!, name: 'alice', runnerId: null }, runner: { userId: users.alice!, name: 'alice', runnerId: 'r1' } };
    ({ ids: old, threadId } = await writeRows(seeding, channelId, authors, undefined, true, 'old-'));
    ({ ids: fresh } = await writeRows(seeding, channelId, authors, threadId, false, 'new-'));
    before = await seeding.getThread(channelId, threadId);
    await seeding.close();

    hub = await startHub({
      host: '127.0.0.1',
      port: 0,
      store: storeConfig,
      logger: pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) }),
      webRoot: null,
      rateLimits: null,
      notifications: { push: false },
      retention: { eventPayloadsDays: 30, batchRows: 2, ticker: hand.ticker },
    });
    socket = connect(hub.url, tokens.bob!);
  });

  afterAll(async () => {
    socket?.disconnect();
    if (!hubClosed) await hub?.close();
    if (KIND === 'sqlite') rmSync(dataDir, { recursive: true, force: true });
    else {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    }
  });

  it('prunes at start: old output emptied and marked, words and recent rows whole, over the socket too; the counter says 3', async () => {
    // Joins the run the hub started with.
    await hub.retention!.run();
    expect(hand.armed.map((t) => [t.ms, t.cancelled])).toEqual([[3_600_000, false]]);

    const ch = socket.channel('channel:acme/agents', { since: 0 });
    const replay = new EventLog(ch, ['message', 'append', 'row_updated']);
    await join(ch);
    const thread = ((await push(ch, 'get_thread', { thread_id: threadId })) as { messages: Message[] }).messages;
    const was = new Map(before.map((m) => [m.id, m]));
    const marker = (length: number) => ({ pruned: { at: expect.any(String), after_days: 30, length } });
    const emptied = (id: string, meta: Record<string, unknown>) => ({ ...was.get(id), body: '', meta });
    expect(thread).toEqual(
      before.map((m) => {
        switch (m.id) {
          case old.cmd:
            return emptied(m.id, { command: 'npm test', exit_code: 0, ...marker(32) });
          case old.think:
            return emptied(m.id, marker(24));
          case old.diff:
            return emptied(m.id, { changes: [{ path: 'src/x.ts', kind: 'update' }], ...marker(48) });
          default:
            return m;
        }
      }),
    );
    expect(thread.find((m) => m.id === old.answer)?.body).toBe('All tests pass.');
    expect(thread.find((m) => m.id === old.ask)?.body).toBe('run the tests');
    expect(thread.find((m) => m.id === fresh.cmd)?.body).toBe('$ npm test\nok 1 - pruned output\n');

    // The log a client replays carries none of the old output, and all of the new.
    const head = await hub.store.headSeq(channelId);
    await replay.until(() => replay.seqs().some((s) => s >= head));
    const oldIds = new Set([old.cmd, old.think, old.diff]);
    const about = (e: (typeof replay.events)[number]) => (e.event === 'message' ? (e.payload.message as Message).id : (e.payload.message_id as string));
    const oldText = JSON.stringify(replay.events.filter((e) => oldIds.has(about(e))));
    for (const gone of ['$ npm test', 'ok 1', 'Thinking', '+++ b/src/x.ts']) expect(oldText).not.toContain(gone);
    expect(JSON.stringify(replay.events.filter((e) => about(e) === fresh.diff))).toContain('+++ b/src/x.ts');

    expect(await counter(hub, 'pilothouse_pruned_event_payloads_total')).toBe(3);
    expect(logs.filter((l) => l.event === 'payloads_pruned').map((l) => [l.rows, l.after_days])).toEqual([[3, 30]]);
  });

  it('prunes what aged since on the next tick, and only that', async () => {
    const { ids } = await writeRows(hub.store, channelId, authors, threadId, true, 'later-');
    const untouched = await hub.store.getThread(channelId, threadId);
    hand.armed[0]!.tick();
    expect(await hub.retention!.run()).toBe(3);
    const after = await hub.store.getThread(channelId, threadId);
    const changed = after.filter((m, i) => JSON.stringify(m) !== JSON.stringify(untouched[i]));
    expect(changed.map((m) => [m.id, m.body])).toEqual([
      [ids.cmd, ''],
      [ids.think, ''],
      [ids.diff, ''],
    ]);
    expect(await counter(hub, 'pilothouse_pruned_event_payloads_total')).toBe(6);
  });

  it('close() cancels the timer; a tick after it prunes nothing', async () => {
    const { ids } = await writeRows(hub.store, channelId, authors, threadId, true, 'last-');
    socket.disconnect();
    await hub.close();
    hubClosed = true;
    expect(hand.armed.map((t) => t.cancelled)).toEqual([true]);
    hand.armed[0]!.tick();
    expect(await hub.retention!.run()).toBe(0);
    const reopened = await Store.open(storeConfig);
    try {
      expect((await reopened.getMessage(channelId, ids.cmd!))?.body).toBe('$ npm test\nok 1 - pruned output\n');
      expect((await reopened.getMessage(channelId, ids.diff!))?.meta).not.toHaveProperty('pruned');
    } finally {
      await reopened.close();
    }
    expect(logs.filter((l) => l.event === 'retention_failed')).toEqual([]);
  });
});
