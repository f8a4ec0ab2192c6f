// The runner's half of previews: for each `tunnel_open` directive the hub sends, connect to the
// approved dev server port on this machine and dial the hub's tunnel endpoint (an HTTP upgrade,
// docs/protocol.md "Previews"), then pipe bytes both ways until either side ends. Nothing here
// understands HTTP: one stream carries one browser connection's bytes, whatever they are.

import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import {
  TUNNEL_ERROR_HEADER,
  TUNNEL_PATH,
  TUNNEL_SECRET_HEADER,
  TUNNEL_STREAM_HEADER,
  TUNNEL_UPGRADE,
  type TunnelDialError,
  type TunnelOpen,
} from '@pilothouse/protocol';
import { splice } from '@pilothouse/protocol/node';
import type { HubLogger } from '../hub/api.js';

export interface TunnelClientOptions {
  /** The hub's base URL, http(s)://host:port (as for connectHub). */
  hubUrl: string;
  token: string;
  logger: HubLogger;
  /** Asked for every stream: a port whose approval was revoked is refused (`port_not_approved`). */
  isApproved(previewId: string, port: number): boolean;
  /** Streams held at once, over all previews; beyond it a dial reports `dial_failed`. Default 512. */
  maxStreams?: number;
  /** How long the dial to the hub may take; default 10 s. */
  dialTimeoutMs?: number;
}

export interface TunnelClient {
  /** Serves one `tunnel_open` directive (asynchronously; never throws). */
  handle(open: TunnelOpen): void;
  /** Destroys every stream of a preview (closed or revoked). */
  closePreview(previewId: string): void;
  /** Destroys every stream (the runner is stopping). */
  closeAll(): void;
  /** `open`: streams piping bytes right now. */
  stats(): { open: number };
}

/** Vite 5+ started for `localhost` may listen on ::1 only; try IPv4 first, then IPv6. */
const LOOPBACKS = ['127.0.0.1', '::1'];

export function createTunnelClient(opts: TunnelClientOptions): TunnelClient {
  const log = opts.logger;
  const maxStreams = opts.maxStreams ?? 512;
  const dialTimeoutMs = opts.dialTimeoutMs ?? 10_000;
  const endpoint = new URL(TUNNEL_PATH, opts.hubUrl);
  const request = endpoint.protocol === 'https:' ? httpsRequest : httpRequest;
  /** Every socket held for a preview: dev-side and hub-side, connecting or piping. */
  const held = new Map<string, Set<Duplex>>();
  let sockets = 0;
  let piping = 0;

  function hold(previewId: string, socket: Duplex): void {
    let set = held.get(previewId);
    if (!set) held.set(previewId, (set = new Set()));
    set.add(socket);
    sockets++;
    socket.once('close', () => {
      sockets--;
      set.delete(socket);
      if (set.size === 0 && held.get(previewId) === set) held.delete(previewId);
    });
  }

  function connectDev(port: number): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const attempt = (i: number, firstError: NodeJS.ErrnoException | null) => {
        const socket = connect({ host: LOOPBACKS[i]!, port, allowHalfOpen: true });
        socket.once('connect', () => {
          socket.removeAllListeners('error');
          resolve(socket);
        });
        socket.once('error', (err: NodeJS.ErrnoException) => {
          socket.destroy();
          if (i + 1 < LOOPBACKS.length) attempt(i + 1, firstError ?? err);
          else reject(firstError?.code === 'ECONNREFUSED' ? firstError : err);
        });
      };
      attempt(0, null);
    });
  }

  /** Dials the tunnel endpoint; resolves with the upgraded socket, or null (an error report, or refused). */
  function dial(open: TunnelOpen, error: TunnelDialError | null): Promise<Socket | null> {
    const headers: Record<string, string> = {
      Connection: 'Upgrade',
      Upgrade: TUNNEL_UPGRADE,
      Authorization: `Bearer ${opts.token}`,
      [TUNNEL_STREAM_HEADER]: open.stream_id,
      [TUNNEL_SECRET_HEADER]: open.secret,
    };
    if (error !== null) headers[TUNNEL_ERROR_HEADER] = error;
    return new Promise((resolve) => {
      const req: ClientRequest = request(endpoint, { method: 'GET', headers, agent: false, timeout: dialTimeoutMs });
      req.once('upgrade', (_res: IncomingMessage, socket: Socket, head: Buffer) => {
        socket.setTimeout(0);
        socket.allowHalfOpen = true;
        if (head.length > 0) socket.unshift(head);
        resolve(socket);
      });
      req.once('response', (res: IncomingMessage) => {
        res.resume();
        if (error === null || res.statusCode !== 204) {
          log.warn({ status: res.statusCode, previewId: open.preview_id, streamId: open.stream_id }, 'the hub refused a tunnel stream');
        }
        resolve(null);
      });
      req.once('timeout', () => req.destroy(new Error(`the hub did not answer the tunnel dial within ${dialTimeoutMs} ms`)));
      req.once('error', (err) => {
        log.warn({ err, previewId: open.preview_id }, 'could not dial the hub for a tunnel stream');
        resolve(null);
      });
      req.end();
    });
  }

  async function serve(open: TunnelOpen): Promise<void> {
    if (!opts.isApproved(open.preview_id, open.port)) {
      log.warn({ previewId: open.preview_id, port: open.port }, 'tunnel stream refused: the port is not approved');
      await dial(open, 'port_not_approved');
      return;
    }
    if (sockets >= maxStreams * 2) {
      log.warn({ previewId: open.preview_id, streams: piping }, 'tunnel stream refused: too many streams');
      await dial(open, 'dial_failed');
      return;
    }
    let dev: Socket;
    try {
      dev = await connectDev(open.port);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      log.info({ previewId: open.preview_id, port: open.port, code }, 'the dev server did not accept a preview connection');
      await dial(open, code === 'ECONNREFUSED' ? 'connection_refused' : 'dial_failed');
      return;
    }
    dev.on('error', () => dev.destroy());
    // Revoked while connecting: closePreview could not reach this socket, it was not held yet.
    if (!opts.isApproved(open.preview_id, open.port)) {
      dev.destroy();
      await dial(open, 'port_not_approved');
      return;
    }
    hold(open.preview_id, dev);
    const hub = await dial(open, null);
    if (!hub || dev.destroyed) {
      dev.destroy();
      hub?.destroy();
      return;
    }
    hub.on('error', () => hub.destroy());
    hold(open.preview_id, hub);
    dev.setNoDelay(true);
    hub.setNoDelay(true);
    piping++;
    hub.once('close', () => piping--);
    splice(dev, hub);
    log.debug({ previewId: open.preview_id, port: open.port, streamId: open.stream_id }, 'tunnel stream open');
  }

  return {
    handle(open) {
      serve(open).catch((err: unknown) => log.error({ err, previewId: open.preview_id }, 'tunnel stream failed'));
    },
    closePreview(previewId) {
      for (const socket of held.get(previewId) ?? []) socket.destroy();
      held.delete(previewId);
    },
    closeAll() {
      for (const set of held.values()) for (const socket of set) socket.destroy();
      held.clear();
    },
    stats() {
      return { open: piping };
    },
  };
}
