// What agent tests start as "the dev server": a tiny `node server.js PORT HOST`, and a free port
// for it.

import { createServer } from 'node:net';

/** A tiny dev server: `node server.js PORT HOST`. */
export const SERVER = [
  "const http = require('http');",
  "const [port, host = '127.0.0.1'] = process.argv.slice(2);",
  "http.createServer((req, res) => res.end('hello from the dev server ' + req.url)).listen(Number(port), host);",
  '',
].join('\n');

/**
 * A TCP port free on 127.0.0.1 right now, below the kernel's ephemeral range (32768–60999 on Linux):
 * a port 0 listener of a test running beside this one can never be given it before the dev server
 * binds it (taking a port-0 port and closing it left exactly that race).
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const server = createServer();
    const free = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (free) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      return port;
    }
  }
}
