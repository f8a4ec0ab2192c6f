// Two hub processes on one PostgreSQL: writes through either hub reach subscribers of both, in one
// gap-free seq order (LISTEN/NOTIFY fan-out, see channels/pg-feed.ts).

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Channel } from 'phoenix';
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

it('NUL, lone surrogates and 4-byte characters reach PostgreSQL and come back exactly: live, replayed and read', async () => {
  const [h1, h2] = hubs as [HubProcess, HubProcess];
  const sockets = [connect(h1.url, tokens.alice!), connect(h2.url, tokens.bob!), connect(h1.url, tokens.bob!)];
  const [runner, watcher] = sockets.map((s) => s.channel('channel:acme/agents', {})) as [Channel, Channel];
  await join(runner);
  const head = (await join(watcher)) as { head_seq: number };
  const log = new EventLog(watcher, ['append', 'message']);
  await push(runner, 'runner_register', { runner_id: 'nul-runner', instance_id: 'i1', name: 'laptop', cwd: '/w', agent: { name: 'codex', version: '0.169.0' }, capabilities: [] });
  const root = (await push(runner, 'post_row', { client_id: 'nul-root', kind: 'session', body: 'Session \0 😀' })) as { thread_id: string };
  await push(runner, 'post_row', { client_id: 'nul-row', kind: 'command', body: '', item_key: 'nul:cmd', thread_id: root.thread_id, status: 'streaming' });
  const pieces = ['before\0after', '\uD800', '\uDC00', ' 𝄞\n'];
  let offset = 0;
  for (const text of pieces) {
    await push(runner, 'append', { item_key: 'nul:cmd', offset, text });
    offset += text.length;
  }
  await push(runner, 'update_row', { item_key: 'nul:cmd', status: 'completed', meta: { out: pieces.join('') } });
  await push(watcher, 'post_message', { client_id: 'nul-reply', body: 'reply \0 \uDFFF', thread_id: root.thread_id });

  await log.until(() => log.events.filter((e) => e.event === 'message').length === 3);
  expect(log.events.filter((e) => e.event === 'append').map((e) => e.payload.text)).toEqual(pieces);
  const thread = (await push(watcher, 'get_thread', { thread_id: root.thread_id })) as { messages: { body: string; status: string | null; meta: unknown }[] };
  expect(thread.messages.map((m) => m.body)).toEqual(['Session \0 😀', pieces.join(''), 'reply \0 \uDFFF']);
  expect(thread.messages[1]).toMatchObject({ status: 'completed', meta: { out: pieces.join('') } });
  // a late joiner on the other hub replays the same events from the log
  const late = sockets[2]!.channel('channel:acme/agents', { since: head.head_seq });
  const replay = new EventLog(late, ['append', 'message']);
  await join(late);
  await replay.until(() => replay.events.length === log.events.length);
  expect(replay.events.map((e) => e.payload)).toEqual(log.events.map((e) => e.payload));
  for (const s of sockets) s.disconnect();
});

it('presence crosses hubs: a watcher on one hub sees who watches and types through the other, and who left', async () => {
  const [h1, h2] = hubs as [HubProcess, HubProcess];
  const bobSocket = connect(h1.url, tokens.bob!);
  const aliceSocket = connect(h2.url, tokens.alice!);
  const [bob, alice] = [bobSocket, aliceSocket].map((s) => s.channel('channel:acme/agents', {})) as [Channel, Channel];
  await join(bob);
  await join(alice);
  const { thread_id } = (await push(alice, 'post_message', { client_id: 'presence-root', body: 'Who is here?' })) as { thread_id: string };
  const seen: { watching: { name: string }[]; typing: { name: string }[] }[] = [];
  let wake = () => {};
  bob.on('thread_presence', (payload) => {
    const p = payload as { thread_id: string; watching: { name: string }[]; typing: { name: string }[] };
    if (p.thread_id !== thread_id) return;
    seen.push(p);
    wake();
  });
  const names = (p: (typeof seen)[number]) => `${p.watching.map((a) => a.name).join(',')}|${p.typing.map((a) => a.name).join(',')}`;
  const until = (want: string) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no presence ${want}; saw ${seen.map(names).join(' ; ')}`)), 10_000);
      wake = () => {
        if (seen.length > 0 && names(seen.at(-1)!) === want) {
          clearTimeout(timer);
          resolve();
        }
      };
      wake();
    });
  await push(bob, 'watch', { thread_id });
  await push(alice, 'typing', { thread_id, typing: true });
  await until('bob,alice|alice');
  await push(alice, 'typing', { thread_id, typing: false });
  await until('bob,alice|');
  aliceSocket.disconnect();
  await until('bob|');
  bobSocket.disconnect();
});
