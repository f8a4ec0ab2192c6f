// Slow requests against a real hub process (issue 11, finding 4): headers and bodies trickled a
// byte at a time are cut after the configured timeouts, one address cannot hold more than its
// share of connections that have not completed a request, and meanwhile the hub keeps answering
// /healthz and new WebSockets. Short timeouts are configured; the tests wait for the close event.

import { connect as tcp, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { cleanupDir, seed, startHubProcess, type HubProcess, type Seeded } from './hub-process.js';

let seeded: Seeded;
let hub: HubProcess;

beforeAll(async () => {
  seeded = await seed();
  hub = await startHubProcess(seeded.dataDir, {
    args: ['--headers-timeout-ms', '400', '--body-timeout-ms', '400', '--request-timeout-ms', '1500', '--max-pending-per-address', '5'],
  });
});
afterAll(async () => {
  await hub.stop();
  cleanupDir(seeded.dataDir);
});

interface Raw {
  socket: Socket;
  /** Everything the hub sent, once it closed the connection. */
  closed: Promise<string>;
}

/** A TCP connection to the hub (from `localAddress`, another loopback address for "someone else"). */
async function open(localAddress = '127.0.0.1'): Promise<Raw> {
  const socket = tcp({ host: '127.0.0.1', port: hub.port, localAddress });
  let received = '';
  socket.on('data', (d: Buffer) => (received += d.toString()));
  socket.on('error', () => undefined); // a reset after the hub cuts us off is the expected end
  const closed = new Promise<string>((resolve) => socket.once('close', () => resolve(received)));
  await new Promise((resolve) => socket.once('connect', resolve));
  return { socket, closed };
}

const host = () => `127.0.0.1:${hub.port}`;
const healthz = async () => (await fetch(`${hub.url}/healthz`)).status;

function socketOpens(): Promise<void> {
  const ws = new WebSocket(`${hub.url.replace('http', 'ws')}/socket/websocket?vsn=2.0.0&token=${seeded.tokens.alice}`);
  return new Promise((resolve, reject) => {
    ws.once('open', () => (ws.close(), resolve()));
    ws.once('error', reject);
  });
}

describe('slow requests', () => {
  it('a body that stops arriving is cut after the body timeout; the hub keeps serving', async () => {
    const c = await open();
    c.socket.write(`POST /api/login HTTP/1.1\r\nHost: ${host()}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"na`);
    expect(await healthz()).toBe(200);
    await socketOpens();
    await c.closed;
    expect(c.socket.destroyed).toBe(true);
  });

  it('headers that never end are cut after the headers timeout (408)', async () => {
    const c = await open();
    c.socket.write(`POST /api/login HTTP/1.1\r\nHost: ${host()}\r\nX-Slow: a`);
    expect(await c.closed).toMatch(/^HTTP\/1\.1 408/);
  });

  it('a body trickled just fast enough is cut at the request timeout', async () => {
    const c = await open();
    c.socket.write(`POST /api/login HTTP/1.1\r\nHost: ${host()}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n`);
    // One byte every 100 ms: never idle for the 400 ms body timeout; the 1.5 s request timeout ends it.
    const drip = setInterval(() => c.socket.write(' '), 100);
    const started = Date.now();
    await c.closed;
    clearInterval(drip);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  });

  it('refuses one address more pending connections than its cap (429) while another address is served', async () => {
    const held = await Promise.all(Array.from({ length: 5 }, () => open()));
    for (const c of held) c.socket.write(`GET /healthz HTTP/1.1\r\nHost: ${host()}\r\n`);
    const refused = await open();
    const answer = await refused.closed;
    expect(answer).toMatch(/^HTTP\/1\.1 429 Too Many Requests\r\n/);
    expect(answer).toContain('Retry-After: 1');
    expect(answer).toContain('"code":"rate_limited"');
    // Someone else (another loopback address) is not affected.
    const other = await open('127.0.0.2');
    other.socket.end(`GET /healthz HTTP/1.1\r\nHost: ${host()}\r\nConnection: close\r\n\r\n`);
    expect(await other.closed).toMatch(/^HTTP\/1\.1 200 OK/);
    // Once the held ones are cut off by the headers timeout, the address is served again.
    await Promise.all(held.map((c) => c.closed));
    expect(await healthz()).toBe(200);
  });

  it('a connection whose request is complete no longer counts: more keep-alive connections than the cap are fine', async () => {
    const conns: Raw[] = [];
    for (let i = 0; i < 8; i++) {
      const c = await open();
      conns.push(c);
      const answer = await new Promise<string>((resolve) => {
        c.socket.once('data', (d: Buffer) => resolve(d.toString()));
        c.socket.write(`GET /healthz HTTP/1.1\r\nHost: ${host()}\r\n\r\n`);
      });
      expect(answer, `connection ${i}`).toMatch(/^HTTP\/1\.1 200 OK/);
    }
    for (const c of conns) c.socket.destroy();
  });
});
