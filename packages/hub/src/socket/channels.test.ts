// Channel semantics as the official phoenix client sees them: join, pushes, leave, heartbeats,
// afterJoin ordering, and topic crashes, against the real socket server on port 0.

import type { Message, Socket } from 'phoenix';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  connectPhoenix,
  disconnectPhoenix,
  Recorder,
  settle,
  startHub,
  type LogLine,
  type TestHub,
} from '../../test/socket-harness.js';

let hub: TestHub;
const sockets: Socket[] = [];

async function client(opts: Parameters<typeof connectPhoenix>[1] = {}): Promise<Socket> {
  const socket = await connectPhoenix(hub, opts);
  sockets.push(socket);
  return socket;
}

function messages(socket: Socket): Recorder<Message> {
  const seen = new Recorder<Message>();
  socket.onMessage((m) => seen.add(m));
  return seen;
}

const logsWithCode = (code: string): LogLine[] => hub.logs.items.filter((l) => l.code === code);

beforeEach(async () => {
  hub = await startHub();
});

afterEach(async () => {
  await Promise.all(sockets.splice(0).map(disconnectPhoenix));
  await hub.stop();
});

describe('phx_join', () => {
  it('joins and answers with the topic reply', async () => {
    const socket = await client();
    const chan = socket.channel('echo:a', {});
    const res = await settle(chan.join());
    expect(res).toEqual({ status: 'ok', response: { topic: 'echo:a', user: 'alice', joinRef: chan.joinRef() } });
    expect(hub.records.items).toContainEqual({ kind: 'join', topic: 'echo:a', joinRef: chan.joinRef(), user: 'alice' });
  });

  it('shows a refused join with its code in receive("error"), logged once as a warning', async () => {
    const socket = await client();
    const res = await settle(socket.channel('echo:a', { refuse: true }).join());
    expect(res).toEqual({ status: 'error', response: { code: 'forbidden', message: 'echo refuses you' } });
    expect(logsWithCode('forbidden')).toEqual([
      expect.objectContaining({ level: 40, topic: 'echo:a', event: 'phx_join', socketId: expect.any(String) }),
    ]);
  });

  it('answers a crashing join with internal, without leaking the cause, and logs the cause as an error', async () => {
    const socket = await client();
    const res = await settle(socket.channel('echo:a', { crash: true }).join());
    expect(res).toEqual({ status: 'error', response: { code: 'internal', message: 'Internal error.' } });
    const [line, ...more] = logsWithCode('internal');
    expect(more).toEqual([]);
    expect(line).toMatchObject({ level: 50, topic: 'echo:a', err: { message: 'join exploded: secret detail' } });
  });

  it('refuses an unknown topic with unknown_topic', async () => {
    const socket = await client();
    const res = await settle(socket.channel('nope:1', {}).join());
    expect(res).toEqual({ status: 'error', response: { code: 'unknown_topic', message: 'No such topic: nope:1.' } });
  });

  it('runs afterJoin only after the ok reply was written', async () => {
    const socket = await client();
    const chan = socket.channel('echo:a', {});
    const order: string[] = [];
    const afterJoinPush = new Promise<void>((resolve) =>
      chan.on('after_join', () => {
        order.push('after_join');
        resolve();
      }),
    );
    chan.join().receive('ok', () => order.push('join reply'));
    await afterJoinPush;
    expect(order).toEqual(['join reply', 'after_join']);
  });

  it('closes the topic with phx_error when afterJoin fails, and the client rejoins', async () => {
    const socket = await client({ rejoinAfterMs: () => 1 });
    const seen = messages(socket);
    const chan = socket.channel('echo:a', { afterJoinFailsOnce: true });
    await settle(chan.join());
    const firstRef = chan.joinRef();
    const error = await seen.waitFor((m) => m.event === 'phx_error');
    expect(error).toEqual({ join_ref: firstRef, ref: firstRef, topic: 'echo:a', event: 'phx_error', payload: {} });
    await hub.records.waitFor((r) => r.kind === 'leave' && r.joinRef === firstRef);
    expect(hub.records.items).toContainEqual({ kind: 'leave', topic: 'echo:a', joinRef: firstRef, reason: 'closed' });
    // The client's channel errored and rejoined on its own, with a new join_ref.
    const rejoin = await hub.records.waitFor((r) => r.kind === 'join' && r.joinRef !== firstRef);
    expect(rejoin).toEqual({ kind: 'join', topic: 'echo:a', joinRef: chan.joinRef(), user: 'alice' });
    await hub.records.waitFor((r) => r.kind === 'afterJoin' && r.joinRef === chan.joinRef());
    expect(await settle(chan.push('echo', { n: 1 }))).toEqual({ status: 'ok', response: { n: 1 } });
  });
});

describe('pushes', () => {
  it('replies ok with the value the topic resolved, {} for undefined', async () => {
    const socket = await client();
    const chan = socket.channel('echo:a', {});
    await settle(chan.join());
    expect(await settle(chan.push('echo', { hello: ['world'] }))).toEqual({ status: 'ok', response: { hello: ['world'] } });
    expect(await settle(chan.push('nothing', {}))).toEqual({ status: 'ok', response: {} });
  });

  it('replies error with the code body of a PilothouseError', async () => {
    const socket = await client();
    const chan = socket.channel('echo:a', {});
    await settle(chan.join());
    expect(await settle(chan.push('fail', {}))).toEqual({
      status: 'error',
      response: { code: 'invalid_payload', message: 'bad echo payload', details: { field: 'x' } },
    });
    expect(await settle(chan.push('what', {}))).toEqual({
      status: 'error',
      response: { code: 'unknown_event', message: 'echo has no event what' },
    });
  });

  it('turns a plain Error into internal and keeps the channel usable', async () => {
    const socket = await client();
    const chan = socket.channel('echo:a', {});
    await settle(chan.join());
    const res = await settle(chan.push('crash', {}));
    expect(res).toEqual({ status: 'error', response: { code: 'internal', message: 'Internal error.' } });
    expect(JSON.stringify(res)).not.toContain('secret');
    expect(logsWithCode('internal')).toEqual([
      expect.objectContaining({ level: 50, event: 'crash', err: expect.objectContaining({ message: 'secret stack detail' }) }),
    ]);
    expect(await settle(chan.push('echo', { still: 'here' }))).toEqual({ status: 'ok', response: { still: 'here' } });
  });

  it('delivers Subscription.push and sendRaw frames to the channel', async () => {
    const socket = await client();
    const chan = socket.channel('echo:a', {});
    await settle(chan.join());
    const got = new Recorder<[string, unknown]>();
    chan.on('shouted', (p) => got.add(['shouted', p]));
    chan.on('shouted_raw', (p) => got.add(['shouted_raw', p]));
    await settle(chan.push('shout', { loud: true }));
    await got.waitFor(([e]) => e === 'shouted_raw');
    expect(got.items).toEqual([
      ['shouted', { loud: true }],
      ['shouted_raw', { loud: true }],
    ]);
  });

  it('does not let a slow push hold up heartbeats or later pushes', async () => {
    const socket = await client();
    const chan = socket.channel('echo:a', {});
    await settle(chan.join());
    let slowDone = false;
    const slow = settle(chan.push('slow', { gate: 'g1' })).then((r) => {
      slowDone = true;
      return r;
    });
    await new Promise<number>((resolve) => expect(socket.ping(resolve)).toBe(true));
    expect(await settle(chan.push('echo', { fast: true }))).toEqual({ status: 'ok', response: { fast: true } });
    expect(slowDone).toBe(false);
    hub.gates.open('g1');
    expect(await slow).toEqual({ status: 'ok', response: { slow: true } });
  });
});

describe('phx_leave and socket close', () => {
  it('replies ok to a leave, then sends phx_close for the join_ref, and the session leaves', async () => {
    const socket = await client();
    const seen = messages(socket);
    const chan = socket.channel('echo:a', {});
    await settle(chan.join());
    const joinRef = chan.joinRef();
    expect(await settle(chan.leave())).toEqual({ status: 'ok', response: {} });
    const close = await seen.waitFor((m) => m.event === 'phx_close');
    expect(close).toEqual({ join_ref: joinRef, ref: joinRef, topic: 'echo:a', event: 'phx_close', payload: {} });
    const onTopic = seen.items.filter((m) => m.topic === 'echo:a').map((m) => m.event);
    expect(onTopic.slice(-2)).toEqual(['phx_reply', 'phx_close']);
    expect(hub.records.items).toContainEqual({ kind: 'leave', topic: 'echo:a', joinRef, reason: 'leave' });
  });

  it('leaves every session with "closed" when the socket goes away', async () => {
    const socket = await client();
    const a = socket.channel('echo:a', {});
    const b = socket.channel('echo:b', {});
    await Promise.all([settle(a.join()), settle(b.join())]);
    expect(hub.server.stats().sockets).toBe(1);
    await disconnectPhoenix(socket);
    await hub.records.waitFor((r) => r.kind === 'leave' && r.topic === 'echo:a');
    await hub.records.waitFor((r) => r.kind === 'leave' && r.topic === 'echo:b');
    expect(hub.records.items.filter((r) => r.kind === 'leave')).toEqual([
      { kind: 'leave', topic: 'echo:a', joinRef: a.joinRef(), reason: 'closed' },
      { kind: 'leave', topic: 'echo:b', joinRef: b.joinRef(), reason: 'closed' },
    ]);
    expect(hub.server.stats().sockets).toBe(0);
  });
});

describe('heartbeat', () => {
  it('answers the client heartbeat on topic "phoenix" with an ok reply', async () => {
    const socket = await client();
    const seen = messages(socket);
    const rtt = await new Promise<number>((resolve) => expect(socket.ping(resolve)).toBe(true));
    expect(rtt).toBeGreaterThanOrEqual(0);
    expect(seen.items).toEqual([
      { join_ref: null, ref: expect.any(String), topic: 'phoenix', event: 'phx_reply', payload: { status: 'ok', response: {} } },
    ]);
  });
});
