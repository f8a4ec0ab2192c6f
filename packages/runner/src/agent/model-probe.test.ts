// The probe of a model URL against real sockets on this machine: any HTTP answer counts; a closed
// port, a server that never answers and a URL that is none do not, each said as Node says it.
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { probeModel } from './model-probe.js';

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

const closeServer = (server: Server): Promise<void> => new Promise<void>((resolve) => server.close(() => resolve()));

describe('probeModel', () => {
  it('any HTTP status is an answer (a 503 too): the server is there', async () => {
    const server = createHttpServer((_req, res) => res.writeHead(503).end('overloaded'));
    const port = await listen(server);
    try {
      expect(await probeModel(`http://127.0.0.1:${port}/v1beta`)).toEqual({ answered: true, httpStatus: 503 });
    } finally {
      server.closeAllConnections();
      await closeServer(server);
    }
  });

  it('a closed port: connect ECONNREFUSED with the address', async () => {
    const free = createServer();
    const port = await listen(free);
    await closeServer(free);
    expect(await probeModel(`http://127.0.0.1:${port}`)).toEqual({ answered: false, problem: `connect ECONNREFUSED 127.0.0.1:${port}` });
  });

  it('a server that takes the connection and never answers: no answer within the deadline', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => void sockets.push(socket));
    const port = await listen(silent);
    try {
      expect(await probeModel(`http://127.0.0.1:${port}`, { timeoutMs: 200 })).toEqual({ answered: false, problem: 'no answer within 200 ms' });
    } finally {
      for (const s of sockets) s.destroy();
      await closeServer(silent);
    }
  });

  it('a URL that is none is said so, without a request', async () => {
    expect(await probeModel('127.0.0.1:9', { fetch: () => Promise.reject(new Error('not called')) })).toEqual({ answered: false, problem: '"127.0.0.1:9" is not a URL' });
  });
});
