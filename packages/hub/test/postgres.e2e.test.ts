// Two hub processes on one PostgreSQL: writes through either hub reach subscribers of both, in one
// gap-free seq order (LISTEN/NOTIFY fan-out, see channels/pg-feed.ts).

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import pg from 'pg';
import { Store } from '../src/store/store.js';
import { PG_URL } from './stores.js';
import { EventLog, connect, join, push } from './phx.js';
import { seedStore, startHubProcess, type HubProcess } from './hub-process.js';

const schema = `ph_e2e_${randomBytes(5).toString('hex')}`;
const url = `${PG_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
let hubs: HubProcess[] = [];
let tokens: Record<string, string>;

beforeAll(async () => {
  const store = await Store.open({ kind: 'postgres', url: PG_URL, schema });
  try {
    ({ tokens } = await seedStore(store, ['alice', 'bob']));
  } finally {
    await store.close();
  }
  hubs = await Promise.all([startHubProcess(url), startHubProcess(url)]);
});
afterAll(async () => {
  await Promise.all(hubs.map((h) => h.stop()));
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  await client.query(`drop schema if exists ${schema} cascade`);
  await client.end();
});

it('posts through two hubs reach a watcher on either, every seq once, in order', async () => {
  const [h1, h2] = hubs as [HubProcess, HubProcess];
  const sockets = [connect(h1.url, tokens.alice!), connect(h2.url, tokens.bob!), connect(h2.url, tokens.alice!), connect(h1.url, tokens.bob!)];
  const [a, b, w2, w1] = sockets.map((s) => s.channel('channel:acme/agents', {}));
  for (const ch of [a, b, w2, w1]) await join(ch!);
  const logs = [new EventLog(w2!, ['message']), new EventLog(w1!, ['message'])];
  const N = 100;
  const replies = await Promise.all(
    Array.from({ length: N }, (_, i) => push(i % 2 ? a! : b!, 'post_message', { client_id: `pg-${i}`, body: `m${i}` })),
  );
  const maxSeq = Math.max(...replies.map((r) => (r as { seq: number }).seq));
  for (const log of logs) {
    await log.until(() => log.events.length >= N);
    expect(log.seqs()).toEqual(Array.from({ length: N }, (_, i) => maxSeq - N + 1 + i));
  }
  for (const s of sockets) s.disconnect();
});
