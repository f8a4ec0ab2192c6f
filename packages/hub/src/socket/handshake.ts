// The HTTP side of the WebSocket upgrade (RFC 6455 §4): which requests may upgrade, which
// subprotocol is selected, and how a refused upgrade is answered on the raw socket, since an
// upgrade request never reaches the HTTP framework's reply machinery.

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { PilothouseError, type ErrorBody, type ErrorCode } from '@pilothouse/protocol';

/** The only serializer the hub speaks: Phoenix V2 JSON arrays. */
export const PHOENIX_VSN = '2.0.0';

/** The subprotocol the phoenix client offers next to its `base64url.bearer.phx.<token>` entry. */
export const PHOENIX_SUBPROTOCOL = 'phoenix';

/** Throws bad_request unless the query asks for `vsn=2.0.0` (the client always sends `vsn`). */
export function checkVsn(req: IncomingMessage): void {
  const vsn = new URL(req.url ?? '/', 'http://localhost').searchParams.get('vsn');
  if (vsn !== PHOENIX_VSN) {
    throw new PilothouseError(
      'bad_request',
      vsn === null ? `The query must carry vsn=${PHOENIX_VSN}.` : `Unsupported vsn ${vsn}; the hub speaks ${PHOENIX_VSN}.`,
    );
  }
}

/**
 * `ws`'s handleProtocols: select "phoenix" when offered. The token entry is never echoed back;
 * reading it is the Authenticate callback's job. Offering only other protocols selects none.
 */
export function selectProtocol(offered: Set<string>): string | false {
  return offered.has(PHOENIX_SUBPROTOCOL) ? PHOENIX_SUBPROTOCOL : false;
}

/** The HTTP status for each code an upgrade can be refused with; anything else is a 500. */
const STATUS: Partial<Record<ErrorCode, [number, string]>> = {
  bad_request: [400, 'Bad Request'],
  unauthorized: [401, 'Unauthorized'],
  forbidden: [403, 'Forbidden'],
  too_many_sockets: [429, 'Too Many Requests'],
  host_not_allowed: [421, 'Misdirected Request'],
  rate_limited: [429, 'Too Many Requests'],
};
const INTERNAL: [number, string] = [500, 'Internal Server Error'];
export const UNAVAILABLE: [number, string] = [503, 'Service Unavailable'];

export function statusFor(code: ErrorCode): [number, string] {
  return STATUS[code] ?? INTERNAL;
}

/** Answers the upgrade with a plain HTTP response carrying `{code, message}` and closes the connection. */
export function refuseUpgrade(socket: Duplex, [status, text]: [number, string], body: ErrorBody, extraHeaders: readonly string[] = []): void {
  if (socket.destroyed) return;
  const json = JSON.stringify(body);
  const head = [
    `HTTP/1.1 ${status} ${text}`,
    'Connection: close',
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(json)}`,
    ...extraHeaders,
  ];
  socket.once('finish', () => socket.destroy());
  socket.end(`${head.join('\r\n')}\r\n\r\n${json}`);
}
