// The hub client against the real hub (in-process, SQLite in a temp dir) and the real phoenix
// client: registration, ordered appends, restarts mid-stream, inbound delivery across reconnects,
// resuming from a file cursor, and every refusal surfacing as a typed error.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PilothouseError, type ChannelEvent } from '@pilothouse/protocol';
import type { HubClient } from './api.js';
import { connectHub } from './client.js';
import { fileCursor, memoryCursor } from './cursor.js';
import { HubClientError } from './errors.js';
import type { HubConnectionState } from './link.js';
import { capturingLogger, clientOptions, Recorder, rejection, runnerInfo, seedHub, startTestHub, type TestHub } from '../../test/test-hub.js';

let hub: TestHub;
const clients: HubClient[] = [];
const dirs: string[] = [];

beforeEach(async () => {
  hub = await startTestHub();
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await hub.dispose();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

interface Observed {
  client: HubClient;
  events: Recorder<ChannelEvent>;
  states: Recorder<HubConnectionState>;
}

async function connect(over: Parameters<typeof clientOptions>[1] = {}): Promise<Observed> {
  const events = new Recorder<ChannelEvent>();
  const states = new Recorder<HubConnectionState>();
  const client = await connectHub(clientOptions(hub, { onEvent: events.add, onState: states.add, ...over }));
  clients.push(client);
  return { client, events, states };
}

const seqs = (events: readonly ChannelEvent[]) => events.map((e) => e.payload.seq);
const bodies = (events: readonly ChannelEvent[]) => events.flatMap((e) => (e.type === 'message' && e.payload.message.kind === 'text' ? [e.payload.message.body] : []));
const isContiguous = (ns: number[]) => ns.every((n, i) => i === 0 || n === ns[i - 1]! + 1);
const chunk = (i: number) => `chunk ${i} ✓; `;

/** Fires `n` appends to `itemKey` without waiting between them; resolves the promises in push order. */
function fireAppends(client: HubClient, itemKey: string, n: number, acked: Recorder<number>, start = 0) {
  let offset = start;
  return Array.from({ length: n }, (_, i) => {
    const text = chunk(i);
    const p = client.push('append', { item_key: itemKey, offset, text });
    offset += text.length;
    return p.then((reply) => {
      acked.add(i);
      return reply;
    });
  });
}

async function appendEventsOf(messageId: string) {
  const events = await hub.store.eventsSince(hub.channelId, 0, 100_000);
  return events.flatMap((e) => (e.type === 'append' && e.payload.message_id === messageId ? [e.payload] : []));
}

describe('registration and ordered writes', () => {
  it('registers, then a row and 200 pipelined appends arrive exactly once, in offset order', async () => {
    const { client, events } = await connect();
    expect(client.state).toEqual({ status: 'connected', headSeq: expect.any(Number) });
    expect(client.joinReply.user).toEqual({ user_id: hub.users.alice, name: 'alice' });
    const [presence] = await hub.store.runnersOf(hub.channelId);
    expect(presence).toMatchObject({ runner_id: 'runner-1', status: 'online', user: { name: 'alice' } });

    const row = await client.push('post_row', { client_id: 'row-1', item_key: 'item-1', kind: 'assistant', body: '' });
    const acked = new Recorder<number>();
    const replies = await Promise.all(fireAppends(client, 'item-1', 200, acked));
    const expected = Array.from({ length: 200 }, (_, i) => chunk(i)).join('');
    expect(replies.at(-1)!.length).toBe(expected.length);
    expect(acked.items).toEqual([...acked.items].sort((a, b) => a - b)); // acknowledged in push order
    await client.push('update_row', { item_key: 'item-1', status: 'completed' });

    const thread = await hub.store.getThread(hub.channelId, row.thread_id);
    expect(thread).toHaveLength(1);
    expect(thread[0]).toMatchObject({ id: row.message_id, body: expected, status: 'completed', runner_id: 'runner-1', client_id: 'row-1' });
    const appends = await appendEventsOf(row.message_id);
    expect(appends.map((a) => a.text)).toEqual(Array.from({ length: 200 }, (_, i) => chunk(i)));

    // The runner sees its own writes come back as events, once each and in seq order.
    await events.some((e) => e.type === 'row_updated');
    expect(isContiguous(seqs(events.items))).toBe(true);
    expect(events.items.filter((e) => e.type === 'append')).toHaveLength(200);
  });

  it('a small outbox makes pushes wait for room, in order, and drops nothing', async () => {
    const { client } = await connect({ maxOutbox: 3, maxInFlight: 2, maxOutboxBytes: 64 });
    const row = await client.push('post_row', { client_id: 'row-bp', item_key: 'item-bp', kind: 'command', body: '$ make\n' });
    const acked = new Recorder<number>();
    const appends = fireAppends(client, 'item-bp', 60, acked, '$ make\n'.length);
    expect(client.pending).toBe(60);
    await Promise.all(appends);
    expect(client.pending).toBe(0);
    expect(acked.items).toEqual(Array.from({ length: 60 }, (_, i) => i));
    const message = await hub.store.getMessage(hub.channelId, row.message_id);
    expect(message!.body).toBe(`$ make\n${Array.from({ length: 60 }, (_, i) => chunk(i)).join('')}`);
  });

  it('surfaces offset_mismatch with the hub details, does not retry it, and keeps going', async () => {
    const { client } = await connect();
    await client.push('post_row', { client_id: 'row-om', item_key: 'item-om', kind: 'assistant', body: 'abc' });
    const err = await rejection(client.push('append', { item_key: 'item-om', offset: 10, text: 'x' }));
    expect(err).toBeInstanceOf(PilothouseError);
    expect(err).toMatchObject({ code: 'offset_mismatch', details: { length: 3 } });
    // The next push in the outbox is sent and answered: the refused one was final, not blocking.
    await expect(client.push('append', { item_key: 'item-om', offset: 3, text: 'd' })).resolves.toMatchObject({ length: 4 });
    expect(hub.logs.filter((l) => l.code === 'offset_mismatch')).toHaveLength(1);
    expect(client.state.status).toBe('connected');
  });

  it('refuses a payload that does not match the protocol before sending it', async () => {
    const { client } = await connect();
    const err = await rejection(client.push('append', { item_key: 'k', offset: -1, text: '' }));
    expect(err).toMatchObject({ code: 'invalid_payload' });
    expect(hub.logs).toEqual([]);
  });
});

describe('hub restarts', () => {
  it('loses and doubles nothing when the hub restarts in the middle of 500 appends', async () => {
    const log = capturingLogger();
    const { client, states } = await connect({ logger: log.logger });
    const row = await client.push('post_row', { client_id: 'row-r', item_key: 'item-r', kind: 'assistant', body: '' });
    const acked = new Recorder<number>();
    const appends = fireAppends(client, 'item-r', 500, acked);
    await acked.until((a) => a.length >= 100);
    const ackedAtStop = acked.items.length;
    await hub.restart();
    const replies = await Promise.all(appends);

    expect(ackedAtStop).toBeLessThan(500);
    expect(log.lines).toContainEqual(expect.objectContaining({ msg: 'resent unacknowledged pushes', resent: expect.any(Number) }));
    expect(acked.items).toHaveLength(500);
    expect(states.items.map((s) => s.status)).toContain('reconnecting');
    const expected = Array.from({ length: 500 }, (_, i) => chunk(i)).join('');
    expect(replies.at(-1)!.length).toBe(expected.length);
    const thread = await hub.store.getThread(hub.channelId, row.thread_id);
    expect(thread.map((m) => m.body)).toEqual([expected]);
    const appendEvents = await appendEventsOf(row.message_id);
    expect(appendEvents).toHaveLength(500); // every resent append was recognised as a repeat
    expect(appendEvents.map((a) => a.text).join('')).toBe(expected);
  });

  it('holds pushes made while the hub is down and sends them, in order, once it is back', async () => {
    const { client, states } = await connect();
    await hub.stop();
    await states.some((s) => s.status === 'reconnecting');
    const row = client.push('post_row', { client_id: 'row-d', item_key: 'item-d', kind: 'reasoning', body: 'a' });
    const appends = ['b', 'c', 'd'].map((text, i) => client.push('append', { item_key: 'item-d', offset: i + 1, text }));
    expect(client.pending).toBe(4);
    await hub.start();
    const { message_id } = await row;
    await Promise.all(appends);
    expect((await hub.store.getMessage(hub.channelId, message_id))!.body).toBe('abcd');
  });

  it('re-registers and restores the last runner_status after a restart', async () => {
    const { client, states } = await connect();
    const row = await client.push('post_row', { client_id: 'row-s', kind: 'session', body: 'session' });
    await client.push('runner_status', { status: 'working', thread_id: row.thread_id, allowed: ['alice'] });
    const from = states.items.length;
    await hub.restart();
    await states.some((s) => s.status === 'connected', from);
    const [presence] = await hub.store.runnersOf(hub.channelId);
    expect(presence).toMatchObject({ runner_id: 'runner-1', status: 'working', thread_id: row.thread_id, allowed: ['alice'] });
  });

  it('delivers inbound events once, in seq order, across a reconnect, replaying what was posted while away', async () => {
    const cursor = memoryCursor();
    const { client, events, states } = await connect({ cursor });
    const head = client.joinReply.head_seq;
    for (let i = 1; i <= 5; i++) await hub.post(`before ${i}`);
    await events.until((e) => bodies(e).length === 5);

    const from = states.items.length;
    await hub.stop();
    await states.some((s) => s.status === 'reconnecting', from);
    // Written while no hub runs: these can only arrive through the replay from the cursor.
    await hub.withStore(async (store) => {
      for (let i = 1; i <= 5; i++) await hub.post(`while down ${i}`, store);
    });
    await hub.start();
    await states.some((s) => s.status === 'connected', from);
    for (let i = 1; i <= 3; i++) await hub.post(`after ${i}`);
    await events.until((e) => bodies(e).length === 13);

    expect(bodies(events.items)).toEqual([
      ...[1, 2, 3, 4, 5].map((i) => `before ${i}`),
      ...[1, 2, 3, 4, 5].map((i) => `while down ${i}`),
      ...[1, 2, 3].map((i) => `after ${i}`),
    ]);
    const delivered = seqs(events.items);
    expect(isContiguous(delivered)).toBe(true);
    expect(delivered[0]).toBe(head + 1);
    expect(cursor.saved).toBe(head);
    client.ack(delivered.at(-1)!);
    expect(cursor.saved).toBe(delivered.at(-1));
    expect(() => client.ack(delivered.at(-1)! + 1)).toThrow(HubClientError);
  });

  it('a restarted runner resumes from its file cursor and gets what was posted while it was away', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ph-cursor-'));
    dirs.push(dir);
    const cursorPath = join(dir, 'state', 'cursor.json');

    const first = await connect({ cursor: fileCursor(cursorPath) });
    const head = first.client.joinReply.head_seq;
    expect(fileCursor(cursorPath).load()).toBe(head); // a fresh runner starts at the head
    await hub.post('seen 1');
    await hub.post('seen 2');
    await first.events.until((e) => bodies(e).length === 2);
    const processed = first.events.items.at(-1)!.payload.seq;
    first.client.ack(processed);
    await first.client.close();
    expect(fileCursor(cursorPath).load()).toBe(processed);

    await hub.post('missed 1');
    await hub.post('missed 2');
    await hub.restart(); // a different hub process, same data

    const second = await connect({ cursor: fileCursor(cursorPath), runner: runnerInfo('runner-1') });
    await second.events.until((e) => bodies(e).length === 2);
    expect(bodies(second.events.items)).toEqual(['missed 1', 'missed 2']);
    expect(second.events.items[0]!.payload.seq).toBe(processed + 1);
    expect(isContiguous(seqs(second.events.items))).toBe(true);
  });
});

describe('refusals', () => {
  it('fails fast with unauthorized when the token is refused', async () => {
    const started = Date.now();
    const err = await rejection(connectHub(clientOptions(hub, { token: 'not-a-token' })));
    expect(err).toBeInstanceOf(PilothouseError);
    expect(err).toMatchObject({ code: 'unauthorized', message: expect.stringContaining('refused the token') });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('fails with unauthorized, not a retry loop, when the token is revoked while the hub restarts', async () => {
    const { client, states } = await connect();
    await hub.stop();
    await hub.withStore((store) => store.db.deleteFrom('tokens').where('user_id', '=', hub.users.alice).execute());
    await hub.start();
    await states.some((s) => s.status === 'failed');
    expect(client.state).toMatchObject({ status: 'failed', error: { code: 'unauthorized' } });
    await expect(client.push('post_message', { client_id: 'late', body: 'x' })).rejects.toMatchObject({ code: 'unauthorized' });
  });

  it('fails with not_member, once: no rejoin loop', async () => {
    const err = await rejection(connectHub(clientOptions(hub, { token: hub.tokens.bob, rejoinAfterMs: () => 5 })));
    expect(err).toBeInstanceOf(PilothouseError);
    expect(err).toMatchObject({ code: 'not_member', message: 'bob is not a member of acme/agents.' });
    // An observation window: with a 5 ms rejoin backoff a loop would have joined again many times.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const refused = await hub.store.listAudit({ limit: 100, action: 'join_refused' });
    expect(refused).toHaveLength(1);
  });

  it('fails with channel_not_found for a channel that does not exist', async () => {
    const err = await rejection(connectHub(clientOptions(hub, { channel: 'acme/nope' })));
    expect(err).toMatchObject({ code: 'channel_not_found' });
    await expect(connectHub(clientOptions(hub, { channel: 'not a channel' }))).rejects.toMatchObject({ code: 'bad_request' });
  });
});

describe('an unreachable hub', () => {
  it('fails fast by default, naming the URL', async () => {
    const seeded = await seedHub();
    try {
      await seeded.start();
      await seeded.stop(); // a port nothing listens on any more
      const err = await rejection(connectHub(clientOptions(seeded)));
      expect(err).toBeInstanceOf(HubClientError);
      expect(err).toMatchObject({ code: 'hub_unreachable', message: expect.stringContaining(seeded.url) });
    } finally {
      await seeded.dispose();
    }
  });

  it('with waitForHub, keeps trying and connects once the hub is up', async () => {
    const seeded = await seedHub();
    try {
      await seeded.start();
      await seeded.stop();
      const states = new Recorder<HubConnectionState>();
      const connecting = connectHub(clientOptions(seeded, { waitForHub: true, onState: states.add }));
      await states.some((s) => s.status === 'connecting' && s.lastError !== null);
      await seeded.start();
      const client = await connecting;
      clients.push(client);
      expect(client.state.status).toBe('connected');
    } finally {
      await Promise.all(clients.splice(0).map((c) => c.close()));
      await seeded.dispose();
    }
  });
});

describe('close', () => {
  it('rejects and reports the pushes the hub never acknowledged', async () => {
    const { client, states } = await connect();
    await hub.stop();
    await states.some((s) => s.status === 'reconnecting');
    const pushes = [1, 2, 3].map((i) => client.push('post_message', { client_id: `c-${i}`, body: `pending ${i}` }));
    const settled = Promise.allSettled(pushes);
    const report = await client.close();
    expect(report.unacknowledged).toEqual([1, 2, 3].map((i) => ({ event: 'post_message', payload: { client_id: `c-${i}`, body: `pending ${i}` } })));
    for (const result of await settled) expect(result).toMatchObject({ status: 'rejected', reason: { code: 'hub_closed' } });
    expect(client.state).toEqual({ status: 'closed' });
    await expect(client.push('post_message', { client_id: 'c-4', body: 'x' })).rejects.toMatchObject({ code: 'hub_closed' });
  });

  it('waits for pending pushes when asked to drain, and persists nothing it was not told to', async () => {
    const cursor = memoryCursor();
    const { client } = await connect({ cursor });
    const head = cursor.saved;
    const posted = client.push('post_message', { client_id: 'drain-1', body: 'bye' });
    const report = await client.close({ drainTimeoutMs: 5000 });
    expect(report.unacknowledged).toEqual([]);
    await expect(posted).resolves.toMatchObject({ seq: expect.any(Number) });
    expect(cursor.saved).toBe(head);
  });
});
