// The tunnel endpoint (`GET TUNNEL_PATH`, `Upgrade: TUNNEL_UPGRADE`, hub host only): the runner
// answers a `tunnel_open` directive by dialing here with its API token and the stream's id and
// secret. A match gets `101 Switching Protocols` and the raw socket goes to the waiting proxy; a
// dial that reports an error (TUNNEL_ERROR_HEADER) fails the waiting request. Anything else is
// answered with its status and closed; no pending stream is disturbed by a wrong guess.

import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import {
  PilothouseError,
  toPilothouseError,
  TUNNEL_ERROR_HEADER,
  TUNNEL_SECRET_HEADER,
  TUNNEL_STREAM_HEADER,
  TUNNEL_UPGRADE,
  TunnelDialError,
} from '@pilothouse/protocol';
import type { Logger } from 'pino';
import { httpStatus } from '../http/errors.js';
import { refuseUpgrade } from '../socket/handshake.js';
import type { Authenticate } from '../socket/types.js';
import type { StreamBroker } from './streams.js';

const header = (req: IncomingMessage, name: string): string | null => {
  const v = req.headers[name];
  return typeof v === 'string' && v !== '' ? v : null;
};

function dialError(value: string, port: number): PilothouseError {
  const parsed = TunnelDialError.safeParse(value);
  const kind = parsed.success ? parsed.data : 'dial_failed';
  switch (kind) {
    case 'port_not_approved':
      return new PilothouseError('forbidden', `The runner no longer serves port ${port}: it is not approved.`);
    case 'connection_refused':
      return new PilothouseError('upstream_refused', `Nothing accepts connections on port ${port} of the runner's machine (is the dev server running?).`);
    case 'dial_failed':
      return new PilothouseError('upstream_refused', `The runner could not connect to port ${port}.`);
  }
}

export function createTunnelEndpoint(deps: { authenticate: Authenticate; broker: StreamBroker; logger: Logger }) {
  const { broker, logger } = deps;

  const refuse = (socket: Duplex, err: PilothouseError) => {
    logger.warn({ code: err.code }, `tunnel dial refused: ${err.message}`);
    const status = httpStatus[err.code];
    refuseUpgrade(socket, [status, STATUS_CODES[status] ?? ''], err.toBody());
  };

  async function accept(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    if ((req.headers.upgrade ?? '').toLowerCase() !== TUNNEL_UPGRADE) throw new PilothouseError('bad_request', `The tunnel endpoint speaks Upgrade: ${TUNNEL_UPGRADE}.`);
    const principal = await deps.authenticate(req);
    if (principal.via !== 'token') throw new PilothouseError('unauthorized', 'A tunnel is dialed with the runner\'s API token.');
    if (principal.scope !== 'runner') throw new PilothouseError('runner_token_required', 'A tunnel is dialed with a runner-scoped token; this one is scoped member.');
    const streamId = header(req, TUNNEL_STREAM_HEADER);
    const secret = header(req, TUNNEL_SECRET_HEADER);
    if (streamId === null || secret === null) throw new PilothouseError('bad_request', `${TUNNEL_STREAM_HEADER} and ${TUNNEL_SECRET_HEADER} are required.`);
    const claim = broker.claim(streamId, principal.userId, secret);
    switch (claim.type) {
      case 'unknown':
        throw new PilothouseError('not_found', 'No stream is waiting with that id (it expired or was used).');
      case 'not_owner':
        throw new PilothouseError('forbidden', 'The stream belongs to another runner.');
      case 'bad_secret':
        throw new PilothouseError('unauthorized', 'Wrong stream secret.');
      case 'claimed':
        break;
    }
    if (socket.destroyed) {
      claim.settle.reject(new PilothouseError('preview_unavailable', 'The runner\'s stream closed while it was being opened.'));
      return;
    }
    const error = header(req, TUNNEL_ERROR_HEADER);
    if (error !== null) {
      claim.settle.reject(dialError(error, claim.port));
      socket.once('finish', () => socket.destroy());
      socket.end('HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n');
      return;
    }
    (socket as Socket).setNoDelay?.(true);
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: ${TUNNEL_UPGRADE}\r\n\r\n`);
    if (head.length > 0) socket.unshift(head);
    claim.settle.resolve(socket);
  }

  return {
    /** Handles an upgrade already routed to TUNNEL_PATH on the hub host. Never throws. */
    handleUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
      // Node removes its own listeners from an upgraded socket; a reset must not become an
      // unhandled 'error'. The listener stays: whoever uses the stream sees the close as well.
      socket.on('error', () => socket.destroy());
      accept(req, socket, head).catch((err: unknown) => refuse(socket, toPilothouseError(err)));
    },
  };
}
