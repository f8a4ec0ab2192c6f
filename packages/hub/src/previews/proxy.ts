// Forwarding one browser request or WebSocket upgrade to the dev server through the preview's
// tunnel streams. HTTP rides the link's keep-alive agent; bodies and responses are streamed both
// ways (chunked, SSE), never buffered. An upgrade takes a fresh stream, and once the dev server
// answers 101 the two sockets are spliced byte for byte (subprotocols and extensions are whatever
// the dev server answered). Header rules: headers.ts.

import { request, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { PilothouseError } from '@pilothouse/protocol';
import { splice } from '@pilothouse/protocol/node';
import { refuseSocket, sendError } from './error-page.js';
import { backwardResponseHeaders, forwardRequestHeaders, type ForwardContext } from './headers.js';
import type { PreviewLink } from './preview-link.js';

export interface ProxyTarget {
  link: PreviewLink;
  ctx: ForwardContext;
}

const IDEMPOTENT_WITHOUT_BODY = new Set(['GET', 'HEAD', 'OPTIONS']);

/** What a failed forward means to the browser: our own codes pass, anything else is the dev side. */
function upstreamError(err: unknown): PilothouseError {
  if (err instanceof PilothouseError) return err;
  const code = (err as { code?: string }).code;
  return new PilothouseError('upstream_refused', `The connection to the dev server failed${code ? ` (${code})` : ''}.`);
}

export function proxyRequest(req: IncomingMessage, res: ServerResponse, target: ProxyTarget): void {
  const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
  // A keep-alive stream the dev server closed just as it was reused fails with ECONNRESET before any
  // byte of answer; a request without a body is safe to send once more (RFC 9110 §9.2.2).
  const retries = !hasBody && IDEMPOTENT_WITHOUT_BODY.has(req.method ?? '') ? 1 : 0;
  forward(req, res, target, forwardRequestHeaders(req.rawHeaders, target.ctx, null), retries);
}

/** One attempt over the link's agent; `retries`: how many more a reset pooled stream may cost. */
function forward(req: IncomingMessage, res: ServerResponse, target: ProxyTarget, headers: string[], retries: number): void {
  const proxyReq = request({ agent: target.link.agent, host: 'localhost', port: target.ctx.port, method: req.method, path: req.url, headers, setHost: false });
  res.once('close', () => {
    if (!res.writableFinished) proxyReq.destroy(); // the browser went away
  });
  proxyReq.once('response', (proxyRes) => {
    const status = proxyRes.statusCode ?? 0;
    if (status < 100) {
      // The parser takes any three digits; ServerResponse.writeHead would throw on these.
      proxyReq.destroy();
      sendError(req, res, new PilothouseError('upstream_refused', `The dev server answered with status ${status}.`));
      return;
    }
    res.writeHead(status, reasonPhrase(proxyRes), backwardResponseHeaders(proxyRes.rawHeaders, target.ctx, false));
    // A stream's head (SSE, chunked) must not wait for its first event; a sized body follows at
    // once, and its head rides in the same write.
    if (proxyRes.headers['content-length'] === undefined) res.flushHeaders();
    proxyRes.pipe(res);
    proxyRes.once('error', () => res.destroy());
  });
  proxyReq.once('error', (err) => {
    if (res.destroyed) return;
    const code = (err as { code?: string }).code;
    if (retries > 0 && proxyReq.reusedSocket && (code === 'ECONNRESET' || code === 'EPIPE')) forward(req, res, target, headers, retries - 1);
    else sendError(req, res, upstreamError(err));
  });
  if (retries > 0) proxyReq.end();
  else req.pipe(proxyReq);
}

export function proxyUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, target: ProxyTarget): void {
  const upgrade = req.headers.upgrade ?? 'websocket';
  const headers = forwardRequestHeaders(req.rawHeaders, target.ctx, upgrade);
  (socket as Socket).setNoDelay?.(true);
  target.link.stream().then(
    (tunnel) => {
      if (socket.destroyed) {
        tunnel.destroy();
        return;
      }
      const proxyReq = request({
        createConnection: () => tunnel,
        host: 'localhost',
        port: target.ctx.port,
        method: req.method,
        path: req.url,
        headers,
        setHost: false,
      });
      const closeTunnel = () => tunnel.destroy();
      socket.once('close', closeTunnel);
      proxyReq.on('upgrade', (proxyRes, upstream, upstreamHead) => {
        socket.off('close', closeTunnel);
        socket.write(statusHead(proxyRes, backwardResponseHeaders(proxyRes.rawHeaders, target.ctx, true)));
        if (upstreamHead.length > 0) socket.write(upstreamHead);
        if (head.length > 0) upstream.write(head);
        splice(socket, upstream);
      });
      proxyReq.on('response', (proxyRes) => {
        // The dev server declined the upgrade: relay its answer as is, then close.
        socket.write(statusHead(proxyRes, [...backwardResponseHeaders(proxyRes.rawHeaders, target.ctx, false), 'Connection', 'close']));
        proxyRes.pipe(socket);
        proxyRes.once('end', closeTunnel);
      });
      proxyReq.on('error', (err) => {
        tunnel.destroy();
        refuseSocket(req, socket, upstreamError(err));
      });
      proxyReq.end();
    },
    (err: unknown) => refuseSocket(req, socket, upstreamError(err)),
  );
}

/**
 * The dev server's reason phrase when it is one Node may write (the parser lets control bytes
 * through that writeHead refuses with a throw), else the standard one.
 */
function reasonPhrase(res: IncomingMessage): string {
  const reason = res.statusMessage ?? '';
  return /^[\t\x20-\x7e\x80-\xff]*$/.test(reason) ? reason : (STATUS_CODES[res.statusCode ?? 0] ?? '');
}

function statusHead(res: IncomingMessage, headers: string[]): string {
  const status = res.statusCode ?? 502;
  const lines = [`HTTP/1.1 ${status} ${reasonPhrase(res)}`];
  for (let i = 0; i < headers.length; i += 2) lines.push(`${headers[i]}: ${headers[i + 1]}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}
