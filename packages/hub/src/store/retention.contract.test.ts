// Retention of event payloads on every store: old finished output rows lose their body (in the
// thread and in the log), messages keep theirs, newer and unfinished rows stay whole, the log keeps
// every seq so a replay from any seq still rebuilds the thread, and a second run changes nothing.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChannelEvent, Message } from '@pilothouse/protocol';
import { openWithChannel, postgresFixture, sqliteFixture } from '../../test/stores.js';
import type { Author, Channel, Store } from './store.js';
import { bodySlice, threadPage } from './thread-pages.js';

const OLD = '2026-01-02T03:04:05.000Z';
const CUTOFF = new Date('2026-02-01T00:00:00.000Z');
const NOW = new Date('2026-03-03T00:00:00.000Z');

/** A client's view rebuilt from the log alone (docs/protocol.md §4.4): appends only at the end. */
function replay(events: ChannelEvent[], from: Map<string, Message> = new Map()): Map<string, Message> {
  const view = new Map(from);
  for (const e of events) {
    switch (e.type) {
      case 'message':
        view.set(e.payload.message.id, e.payload.message);
        break;
      case 'append': {
        const m = view.get(e.payload.message_id)!;
        if (e.payload.offset === m.body.length) view.set(m.id, { ...m, body: m.body + e.payload.text });
        else if (e.payload.offset + e.payload.text.length > m.body.length) throw new Error(`gap at seq ${e.payload.seq}`);
        break;
      }
      case 'row_updated': {
        const m = view.get(e.payload.message_id)!;
        const { body, meta, status } = e.payload;
        view.set(m.id, { ...m, ...(body !== undefined ? { body } : {}), ...(meta !== undefined ? { meta } : {}), ...(status !== undefined ? { status } : {}) });
        break;
      }
      case 'state': {
        const m = view.get(e.payload.message_id)!;
        view.set(m.id, { ...m, state: e.payload.state });
        break;
      }
      case 'presence':
      case 'control':
      case 'title':
        break;
    }
  }
  return view;
}

describe.each([sqliteFixture, postgresFixture])('retention of event payloads: $name', (fixture) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let channel: Channel;
  let human: Author;
  let runner: Author;

  beforeEach(async () => {
    ({ store, cleanup, channel, human, runner } = await openWithChannel(fixture));
  });
  afterEach(async () => cleanup());

  /** A session thread, everything in it written "long ago" but `fresh`; the ids by name. */
  async function sessionThread(): Promise<Record<string, string>> {
    const ids: Record<string, string> = {};
    const root = await store.postMessage(channel.id, runner, { client_id: 'root', body: 'session', kind: 'session', meta: { agent: 'codex' } });
    ids.root = root.message_id;
    const thread_id = root.thread_id;
    ids.ask = (await store.postMessage(channel.id, human, { client_id: 'ask', body: 'run the tests', kind: 'text', thread_id })).message_id;
    await store.setState(channel.id, runner, { message_id: ids.ask, state: { state: 'processed' } });
    const row = async (name: string, kind: 'command' | 'reasoning' | 'assistant' | 'file_change', body: string) =>
      (ids[name] = (await store.postMessage(channel.id, runner, { client_id: name, item_key: name, kind, body, thread_id, meta: { command: `${name}.sh` } })).message_id);
    await row('cmd', 'command', '$ npm test\n');
    await store.appendRow(channel.id, runner, { item_key: 'cmd', offset: 11, text: 'ok 1 ✓\n' });
    await store.appendRow(channel.id, runner, { item_key: 'cmd', offset: 18, text: 'ok 2 😀\n' });
    await store.updateRow(channel.id, runner, { item_key: 'cmd', meta: { command: 'npm test', exit_code: 0 }, status: 'completed' });
    await row('think', 'reasoning', 'Thinking about ');
    await store.appendRow(channel.id, runner, { item_key: 'think', offset: 15, text: 'the tests' });
    await store.updateRow(channel.id, runner, { item_key: 'think', status: 'completed' });
    await row('diff', 'file_change', '');
    await store.updateRow(channel.id, runner, { item_key: 'diff', body: '--- a/x\n+++ b/x\n-1\n+2\n', meta: null, status: 'completed' });
    await row('answer', 'assistant', 'All ');
    await store.appendRow(channel.id, runner, { item_key: 'answer', offset: 4, text: 'tests pass.' });
    await store.updateRow(channel.id, runner, { item_key: 'answer', status: 'completed' });
    await row('running', 'command', 'still going\n');
    await store.db.updateTable('messages').set({ created_at: OLD }).execute();
    await row('fresh', 'command', 'new output\n');
    await store.updateRow(channel.id, runner, { item_key: 'fresh', status: 'completed' });
    return ids;
  }

  it('empties old finished output rows in the thread and the log, in batches, keeping every seq and every message', async () => {
    const ids = await sessionThread();
    const head = await store.headSeq(channel.id);
    const before = await store.eventsSince(channel.id, 0, 10_000);
    const threadBefore = await store.getThread(channel.id, ids.root!);

    expect(await store.pruneEventPayloads({ before: CUTOFF, afterDays: 30, limit: 2, now: NOW })).toBe(2);
    expect(await store.pruneEventPayloads({ before: CUTOFF, afterDays: 30, limit: 2, now: NOW })).toBe(1);
    expect(await store.pruneEventPayloads({ before: CUTOFF, afterDays: 30, limit: 2, now: NOW })).toBe(0);

    const marker = (length: number) => ({ pruned: { at: NOW.toISOString(), after_days: 30, length } });
    const thread = await store.getThread(channel.id, ids.root!);
    const byId = new Map(thread.map((m) => [m.id, m]));
    const old = new Map(threadBefore.map((m) => [m.id, m]));
    expect(byId.get(ids.cmd!)).toEqual({ ...old.get(ids.cmd!), body: '', meta: { command: 'npm test', exit_code: 0, ...marker(26) } });
    expect(byId.get(ids.think!)).toEqual({ ...old.get(ids.think!), body: '', meta: { command: 'think.sh', ...marker(24) } });
    expect(byId.get(ids.diff!)).toEqual({ ...old.get(ids.diff!), body: '', meta: marker(22) });
    // Words and unfinished or recent output are kept whole.
    for (const name of ['root', 'ask', 'answer', 'running', 'fresh']) expect(byId.get(ids[name]!)).toEqual(old.get(ids[name]!));
    expect(byId.get(ids.answer!)?.body).toBe('All tests pass.');

    // The log: the same seqs and types; only the pruned rows' events changed, and they carry no output.
    const after = await store.eventsSince(channel.id, 0, 10_000);
    expect(await store.headSeq(channel.id)).toBe(head);
    expect(after.map((e) => [e.payload.seq, e.type])).toEqual(before.map((e) => [e.payload.seq, e.type]));
    const prunedIds = new Set([ids.cmd, ids.think, ids.diff]);
    const concerns = (e: ChannelEvent) => (e.type === 'message' ? e.payload.message.id : 'message_id' in e.payload ? e.payload.message_id : null);
    after.forEach((e, i) => {
      if (!prunedIds.has(concerns(e) ?? '')) expect(e).toEqual(before[i]);
    });
    const text = JSON.stringify(after.filter((e) => prunedIds.has(concerns(e) ?? '')));
    for (const gone of ['npm test\\n', 'ok 1', 'ok 2', 'Thinking', 'the tests', '+++ b/x']) expect(text).not.toContain(gone);

    // Resume: a replay from 0 rebuilds exactly the thread; one from any seq continues a view built up to it.
    // (created_at aside: the test backdated the rows, not the events' copies.)
    const same = (view: Map<string, Message>) => {
      for (const m of thread) expect({ ...view.get(m.id), created_at: '' }).toEqual({ ...m, created_at: '' });
    };
    same(replay(after));
    const upTo = (seq: number) => replay(after.filter((e) => e.payload.seq <= seq));
    for (const seq of [3, 8, head - 2]) {
      const rest = await store.eventsSince(channel.id, seq, 10_000);
      expect(rest.map((e) => e.payload.seq)).toEqual(Array.from({ length: head - seq }, (_, i) => seq + 1 + i));
      same(replay(rest, upTo(seq)));
    }

    // Thread pages and body slices read the emptied rows as empty.
    const page = await threadPage(store.db, channel.id, ids.root!, { afterSeq: 0, limit: 100, pageChars: 100_000, clip: 1000 });
    expect(page.messages.map((m) => m.body)).toEqual(thread.map((m) => m.body));
    expect(page.clipped).toEqual([]);
    expect(await bodySlice(store.db, channel.id, ids.cmd!, 0, 100)).toEqual({ text: '', length: 0 });

    // Writing goes on from the same head: the unfinished row still streams, new messages follow.
    expect(await store.appendRow(channel.id, runner, { item_key: 'running', offset: 12, text: 'done\n' })).toEqual({ seq: head + 1, length: 17 });
    expect((await store.postMessage(channel.id, human, { client_id: 'later', body: 'thanks', kind: 'text', thread_id: ids.root })).seq).toBe(head + 2);
  });

  it('is idempotent: a second run prunes nothing and changes nothing', async () => {
    const ids = await sessionThread();
    while ((await store.pruneEventPayloads({ before: CUTOFF, afterDays: 30, limit: 100, now: NOW })) > 0);
    const events = await store.eventsSince(channel.id, 0, 10_000);
    const thread = await store.getThread(channel.id, ids.root!);
    expect(await store.pruneEventPayloads({ before: CUTOFF, afterDays: 7, limit: 100, now: new Date('2026-04-01T00:00:00.000Z') })).toBe(0);
    expect(await store.eventsSince(channel.id, 0, 10_000)).toEqual(events);
    expect(await store.getThread(channel.id, ids.root!)).toEqual(thread);
  });

  it('prunes nothing newer than the cutoff', async () => {
    const ids = await sessionThread();
    const events = await store.eventsSince(channel.id, 0, 10_000);
    expect(await store.pruneEventPayloads({ before: new Date(OLD), afterDays: 30, limit: 100, now: NOW })).toBe(0);
    expect(await store.eventsSince(channel.id, 0, 10_000)).toEqual(events);
    expect((await store.getMessage(channel.id, ids.cmd!))?.body).toBe('$ npm test\nok 1 ✓\nok 2 😀\n');
  });

  it('two pruners at once (two hubs on one database) prune every row exactly once, without a deadlock', async () => {
    const root = await store.postMessage(channel.id, runner, { client_id: 'root', body: 'session', kind: 'session', meta: { agent: 'codex' } });
    const names = Array.from({ length: 40 }, (_, i) => `cmd${i}`);
    for (const name of names) {
      await store.postMessage(channel.id, runner, { client_id: name, item_key: name, kind: 'command', body: `$ ${name}\n`, thread_id: root.thread_id });
      await store.appendRow(channel.id, runner, { item_key: name, offset: name.length + 3, text: 'output\n' });
      await store.updateRow(channel.id, runner, { item_key: name, status: 'completed' });
    }
    await store.db.updateTable('messages').set({ created_at: OLD }).execute();
    const drain = async (): Promise<number> => {
      let total = 0;
      for (let n = -1; n !== 0; total += n) n = await store.pruneEventPayloads({ before: CUTOFF, afterDays: 30, limit: 3, now: NOW });
      return total;
    };
    const counts = await Promise.all([drain(), drain(), drain()]);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(names.length);
    const thread = await store.getThread(channel.id, root.message_id);
    expect(thread.filter((m) => m.kind === 'command').map((m) => m.body)).toEqual(names.map(() => ''));
  });
});
