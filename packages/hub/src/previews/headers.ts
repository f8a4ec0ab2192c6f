// Header rules of the preview proxy, on raw header lists (`[name, value, name, value, …]`, as
// IncomingMessage.rawHeaders) so that case, order and repeats survive. Pure.
// - RFC 9110 §7.6.1: hop-by-hop fields (Connection, the fields it names, Keep-Alive, TE,
//   Transfer-Encoding, Upgrade, Proxy-Connection) are not forwarded; an upgrade re-states its own.
// - RFC 9110 §7.2: the dev server is addressed as `localhost:<port>`, the Host it was started for.
// - RFC 6454: the browser's Origin is the preview's; the dev server sees its own origin instead,
//   only when the request really came from the preview page (other origins pass untouched).
// - RFC 7239 §5 (de-facto X-Forwarded-*): where the request came from.
// - RFC 6265: cookies pass only as the preview's cookie scope says (cookie-scope.ts): the hub's
//   cookies and cookies the dev server did not set never reach it, and it can neither overwrite
//   the preview cookie nor widen a cookie's scope beyond the preview host (Domain).

import { PREVIEW_COOKIE } from '@pilothouse/protocol';
import type { CookieScope } from './cookie-scope.js';

export interface ForwardContext {
  /** The dev server's port on the runner's machine. */
  port: number;
  /** This preview's origin, e.g. `http://abc123de.preview.localhost:4860`. */
  previewOrigin: string;
  previewScheme: 'http' | 'https';
  /** The browser's address (socket.remoteAddress). */
  clientAddress: string | undefined;
  /** This preview's cookie rules. */
  cookies: CookieScope;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'transfer-encoding', 'upgrade', 'trailer']);

/** Lower-case field names listed in any Connection header (RFC 9110 §7.6.1). */
function connectionOptions(raw: readonly string[]): Set<string> {
  const names = new Set<string>();
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length !== 10 || name.toLowerCase() !== 'connection') continue;
    for (const token of raw[i + 1]!.split(',')) names.add(token.trim().toLowerCase());
  }
  return names;
}

/** Every value of the preview cookie in a Cookie header (a browser may send more than one). */
export function previewCookieValues(header: string | undefined): string[] {
  const values: string[] = [];
  for (const pair of (header ?? '').split(';')) {
    const eq = pair.indexOf('=');
    if (eq > 0 && pair.slice(0, eq).trim() === PREVIEW_COOKIE) values.push(pair.slice(eq + 1).trim());
  }
  return values;
}

/** The request headers the dev server receives. `upgrade`: the value of the Upgrade header to keep. */
export function forwardRequestHeaders(raw: readonly string[], ctx: ForwardContext, upgrade: string | null): string[] {
  const drop = connectionOptions(raw);
  const out: string[] = ['Host', `localhost:${ctx.port}`];
  const forwardedFor: string[] = [];
  let host = '';
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const value = raw[i + 1]!;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || drop.has(lower)) continue;
    switch (lower) {
      case 'host':
        host = value;
        continue;
      case 'expect': // Node's server already answered 100-continue; the body is on its way
      case 'x-forwarded-host':
      case 'x-forwarded-proto':
        continue;
      case 'x-forwarded-for':
        forwardedFor.push(value);
        continue;
      case 'cookie': {
        const kept = ctx.cookies.inbound(value);
        if (kept !== null) out.push(name, kept);
        continue;
      }
      case 'origin':
        out.push(name, value === ctx.previewOrigin ? `http://localhost:${ctx.port}` : value);
        continue;
      default:
        out.push(name, value);
    }
  }
  if (ctx.clientAddress !== undefined) forwardedFor.push(ctx.clientAddress);
  if (forwardedFor.length > 0) out.push('X-Forwarded-For', forwardedFor.join(', '));
  out.push('X-Forwarded-Host', host, 'X-Forwarded-Proto', ctx.previewScheme);
  if (upgrade !== null) out.push('Connection', 'Upgrade', 'Upgrade', upgrade);
  return out;
}

/** A Location that points at the dev server itself points at the preview instead. */
export function rewriteLocation(value: string, ctx: Pick<ForwardContext, 'port' | 'previewOrigin'>): string {
  for (const host of ['localhost', '127.0.0.1', '[::1]']) {
    const self = `http://${host}:${ctx.port}`;
    if (value === self || value.startsWith(`${self}/`) || value.startsWith(`${self}?`)) return ctx.previewOrigin + value.slice(self.length);
  }
  return value;
}

/** The response headers the browser receives. `upgrade`: a 101, whose Connection/Upgrade must stay. */
export function backwardResponseHeaders(raw: readonly string[], ctx: Pick<ForwardContext, 'port' | 'previewOrigin' | 'cookies'>, upgrade: boolean): string[] {
  const drop = connectionOptions(raw);
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const value = raw[i + 1]!;
    const lower = name.toLowerCase();
    if (upgrade && (lower === 'connection' || lower === 'upgrade')) {
      out.push(name, value);
      continue;
    }
    if (HOP_BY_HOP.has(lower) || drop.has(lower)) continue;
    if (lower === 'set-cookie') {
      const scoped = ctx.cookies.outbound(value);
      if (scoped !== null) out.push(name, scoped);
    } else if (lower === 'location') {
      out.push(name, rewriteLocation(value, ctx));
    } else {
      out.push(name, value);
    }
  }
  return out;
}
