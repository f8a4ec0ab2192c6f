// The processes of the preview bench, one per role, each printing `READY <value>` once it serves:
//   dev <-             a dev server: GET /big?bytes=N (N bytes, Content-Length), GET /small, ws echo
//   hub <dataDir>      the real hub (startHub) on a seeded SQLite directory
//   runner <json>      the real hub client + tunnel client; opens one preview on the dev port
//   relay <port>       the floor's runner: a bare TCP relay to the dev server
//   proxy <port>       the floor's hub: a bare keep-alive HTTP proxy (no checks, no header rules)
// The floor (proxy → relay → dev) has the preview's hops and processes with nothing else in them:
// what any Node proxy of this shape costs on this machine.
// Stopped with SIGINT by bench/preview.ts.

import { randomUUID } from 'node:crypto';
import { Agent, createServer, request } from 'node:http';
import { connect, createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { pino } from 'pino';
import { WebSocketServer } from 'ws';
import { startHub } from '@pilothouse/hub';
import { connectHub, createTunnelClient, memoryCursor } from '@pilothouse/runner';
import { splice } from '@pilothouse/protocol/node';

const silent = pino({ level: 'silent' });
const [role, arg] = process.argv.slice(2);

async function dev(): Promise<void> {
  const block = Buffer.alloc(64 * 1024, 'x');
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://dev');
    if (url.pathname === '/big') {
      let left = Number(url.searchParams.get('bytes') ?? 0);
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': left });
      const pump = () => {
        while (left > 0) {
          const n = Math.min(left, block.length);
          left -= n;
          if (!res.write(n === block.length ? block : block.subarray(0, n))) {
            res.once('drain', pump);
            return;
          }
        }
        res.end();
      };
      pump();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': 2 });
    res.end('ok');
  });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.stdout.write(`READY ${(server.address() as AddressInfo).port}\n`);
}

async function hub(dataDir: string): Promise<void> {
  const running = await startHub({ host: '127.0.0.1', port: 0, store: { kind: 'sqlite', dataDir }, logger: silent, webRoot: null });
  process.once('SIGINT', () => void running.close().then(() => process.exit(0)));
  process.stdout.write(`READY ${running.url}\n`);
}

async function runner(config: { hubUrl: string; token: string; channel: string; devPort: number }): Promise<void> {
  const previewId = `bench${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const tunnel = createTunnelClient({ hubUrl: config.hubUrl, token: config.token, logger: silent, isApproved: (id, port) => id === previewId && port === config.devPort });
  const client = await connectHub({
    url: config.hubUrl,
    token: config.token,
    channel: config.channel,
    cursor: memoryCursor(),
    runner: { runner_id: 'bench-runner', instance_id: randomUUID(), name: 'bench', cwd: '/bench', agent: { name: 'bench', version: '0' }, capabilities: [] },
    logger: silent,
    onEvent: () => {},
    onDirective: (d) => {
      if (d.type === 'tunnel_open') tunnel.handle(d.payload);
    },
  });
  const root = await client.push('post_row', { client_id: `bench-root-${previewId}`, kind: 'session', body: 'bench' });
  await client.push('preview_open', { preview_id: previewId, port: config.devPort, thread_id: root.thread_id });
  process.once('SIGINT', () => {
    tunnel.closeAll();
    void client.close().then(() => process.exit(0));
  });
  process.stdout.write(`READY ${previewId}\n`);
}

/** The floor's splice is the preview's own (protocol's), with Nagle off as on the preview's sockets. */
function spliceNoDelay(a: Socket, b: Socket): void {
  a.setNoDelay(true);
  b.setNoDelay(true);
  splice(a, b);
}

async function relay(port: number): Promise<void> {
  const server = createTcpServer({ allowHalfOpen: true }, (socket) => spliceNoDelay(socket, connect({ host: '127.0.0.1', port, allowHalfOpen: true })));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.stdout.write(`READY ${(server.address() as AddressInfo).port}\n`);
}

async function proxy(port: number): Promise<void> {
  const agent = new Agent({ keepAlive: true, scheduling: 'lifo' });
  const server = createServer((req, res) => {
    const upstream = request({ agent, host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.rawHeaders }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.rawHeaders);
      up.pipe(res);
    });
    upstream.once('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('upgrade', (req, socket: Socket, head: Buffer) => {
    const upstream = connect({ host: '127.0.0.1', port, allowHalfOpen: true }, () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length > 0) upstream.write(head);
      spliceNoDelay(socket, upstream);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.stdout.write(`READY ${(server.address() as AddressInfo).port}\n`);
}

const roles: Record<string, () => Promise<void>> = {
  dev,
  hub: () => hub(arg!),
  runner: () => runner(JSON.parse(arg!) as Parameters<typeof runner>[0]),
  relay: () => relay(Number(arg)),
  proxy: () => proxy(Number(arg)),
};
const main = roles[role ?? ''] ? roles[role!]!() : Promise.reject(new Error(`unknown role ${role}`));
main.catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
