import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { splice } from './splice.js';

// Two real TCP connections on localhost: `outer` ends are the test's, `inner` ends get spliced
// (like the proxy's browser socket and tunnel stream).
const servers: Server[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

async function connection(): Promise<{ outer: Socket; inner: Socket }> {
  const server = createServer({ allowHalfOpen: true });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection') as Promise<[Socket]>;
  const outer = connect({ port: (server.address() as AddressInfo).port, host: '127.0.0.1', allowHalfOpen: true });
  const [inner] = await accepted;
  sockets.push(outer, inner);
  return { outer, inner };
}

/** Everything a socket reads until its peer ends. */
async function readAll(socket: Socket): Promise<string> {
  let text = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (text += chunk));
  await once(socket, 'end');
  return text;
}

/** Resolves on close, whatever error came first (events.once would reject on it). */
const closed = (socket: Socket) => new Promise<void>((resolve) => socket.once('close', () => resolve()));

async function spliced() {
  const left = await connection();
  const right = await connection();
  splice(left.inner, right.inner);
  return { left: left.outer, right: right.outer, inner: [left.inner, right.inner] as const };
}

describe('splice', () => {
  it('carries bytes both ways and passes an end on as an end, so the other way still flows', async () => {
    const { left, right } = await spliced();
    const atRight = readAll(right);
    const atLeft = readAll(left);
    left.end('ping');
    expect(await atRight).toBe('ping');
    // The left side only closed its writing half: the answer still reaches it.
    right.end('pong');
    expect(await atLeft).toBe('pong');
  });

  it('destroys both sides when one of them fails (a reset), and the far peer sees its end', async () => {
    const { left, right, inner } = await spliced();
    const rightEnded = readAll(right);
    left.resetAndDestroy();
    await Promise.all([closed(inner[0]), closed(inner[1]), rightEnded]);
    expect(inner.map((s) => s.destroyed)).toEqual([true, true]);
  });

  it('destroys both sides when one of them closes', async () => {
    const { left, inner } = await spliced();
    const leftEnded = readAll(left);
    inner[1].destroy();
    await Promise.all([closed(inner[0]), leftEnded]);
    expect(inner[0].destroyed).toBe(true);
  });
});
