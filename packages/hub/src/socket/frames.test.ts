// What crosses the wire for frames the official client would never send: malformed input, pushes
// outside a join, re-joins and pipelining behind a join. Uses bare `ws` clients.

import type { Socket } from 'phoenix';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  connectPhoenix,
  disconnectPhoenix,
  RawClient,
  settle,
  startHub,
  type TestHub,
  type WireFrame,
} from '../../test/socket-harness.js';

const MAX_FRAME = 1024;
let hub: TestHub;
const raws: RawClient[] = [];
const sockets: Socket[] = [];

async function raw(): Promise<RawClient> {
  const client = await RawClient.open(hub.wsUrl());
  raws.push(client);
  return client;
}

async function join(client: RawClient, joinRef: string, topic = 'echo:a', payload: object = {}): Promise<WireFrame> {
  client.send([joinRef, joinRef, topic, 'phx_join', payload]);
  return client.reply(joinRef, topic);
}

const errorReply = (address: [string | null, string | null, string], response: object): WireFrame => [
  ...address,
  'phx_reply',
  { status: 'error', response },
];

beforeEach(async () => {
  hub = await startHub({ maxFrameBytes: MAX_FRAME });
});

afterEach(async () => {
  for (const client of raws.splice(0)) client.close();
  await Promise.all(sockets.splice(0).map(disconnectPhoenix));
  await hub.stop();
});

describe('bad input gets an error reply and harms nobody', () => {
  const oversized = JSON.stringify(['1', '9', 'echo:a', 'echo', { blob: 'x'.repeat(MAX_FRAME) }]);
  const cases: Array<{ name: string; send: (c: RawClient) => void; expected: WireFrame; code: string }> = [
    {
      name: 'malformed JSON',
      send: (c) => c.send('["1", "2", "echo:a", "echo", {oops'),
      code: 'malformed_frame',
      expected: errorReply([null, null, 'phoenix'], { code: 'malformed_frame', message: 'The frame is not valid JSON.' }),
    },
    {
      name: 'wrong arity',
      send: (c) => c.send(JSON.stringify(['1', '7', 'echo:a', 'echo'])),
      code: 'malformed_frame',
      expected: errorReply(['1', '7', 'echo:a'], {
        code: 'malformed_frame',
        message: 'A frame has 5 elements, got 4.',
        details: { joinRef: '1', ref: '7', topic: 'echo:a' },
      }),
    },
    {
      name: 'binary frame',
      send: (c) => c.send(Buffer.from([0, 1, 2, 3]), true),
      code: 'malformed_frame',
      expected: errorReply([null, null, 'phoenix'], {
        code: 'malformed_frame',
        message: 'Binary frames are not supported; send the JSON text frame of vsn 2.0.0.',
      }),
    },
    {
      name: 'oversized frame',
      send: (c) => c.send(oversized),
      code: 'frame_too_large',
      expected: errorReply(['1', '9', 'echo:a'], {
        code: 'frame_too_large',
        message: `The frame has ${Buffer.byteLength(oversized)} bytes; the limit is ${MAX_FRAME}.`,
      }),
    },
  ];

  it.each(cases)('$name', async ({ send, expected, code }) => {
    const bystander = await connectPhoenix(hub);
    sockets.push(bystander);
    const chan = bystander.channel('echo:a', {});
    await settle(chan.join());
    const client = await raw();
    await join(client, '1');

    send(client);
    expect(await client.frames.waitFor((f) => f[3] === 'phx_reply' && f[1] !== '1')).toEqual(expected);

    // The same socket still answers, and still has its topic.
    expect(await client.heartbeat('100')).toEqual([null, '100', 'phoenix', 'phx_reply', { status: 'ok', response: {} }]);
    client.send(['1', '101', 'echo:a', 'echo', { after: true }]);
    expect(await client.reply('101')).toEqual(['1', '101', 'echo:a', 'phx_reply', { status: 'ok', response: { after: true } }]);
    // Another client is unaffected.
    expect(await settle(chan.push('echo', { n: 1 }))).toEqual({ status: 'ok', response: { n: 1 } });
    // One warning, carrying the code and the socket.
    expect(hub.logs.items.filter((l) => l.code === code)).toEqual([
      expect.objectContaining({ level: 40, topic: expected[2], socketId: expect.any(String) }),
    ]);
  });

  it('closes with 1009 a message beyond the hard cap (8 × maxFrameBytes) that ws refuses to buffer', async () => {
    const client = await raw();
    client.send(JSON.stringify([null, '1', 'echo:a', 'echo', 'x'.repeat(8 * MAX_FRAME)]));
    expect((await client.closed).code).toBe(1009);
  });
});

describe('joins and refs', () => {
  it('refuses a push before phx_join with not_joined', async () => {
    const client = await raw();
    client.send(['1', '2', 'echo:a', 'echo', {}]);
    expect(await client.reply('2')).toEqual(
      errorReply(['1', '2', 'echo:a'], { code: 'not_joined', message: 'Topic echo:a is not joined with join_ref 1.' }),
    );
  });

  it('refuses a push carrying a stale join_ref', async () => {
    const client = await raw();
    await join(client, '5');
    client.send(['4', '6', 'echo:a', 'echo', {}]);
    expect((await client.reply('6'))[4]).toMatchObject({ status: 'error', response: { code: 'not_joined' } });
    client.send(['5', '7', 'echo:a', 'echo', { ok: 1 }]);
    expect((await client.reply('7'))[4]).toEqual({ status: 'ok', response: { ok: 1 } });
  });

  it('replaces the old join on a re-join: phx_close for the old join_ref, leave("rejoin"), new ref only', async () => {
    const client = await raw();
    await join(client, '1');
    const reply = await join(client, '3');
    expect(reply).toEqual(['3', '3', 'echo:a', 'phx_reply', { status: 'ok', response: { topic: 'echo:a', user: 'alice', joinRef: '3' } }]);
    const close: WireFrame = ['1', '1', 'echo:a', 'phx_close', {}];
    expect(client.frames.items).toContainEqual(close);
    expect(client.frames.items.findIndex((f) => f[3] === 'phx_close')).toBeLessThan(client.frames.items.indexOf(reply));
    expect(hub.records.items).toContainEqual({ kind: 'leave', topic: 'echo:a', joinRef: '1', reason: 'rejoin' });

    client.send(['1', '4', 'echo:a', 'echo', {}]);
    expect((await client.reply('4'))[4]).toMatchObject({ status: 'error', response: { code: 'not_joined' } });
    client.send(['3', '5', 'echo:a', 'echo', { v: 2 }]);
    expect((await client.reply('5'))[4]).toEqual({ status: 'ok', response: { v: 2 } });
  });

  it('holds frames pipelined behind a join in flight, while heartbeats go on', async () => {
    const client = await raw();
    client.send(['1', '1', 'echo:a', 'phx_join', { gate: 'join' }]);
    client.send(['1', '2', 'echo:a', 'echo', { queued: true }]);
    expect(await client.heartbeat('3')).toEqual([null, '3', 'phoenix', 'phx_reply', { status: 'ok', response: {} }]);
    expect(client.frames.items.map((f) => f[1])).toEqual(['3']);

    hub.gates.open('join');
    const pushReply = await client.reply('2');
    expect(pushReply[4]).toEqual({ status: 'ok', response: { queued: true } });
    const refs = client.frames.items.filter((f) => f[3] === 'phx_reply').map((f) => f[1]);
    expect(refs).toEqual(['3', '1', '2']);
  });

  it('refuses a leave for a topic that is not joined, and acknowledges a real one with phx_close', async () => {
    const client = await raw();
    client.send(['1', '2', 'echo:a', 'phx_leave', {}]);
    expect((await client.reply('2'))[4]).toMatchObject({ status: 'error', response: { code: 'not_joined' } });
    await join(client, '3');
    client.send(['3', '4', 'echo:a', 'phx_leave', {}]);
    expect(await client.reply('4')).toEqual(['3', '4', 'echo:a', 'phx_reply', { status: 'ok', response: {} }]);
    expect(await client.frames.waitFor((f) => f[3] === 'phx_close')).toEqual(['3', '3', 'echo:a', 'phx_close', {}]);
    client.send(['3', '5', 'echo:a', 'echo', {}]);
    expect((await client.reply('5'))[4]).toMatchObject({ status: 'error', response: { code: 'not_joined' } });
  });

  it('refuses frames beyond 64 pipelined behind one join in flight', async () => {
    const client = await raw();
    client.send(['1', '1', 'echo:a', 'phx_join', { gate: 'slow-join' }]);
    for (let i = 0; i < 65; i++) client.send(['1', `p${i}`, 'echo:a', 'echo', { i }]);
    expect((await client.reply('p64'))[4]).toEqual({
      status: 'error',
      response: { code: 'not_joined', message: 'Too many frames sent while the join is in flight.' },
    });
    hub.gates.open('slow-join');
    expect((await client.reply('p63'))[4]).toEqual({ status: 'ok', response: { i: 63 } });
  });

  it('leaves a session whose join completes after the socket closed', async () => {
    const client = await raw();
    client.send(['1', '1', 'echo:a', 'phx_join', { gate: 'late' }]);
    expect(await client.heartbeat('2')).toBeDefined(); // the join is in flight on the server
    client.close();
    await client.closed;
    hub.gates.open('late');
    expect(await hub.records.waitFor((r) => r.kind === 'leave')).toEqual({
      kind: 'leave',
      topic: 'echo:a',
      joinRef: '1',
      reason: 'closed',
    });
    expect(hub.records.items.map((r) => r.kind)).toEqual(['join', 'leave']); // no afterJoin on a dead socket
  });
});

describe('replies JSON cannot encode', () => {
  it('answers internal instead, and keeps the socket and topic', async () => {
    const client = await raw();
    await join(client, '1');
    client.send(['1', '2', 'echo:a', 'unencodable', {}]);
    expect(await client.reply('2')).toEqual(errorReply(['1', '2', 'echo:a'], { code: 'internal', message: 'Internal error.' }));
    client.send(['1', '3', 'echo:a', 'echo', { fine: true }]);
    expect((await client.reply('3'))[4]).toEqual({ status: 'ok', response: { fine: true } });
  });

  it('turns a join whose reply cannot be encoded into a refused join and leaves the session', async () => {
    const client = await raw();
    expect(await join(client, '1', 'echo:a', { unencodableReply: true })).toEqual(
      errorReply(['1', '1', 'echo:a'], { code: 'internal', message: 'Internal error.' }),
    );
    expect(hub.records.items).toContainEqual({ kind: 'leave', topic: 'echo:a', joinRef: '1', reason: 'closed' });
    client.send(['1', '2', 'echo:a', 'echo', {}]);
    expect((await client.reply('2'))[4]).toMatchObject({ status: 'error', response: { code: 'not_joined' } });
  });
});
