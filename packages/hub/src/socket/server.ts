// The hub's Phoenix Channels V2 endpoint (`/socket/websocket?vsn=2.0.0`): accepts HTTP upgrades
// forwarded by the HTTP layer, authenticates them once, and owns the set of live connections,
// the one timer that closes idle sockets, and shutdown. Frame meaning lives in connection.ts.

import type { SocketMeter } from '../metrics/metrics.js';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { PilothouseError, toPilothouseError } from '@pilothouse/protocol';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { Connection } from './connection.js';
import { checkVsn, refuseUpgrade, selectProtocol, statusFor, UNAVAILABLE } from './handshake.js';
import { CloseCode, type Corkable } from './outbound.js';
import type { Authenticate, Principal, TopicRouter } from './types.js';
import type { Admission } from '../limits/admission.js';

export interface SocketServerOptions {
  authenticate: Authenticate;
  router: TopicRouter;
  logger: Logger;
  /** A text frame longer than this gets a `frame_too_large` error reply; default 1 MiB. */
  maxFrameBytes?: number;
  /** A socket that sent no frame at all for this long is closed; default 60 s (the client beats every 30 s). */
  heartbeatTimeoutMs?: number;
  /** A socket whose unsent backlog (ws.bufferedAmount) exceeds this is closed with 1013; default 16 MiB. */
  maxBufferedBytes?: number;
  /** How long close() waits for clients to answer the close handshake before cutting them off; default 1 s. */
  shutdownGraceMs?: number;
  /** Sockets one user may have open at once; the next upgrade is refused with 429 too_many_sockets. Default 32. */
  maxSocketsPerUser?: number;
  /** Unsent bytes over all sockets; past it the largest backlogs are closed with 1013. Default 256 MiB. */
  maxTotalBufferedBytes?: number;
  /** A socket the hub closed that has not finished closing after this long is cut off (its backlog freed); default 2 s. */
  closeGraceMs?: number;
  /** Rate limits on joins; none when null or absent. */
  admission?: Admission | null;
  /** Counts joins, pushes and error replies (/metrics); none when absent. */
  meter?: SocketMeter | null;
}

export interface SocketServer {
  /** Handles an HTTP `upgrade` event already routed to the socket path. Never throws. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Closes every socket (sessions leave with 'closed'), refuses new upgrades with 503, clears timers. */
  close(): Promise<void>;
  stats(): { sockets: number; backlogBytes: number };
}

/** Messages beyond this many times maxFrameBytes are not even buffered: `ws` closes with 1009. */
const HARD_CAP_FACTOR = 8;

export function createSocketServer(opts: SocketServerOptions): SocketServer {
  const maxFrameBytes = opts.maxFrameBytes ?? 1024 * 1024;
  const heartbeatTimeoutMs = opts.heartbeatTimeoutMs ?? 60_000;
  const maxBufferedBytes = opts.maxBufferedBytes ?? 16 * 1024 * 1024;
  const shutdownGraceMs = opts.shutdownGraceMs ?? 1000;
  const maxSocketsPerUser = opts.maxSocketsPerUser ?? 32;
  const maxTotalBufferedBytes = opts.maxTotalBufferedBytes ?? 256 * 1024 * 1024;
  const closeGraceMs = opts.closeGraceMs ?? 2000;
  const log = opts.logger;

  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    maxPayload: HARD_CAP_FACTOR * maxFrameBytes,
    handleProtocols: selectProtocol,
  });
  // Every accepted socket until its 'close' event; `live` ones have not started closing yet.
  const connections = new Set<Connection>();
  // Sockets per user, counted from authentication (so concurrent upgrades cannot overshoot) to close.
  const perUser = new Map<string, number>();
  const release = (userId: string) => {
    const n = (perUser.get(userId) ?? 1) - 1;
    if (n > 0) perUser.set(userId, n);
    else perUser.delete(userId);
  };
  let closing = false;

  // One timer for every socket: the idle check (a socket is closed between 1× and 1.25× the
  // timeout), cutting off closes that linger, and the cap on bytes queued to all sockets.
  const sweeper = setInterval(
    () => {
      const now = Date.now();
      let total = 0;
      for (const conn of connections) {
        const closingFor = conn.closingFor(now);
        if (closingFor !== null && closingFor >= closeGraceMs) {
          // A client that does not read never answers the close frame queued behind its backlog.
          conn.terminate();
          continue;
        }
        if (conn.live && conn.idleFor(now) >= heartbeatTimeoutMs) {
          log.info({ socketId: conn.id, idleMs: conn.idleFor(now) }, 'heartbeat timeout; closing socket');
          conn.close(CloseCode.heartbeatTimeout, 'heartbeat timeout');
        }
        total += conn.bufferedBytes;
      }
      if (total > maxTotalBufferedBytes) shed(total);
      opts.admission?.sweep();
    },
    Math.max(10, Math.min(heartbeatTimeoutMs / 4, 1000)),
  );
  sweeper.unref();

  /** Closes the sockets with the largest backlogs until the total is under the cap again. */
  function shed(total: number): void {
    const live = [...connections].filter((c) => c.live).sort((a, b) => b.bufferedBytes - a.bufferedBytes);
    for (const conn of live) {
      if (total <= maxTotalBufferedBytes) break;
      total -= conn.bufferedBytes;
      log.warn({ socketId: conn.id, bufferedBytes: conn.bufferedBytes, totalLimit: maxTotalBufferedBytes }, 'hub-wide backlog over its limit; closing the slowest socket');
      conn.close(CloseCode.tryAgainLater, 'slow consumer');
      conn.terminate();
    }
  }

  function accept(ws: WebSocket, principal: Principal, raw: Corkable | null): void {
    const conn = new Connection({
      raw,
      id: randomUUID(),
      ws,
      principal,
      router: opts.router,
      logger: log,
      limits: { maxFrameBytes, maxBufferedBytes },
      admission: opts.admission ?? null,
      meter: opts.meter ?? null,
    });
    connections.add(conn);
    void conn.closed.then(() => {
      connections.delete(conn);
      release(principal.userId);
    });
    log.debug({ socketId: conn.id, userId: principal.userId }, 'socket connected');
  }

  async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    // Node removes its own listeners from an upgraded socket: a reset during authentication
    // would otherwise be an unhandled 'error' event.
    const onError = () => socket.destroy();
    socket.on('error', onError);
    let principal: Principal;
    try {
      if (closing) throw new PilothouseError('internal', 'The hub is shutting down.');
      checkVsn(req);
      principal = await opts.authenticate(req);
      if (closing) throw new PilothouseError('internal', 'The hub is shutting down.');
      const open = perUser.get(principal.userId) ?? 0;
      if (open >= maxSocketsPerUser) {
        throw new PilothouseError('too_many_sockets', `${principal.name} already has ${open} sockets open; the limit is ${maxSocketsPerUser}.`, { limit: maxSocketsPerUser });
      }
      perUser.set(principal.userId, open + 1);
    } catch (err) {
      refuse(socket, err);
      return;
    }
    if (socket.destroyed) {
      release(principal.userId);
      return;
    }
    socket.off('error', onError); // from here on `ws` owns the socket and its errors
    const raw = 'cork' in socket && 'uncork' in socket ? (socket as Duplex & Corkable) : null;
    // `ws` may refuse the handshake itself (no callback): the slot is released when the socket goes.
    let accepted = false;
    socket.once('close', () => {
      if (!accepted) release(principal.userId);
    });
    wss.handleUpgrade(req, socket, head, (ws) => {
      accepted = true;
      accept(ws, principal, raw);
    });
  }

  function refuse(socket: Duplex, err: unknown): void {
    const error = toPilothouseError(err);
    if (closing) {
      refuseUpgrade(socket, UNAVAILABLE, error.toBody());
    } else if (error.code === 'internal') {
      log.error({ err: error.cause ?? error }, 'socket upgrade failed');
      refuseUpgrade(socket, statusFor(error.code), error.toBody());
    } else {
      log.warn({ code: error.code }, `socket upgrade refused: ${error.message}`);
      refuseUpgrade(socket, statusFor(error.code), error.toBody());
    }
  }

  async function shutDown(): Promise<void> {
    closing = true;
    clearInterval(sweeper);
    const open = [...connections];
    const allClosed = Promise.all(open.map((conn) => conn.closed));
    for (const conn of open) if (conn.live) conn.close(CloseCode.goingAway, 'hub shutting down');
    // Cut off clients that do not answer the close handshake in time (including earlier closes).
    let grace: NodeJS.Timeout | undefined;
    const cutOff = new Promise<void>((resolve) => {
      grace = setTimeout(() => {
        for (const conn of open) conn.terminate();
        resolve();
      }, shutdownGraceMs);
    });
    await Promise.race([allClosed, cutOff]);
    clearTimeout(grace);
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  }

  let shutdown: Promise<void> | undefined;
  return {
    handleUpgrade(req, socket, head) {
      void upgrade(req, socket, head);
    },

    close() {
      shutdown ??= shutDown();
      return shutdown;
    },

    stats() {
      let sockets = 0;
      let backlogBytes = 0;
      for (const conn of connections) {
        if (!conn.live) continue;
        sockets++;
        backlogBytes += conn.bufferedBytes;
      }
      return { sockets, backlogBytes };
    },
  };
}
