// Limits on the HTTP server before anyone is authenticated (slowloris: requests trickled a byte at
// a time hold a file descriptor each). Like nginx's defaults (client_header_timeout and
// client_body_timeout, 60 s): the headers must arrive within `headersTimeoutMs` (Node answers 408),
// a body may pause at most `bodyTimeoutMs` between reads (the connection is cut), and a whole
// request takes at most `requestTimeoutMs` (408). Per remote address (an IPv6 /64), at most
// `maxPendingPerAddress` connections may be waiting for a complete request (no request yet, or a
// body still arriving); one more is answered 429 `rate_limited` and closed. A connection stops
// being pending once its request is complete or upgraded to a WebSocket, whose authentication
// follows at once. One sweep timer, cleared by close().

import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { addressKey } from '../auth/login-limiter.js';
import type { Logger } from 'pino';
import { PilothouseError } from '@pilothouse/protocol';
import { refuseUpgrade } from '../socket/handshake.js';

export interface HttpLimits {
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  requestTimeoutMs: number;
  maxPendingPerAddress: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  // nginx: client_header_timeout 60s, client_body_timeout 60s.
  headersTimeoutMs: 60_000,
  bodyTimeoutMs: 60_000,
  // Node's own default, which fastify turns off: a bound on a body trickled just under the idle timeout.
  requestTimeoutMs: 300_000,
  // The test suite and `npm run bench` open 100+ sockets at once from 127.0.0.1; an attacker from one
  // address holds at most this many descriptors (the hub's limit is often 1,024).
  maxPendingPerAddress: 256,
};

/** Node's own options for the headers and total request timeouts (http.createServer). */
export function serverTimeouts(limits: HttpLimits): { headersTimeout: number; requestTimeout: number; connectionsCheckingInterval: number } {
  const requestTimeout = Math.max(limits.requestTimeoutMs, limits.headersTimeoutMs);
  // Node checks both timeouts on this interval (default 30 s): a quarter of the shorter one.
  return { headersTimeout: limits.headersTimeoutMs, requestTimeout, connectionsCheckingInterval: Math.max(10, Math.min(30_000, limits.headersTimeoutMs / 4)) };
}

interface Pending {
  readonly address: string;
  /** When the body last delivered bytes; null while no body is expected yet (headers). */
  bodyReadAt: number | null;
}

export interface ConnectionGuard {
  close(): void;
  stats(): { pending: number };
}

const hasBody = (req: IncomingMessage): boolean =>
  req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');

export function guardConnections(server: Server, limits: HttpLimits, log: Logger, now: () => number = Date.now): ConnectionGuard {
  const pending = new Map<Socket, Pending>();
  const perAddress = new Map<string, number>();

  const settle = (socket: Socket) => {
    const p = pending.get(socket);
    if (p === undefined) return;
    pending.delete(socket);
    const n = (perAddress.get(p.address) ?? 1) - 1;
    if (n <= 0) perAddress.delete(p.address);
    else perAddress.set(p.address, n);
  };

  server.on('connection', (socket: Socket) => {
    // An IPv6 client's whole /64 is one address here, as for the sign-in backoff.
    const address = addressKey(socket.remoteAddress ?? 'unknown');
    const n = perAddress.get(address) ?? 0;
    if (n >= limits.maxPendingPerAddress) {
      log.warn({ address, pending: n }, 'too many pending connections from one address; refused');
      const err = new PilothouseError('rate_limited', `Too many connections from ${address} are waiting to complete a request; retry later.`);
      socket.on('error', () => socket.destroy());
      refuseUpgrade(socket, [429, 'Too Many Requests'], err.toBody(), ['Retry-After: 1']);
      return;
    }
    perAddress.set(address, n + 1);
    pending.set(socket, { address, bodyReadAt: null });
    socket.once('close', () => settle(socket));
  });

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    if (!hasBody(req) || req.complete) return settle(socket);
    // A keep-alive connection's next request with a body is pending again.
    if (!pending.has(socket)) {
      const address = addressKey(socket.remoteAddress ?? 'unknown');
      pending.set(socket, { address, bodyReadAt: null });
      perAddress.set(address, (perAddress.get(address) ?? 0) + 1);
    }
    const p = pending.get(socket)!;
    p.bodyReadAt = now();
    const touch = () => (p.bodyReadAt = now());
    const done = () => {
      socket.off('data', touch);
      settle(socket);
    };
    socket.on('data', touch);
    req.once('end', done);
    req.once('close', done);
    res.once('finish', done);
  });

  server.on('upgrade', (req: IncomingMessage) => settle(req.socket));

  const sweeper = setInterval(
    () => {
      const t = now();
      for (const [socket, p] of pending) {
        if (p.bodyReadAt !== null && t - p.bodyReadAt >= limits.bodyTimeoutMs) {
          log.info({ address: p.address, idleMs: t - p.bodyReadAt }, 'request body timed out; closing the connection');
          settle(socket);
          socket.destroy();
        }
      }
    },
    Math.max(10, Math.min(limits.bodyTimeoutMs / 4, 5000)),
  );
  sweeper.unref();

  return {
    close: () => clearInterval(sweeper),
    stats: () => ({ pending: pending.size }),
  };
}
