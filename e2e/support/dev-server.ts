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

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
