// Test support: a stand-in dev server (node http + a `ws` server that speaks the `vite-hmr`
// subprotocol) that records what reached it, so tests assert on what crossed the tunnel.

import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface DevServer {
  port: number;
  server: Server;
  /** Every request and upgrade request, in arrival order. */
  seen: Seen[];
  /** TCP connections accepted so far. */
  connections(): number;
  /** Closes the idle keep-alive connections (as its keepAliveTimeout would) and resolves once they are closed. */
  closeIdle(): Promise<void>;
  /** Server-side WebSockets currently open. */
  sockets: Set<WebSocket>;
  /** Lets the pending `/stream` response write its next chunk (or end, after the last). */
  release(): void;
  close(): Promise<void>;
}

export async function startDevServer(host = '127.0.0.1'): Promise<DevServer> {
  const seen: Seen[] = [];
  let connections = 0;
  const waiting: (() => void)[] = [];
  let port = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      switch (path) {
        case '/echo':
          res.writeHead(200, { 'Content-Type': 'text/plain', 'X-Seen-Method': req.method ?? '' });
          res.end(Buffer.concat(chunks));
          return;
        case '/stream': {
          // Three chunks, each only once the test released it: arrival proves incremental delivery.
          res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
          let n = 0;
          const next = () => {
            n++;
            if (n <= 3) {
              res.write(`data: chunk ${n}\n\n`);
              waiting.push(next);
            } else res.end();
          };
          next();
          return;
        }
        case '/cookies':
          res.writeHead(200, [
            'Content-Type', 'text/plain',
            'Set-Cookie', 'pilothouse_preview=from-dev-server; Path=/',
            'Set-Cookie', 'app=1; Domain=localhost; Path=/; HttpOnly',
            'Set-Cookie', 'theme=dark',
          ]);
          res.end('cookies');
          return;
        case '/redirect':
          res.writeHead(302, { Location: `http://localhost:${port}/echo?from=redirect` });
          res.end();
          return;
        default:
          res.writeHead(200, { 'Content-Type': 'text/plain' });
          res.end(`hello ${req.method} ${req.url}`);
      }
    });
  });
  server.on('connection', () => connections++);
  const wss = new WebSocketServer({
    server,
    handleProtocols: (offered) => (offered.has('vite-hmr') ? 'vite-hmr' : false),
    perMessageDeflate: true,
    // `/refuse…` declines the upgrade, as a dev server does for a path it does not serve.
    verifyClient: (info, done) => (info.req.url?.startsWith('/refuse') ? done(false, 418, 'No Socket Here') : done(true)),
  });
  const sockets = new Set<WebSocket>();
  wss.on('headers', () => {});
  wss.on('connection', (ws, req) => {
    seen.push({ method: 'UPGRADE', url: req.url ?? '', headers: req.headers, body: '' });
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('message', (data, isBinary) => ws.send(isBinary ? data : `echo:${(data as Buffer).toString('utf8')}`, { binary: isBinary }));
    ws.send('hello from dev');
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  port = (server.address() as AddressInfo).port;
  const open = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    open.add(s);
    s.once('close', () => open.delete(s));
  });
  return {
    port,
    server,
    seen,
    connections: () => connections,
    async closeIdle() {
      const before = new Set(open);
      server.closeIdleConnections();
      await Promise.all([...before].filter((s) => !s.destroyed).map((s) => new Promise((resolve) => s.once('close', resolve))));
    },
    sockets,
    release() {
      waiting.shift()?.();
    },
    async close() {
      for (const ws of sockets) ws.terminate();
      wss.close();
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
