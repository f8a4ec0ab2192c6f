// Bounded reads (replay pages by size, thread pages, clipped bodies, body slices) on every store:
// SQLite and PostgreSQL must cut pages and slices alike, in UTF-16 units, astral characters included.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openWithChannel, postgresFixture, sqliteFixture } from '../../test/stores.js';
import type { Author, Channel, Store } from './store.js';
import { bodySlice, threadPage } from './thread-pages.js';

describe.each([sqliteFixture, postgresFixture])('bounded reads: $name', (fixture) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let channel: Channel;
  let human: Author;
  let runner: Author;

  beforeEach(async () => {
    ({ store, cleanup, channel, human, runner } = await openWithChannel(fixture));
  });
  afterEach(async () => cleanup());

  it('eventsSince cuts a page by size (at least one event) as well as by count', async () => {
    for (let i = 0; i < 6; i++) await store.postMessage(channel.id, human, { client_id: `m${i}`, body: 'x'.repeat(1000), kind: 'text' });
    const seqs = async (since: number, limit: number, maxChars?: number) => (await store.eventsSince(channel.id, since, limit, maxChars)).map((e) => e.payload.seq);
    expect(await seqs(0, 500)).toEqual([1, 2, 3, 4, 5, 6]);
    expect((await seqs(0, 500, 2500)).length).toBeGreaterThanOrEqual(1);
    expect((await seqs(0, 500, 2500)).length).toBeLessThan(6);
    expect(await seqs(0, 500, 1)).toEqual([1]);
    expect(await seqs(2, 3, 1_000_000)).toEqual([3, 4, 5]);
    expect(await seqs(6, 500, 1000)).toEqual([]);
  });

  it('threadPage pages by count and size, clips a long body to its head; bodySlice reads any range exactly', async () => {
    // A session thread: the runner that streams into it posted its root (the binding rule).
    const root = await store.postMessage(channel.id, runner, { client_id: 'root', body: 'root', kind: 'session' });
    await store.postMessage(channel.id, runner, { client_id: 'big', thread_id: root.thread_id, item_key: 'big', kind: 'command', body: 'a😀'.repeat(10), status: 'streaming' });
    let body = 'a😀'.repeat(10);
    for (let i = 0; i < 5; i++) {
      const text = `${i}😀b`.repeat(7);
      await store.appendRow(channel.id, runner, { item_key: 'big', offset: body.length, text });
      body += text;
    }
    for (let i = 0; i < 4; i++) await store.postMessage(channel.id, human, { client_id: `r${i}`, thread_id: root.thread_id, body: `reply ${i}`, kind: 'text' });
    const db = store.db;

    const first = await threadPage(db, channel.id, root.thread_id, { afterSeq: 0, limit: 3, pageChars: 1000, clip: 41 });
    expect(first.messages.map((m) => m.body)).toEqual(['root', body.slice(0, 41), 'reply 0']);
    expect(first.clipped).toEqual([{ message_id: first.messages[1]!.id, length: body.length }]);
    const second = await threadPage(db, channel.id, root.thread_id, { afterSeq: first.next!, limit: 3, pageChars: 1000, clip: 41 });
    expect(second.messages.map((m) => m.body)).toEqual(['reply 1', 'reply 2', 'reply 3']);
    expect(second.next).toBeNull();
    // By size: the clipped head counts, and a page holds at least one message.
    const small = await threadPage(db, channel.id, root.thread_id, { afterSeq: 0, limit: 100, pageChars: 10, clip: 41 });
    expect(small.messages.map((m) => m.body)).toEqual(['root']);

    const id = first.messages[1]!.id;
    for (const [offset, limit] of [[0, 1000], [0, 21], [19, 5], [20, 33], [body.length - 3, 10], [body.length, 5]] as const) {
      expect(await bodySlice(db, channel.id, id, offset, limit)).toEqual({ text: body.slice(offset, offset + limit), length: body.length });
    }
    expect(await bodySlice(db, channel.id, 'nope', 0, 1)).toBeUndefined();
  });

  it('threadPage reads backwards from before_seq: the newest messages first, each page in seq order, cut by count and size', async () => {
    const root = await store.postMessage(channel.id, runner, { client_id: 'root', body: 'root', kind: 'session' });
    await store.postMessage(channel.id, human, { client_id: 'other', body: 'another thread', kind: 'text' });
    for (let i = 0; i < 6; i++) await store.postMessage(channel.id, human, { client_id: `r${i}`, thread_id: root.thread_id, body: i === 3 ? 'x'.repeat(100) : `reply ${i}`, kind: 'text' });
    const db = store.db;
    const page = (beforeSeq: number, limit: number, pageChars = 1000) => threadPage(db, channel.id, root.thread_id, { beforeSeq, limit, pageChars, clip: 41 });

    const newest = await page(Number.MAX_SAFE_INTEGER, 2);
    expect(newest.messages.map((m) => m.body)).toEqual(['reply 4', 'reply 5']);
    expect(newest.next).toBe(newest.messages[0]!.seq);
    // The next page ends right before the first of this one; a clipped head is listed as forwards.
    const older = await page(newest.next!, 2);
    expect(older.messages.map((m) => m.body)).toEqual(['reply 2', 'x'.repeat(41)]);
    expect(older.clipped).toEqual([{ message_id: older.messages[1]!.id, length: 100 }]);
    const oldest = await page(older.next!, 10);
    expect(oldest.messages.map((m) => m.body)).toEqual(['root', 'reply 0', 'reply 1']);
    expect(oldest.next).toBeNull();
    // By size, from the newest end: at least one message, then as many as fit.
    expect((await page(older.next!, 10, 10)).messages.map((m) => m.body)).toEqual(['reply 1']);
    expect((await page(root.seq, 10)).messages).toEqual([]);
    // Forwards and backwards read the same messages.
    const forwards = await threadPage(db, channel.id, root.thread_id, { afterSeq: 0, limit: 100, pageChars: 10_000, clip: 41 });
    expect([...oldest.messages, ...older.messages, ...newest.messages]).toEqual(forwards.messages);
  });

  it('a body the text codec escaped (NUL, lone surrogates) is clipped and sliced as the text it holds', async () => {
    const root = await store.postMessage(channel.id, runner, { client_id: 'root', body: 'root', kind: 'session' });
    let body = 'a\0b\uD800c'.repeat(8);
    await store.postMessage(channel.id, runner, { client_id: 'odd', thread_id: root.thread_id, item_key: 'odd', kind: 'command', body, status: 'streaming' });
    const text = '\uDC00\0😀'.repeat(5);
    await store.appendRow(channel.id, runner, { item_key: 'odd', offset: body.length, text });
    body += text;
    const page = await threadPage(store.db, channel.id, root.thread_id, { afterSeq: 0, limit: 10, pageChars: 1000, clip: 30 });
    expect(page.messages.map((m) => m.body)).toEqual(['root', body.slice(0, 30)]);
    const id = page.messages[1]!.id;
    for (const [offset, limit] of [[0, 1000], [3, 9], [35, 20], [body.length - 2, 10]] as const) {
      expect(await bodySlice(store.db, channel.id, id, offset, limit)).toEqual({ text: body.slice(offset, offset + limit), length: body.length });
    }
  });
});
