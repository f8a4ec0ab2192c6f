// The socket server's edges: the upgrade (vsn, authentication, subprotocol), idle sockets, slow
// consumers and shutdown, against a real HTTP server on port 0.

import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Socket as NetSocket } from 'node:net';
import type { Socket } from 'phoenix';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { connectPhoenix, disconnectPhoenix, RawClient, settle, startHub, type TestHub } from '../../test/socket-harness.js';

let hub: TestHub | undefined;
const raws: RawClient[] = [];
const sockets: Socket[] = [];

async function start(opts: Parameters<typeof startHub>[0] = {}): Promise<TestHub> {
  hub = await startHub(opts);
  return hub;
}

async function raw(url: string, protocols?: string[]): Promise<RawClient> {
  const client = await RawClient.open(url, protocols);
  raws.push(client);
  return client;
}

/** Attempts an upgrade that the server is expected to refuse; resolves with the HTTP answer. */
async function refusedUpgrade(url: string): Promise<{ status: number | undefined; body: unknown }> {
  const ws = new WebSocket(url);
  const [, res] = (await once(ws, 'unexpected-response')) as [unknown, IncomingMessage];
  const chunks: Buffer[] = [];
  // The server closes the connection after the body; with the event handled, ws takes no further action.
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return { status: res.statusCode, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
}

afterEach(async () => {
  for (const client of raws.splice(0)) client.close();
  await Promise.all(sockets.splice(0).map(disconnectPhoenix));
  await hub?.stop();
  hub = undefined;
});

describe('upgrade', () => {
  it('answers a bad token with HTTP 401 and a JSON {code, message} body', async () => {
    const h = await start();
    expect(await refusedUpgrade(h.wsUrl('vsn=2.0.0&token=mallory'))).toEqual({
      status: 401,
      body: { code: 'unauthorized', message: 'Unknown token.' },
    });
    expect(h.server.stats().sockets).toBe(0);
    expect(h.logs.items.filter((l) => l.code === 'unauthorized')).toHaveLength(1);
  });

  it('keeps the official client out when its token is bad', async () => {
    const h = await start();
    const socket = new (await import('phoenix')).Socket(h.endpoint, {
      transport: WebSocket,
      params: { token: 'mallory' },
      reconnectAfterMs: () => 60_000,
    });
    sockets.push(socket);
    const failed = new Promise<void>((resolve) => socket.onError(() => resolve()));
    let joinAnswered = false;
    socket
      .channel('echo:a', {})
      .join()
      .receive('ok', () => (joinAnswered = true));
    socket.connect();
    await failed;
    expect(socket.isConnected()).toBe(false);
    expect(h.authCalls).toBe(1);
    expect(h.server.stats().sockets).toBe(0);
    expect(joinAnswered).toBe(false);
    expect(h.records.items).toEqual([]);
  });

  it('refuses any vsn but 2.0.0 with HTTP 400, before authenticating', async () => {
    const h = await start();
    expect(await refusedUpgrade(h.wsUrl('vsn=1.0.0&token=alice-token'))).toEqual({
      status: 400,
      body: { code: 'bad_request', message: 'Unsupported vsn 1.0.0; the hub speaks 2.0.0.' },
    });
    expect((await refusedUpgrade(h.wsUrl('token=alice-token'))).status).toBe(400);
    expect(h.authCalls).toBe(0);
  });

  it('selects the "phoenix" subprotocol when offered, so a token may ride in Sec-WebSocket-Protocol', async () => {
    const h = await start();
    const token = `base64url.bearer.phx.${Buffer.from('bob-token').toString('base64url')}`;
    const client = await raw(h.wsUrl('vsn=2.0.0'), ['phoenix', token]);
    expect(client.ws.protocol).toBe('phoenix');
    client.send(['1', '1', 'echo:a', 'phx_join', {}]);
    expect((await client.reply('1'))[4]).toMatchObject({ status: 'ok', response: { user: 'bob' } });
  });

  it('lets the official client authenticate with authToken', async () => {
    const h = await start();
    const socket = await connectPhoenix(h, { params: {}, authToken: 'bob-token' });
    sockets.push(socket);
    expect(socket.conn?.protocol).toBe('phoenix');
    const res = await settle(socket.channel('echo:a', {}).join());
    expect(res).toMatchObject({ status: 'ok', response: { user: 'bob' } });
  });

  it('selects no subprotocol when none is offered', async () => {
    const h = await start();
    const client = await raw(h.wsUrl());
    expect(client.ws.protocol).toBe('');
  });
});

describe('idle sockets', () => {
  it('closes a socket that sent nothing for heartbeatTimeoutMs, and leaves its sessions', async () => {
    const h = await start({ heartbeatTimeoutMs: 300 });
    const beating = await connectPhoenix(h, { heartbeatIntervalMs: 80 });
    sockets.push(beating);
    const chan = beating.channel('echo:b', {});
    await settle(chan.join());

    const idle = await raw(h.wsUrl());
    idle.send(['1', '1', 'echo:a', 'phx_join', {}]);
    await idle.reply('1');
    const lastFrameAt = Date.now();

    expect(await idle.closed).toEqual({ code: 1000, reason: 'heartbeat timeout' });
    // Not closed early (the server saw the join a little before the client saw its reply).
    expect(Date.now() - lastFrameAt).toBeGreaterThanOrEqual(250);
    expect(h.records.items).toContainEqual({ kind: 'leave', topic: 'echo:a', joinRef: '1', reason: 'closed' });
    // The client that kept beating is still there and still joined.
    expect(beating.isConnected()).toBe(true);
    expect(await settle(chan.push('echo', { alive: true }))).toEqual({ status: 'ok', response: { alive: true } });
    expect(h.server.stats().sockets).toBe(1);
  });
});

describe('slow consumers', () => {
  it('closes a socket whose backlog exceeds maxBufferedBytes with 1013', async () => {
    const h = await start({ maxBufferedBytes: 256 * 1024 });
    const client = await raw(h.wsUrl());
    client.send(['1', '1', 'echo:a', 'phx_join', {}]);
    await client.reply('1');
    // Stop reading: the kernel buffers fill up, then the server's ws backlog grows.
    const tcp = (client.ws as unknown as { _socket: NetSocket })._socket;
    tcp.pause();
    client.send(['1', '2', 'echo:a', 'flood', { bytes: 64 * 1024 }]);

    expect(await h.records.waitFor((r) => r.kind === 'floodEnded')).toEqual({
      kind: 'floodEnded',
      topic: 'echo:a',
      closed: true,
    });
    expect(h.records.items).toContainEqual({ kind: 'leave', topic: 'echo:a', joinRef: '1', reason: 'closed' });
    expect(h.logs.items.filter((l) => l.msg === 'slow consumer; closing socket')).toHaveLength(1);
    tcp.resume();
    expect(await client.closed).toEqual({ code: 1013, reason: 'slow consumer' });
  });
});

describe('close()', () => {
  it('closes every socket with 1001, leaves every session and refuses new upgrades with 503', async () => {
    const h = await start();
    const client = await raw(h.wsUrl());
    client.send(['1', '1', 'echo:a', 'phx_join', {}]);
    await client.reply('1');
    const phx = await connectPhoenix(h);
    sockets.push(phx);
    const chan = phx.channel('echo:b', {});
    await settle(chan.join());

    await h.server.close();

    expect(await client.closed).toEqual({ code: 1001, reason: 'hub shutting down' });
    expect(h.server.stats().sockets).toBe(0);
    expect(h.records.items.filter((r) => r.kind === 'leave')).toEqual([
      { kind: 'leave', topic: 'echo:a', joinRef: '1', reason: 'closed' },
      { kind: 'leave', topic: 'echo:b', joinRef: chan.joinRef(), reason: 'closed' },
    ]);
    expect(await refusedUpgrade(h.wsUrl())).toEqual({
      status: 503,
      body: { code: 'internal', message: 'The hub is shutting down.' },
    });
  });
});
