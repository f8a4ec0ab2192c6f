// The preview proxy's one place where an error becomes a response: a small self-contained HTML
// page (no external resources, nothing the preview origin could script against) or `{code,
// message}` JSON when the request accepts JSON; as a ServerResponse or, for a refused upgrade,
// written straight onto the raw socket. Statuses come from http/errors.ts like every hub error.

import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { PilothouseError } from '@pilothouse/protocol';
import { httpStatus } from '../http/errors.js';

const TITLES: Partial<Record<PilothouseError['code'], string>> = {
  preview_not_found: 'No such preview',
  preview_closed: 'This preview was closed',
  preview_unavailable: 'This preview is unavailable',
  upstream_refused: 'The dev server did not answer',
  grant_invalid: 'Open this preview from its thread',
  forbidden: 'Not allowed',
};

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function render(req: IncomingMessage, err: PilothouseError): { status: number; headers: Record<string, string>; body: string } {
  const status = httpStatus[err.code];
  const wantsJson = /\bjson\b/i.test(req.headers.accept ?? '') && !/text\/html/i.test(req.headers.accept ?? '');
  const common = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' };
  if (wantsJson) {
    return { status, headers: { ...common, 'Content-Type': 'application/json; charset=utf-8' }, body: JSON.stringify(err.toBody()) };
  }
  const title = TITLES[err.code] ?? STATUS_CODES[status] ?? 'Error';
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${status} ${escapeHtml(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;margin:15vh auto;max-width:36em;padding:0 1em;color:#222}code{background:#eee;padding:.1em .3em;border-radius:3px}</style>
</head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(err.message)}</p><p><small>Pilothouse preview · ${status} · <code>${err.code}</code></small></p></body></html>
`;
  return {
    status,
    headers: { ...common, 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'" },
    body,
  };
}

export function sendError(req: IncomingMessage, res: ServerResponse, err: PilothouseError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const page = render(req, err);
  res.writeHead(page.status, { ...page.headers, 'Content-Length': Buffer.byteLength(page.body) });
  res.end(req.method === 'HEAD' ? undefined : page.body);
}

/** Answers a refused upgrade on the raw socket and closes it. */
export function refuseSocket(req: IncomingMessage, socket: Duplex, err: PilothouseError): void {
  if (socket.destroyed) return;
  const page = render(req, err);
  const head = [`HTTP/1.1 ${page.status} ${STATUS_CODES[page.status] ?? ''}`, 'Connection: close', `Content-Length: ${Buffer.byteLength(page.body)}`];
  for (const [name, value] of Object.entries(page.headers)) head.push(`${name}: ${value}`);
  socket.once('finish', () => socket.destroy());
  socket.end(`${head.join('\r\n')}\r\n\r\n${page.body}`);
}
