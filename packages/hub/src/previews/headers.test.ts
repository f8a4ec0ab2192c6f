import { describe, expect, it } from 'vitest';
import { CookieScopes } from './cookie-scope.js';
import { backwardResponseHeaders, forwardRequestHeaders, previewCookieValues } from './headers.js';

const ctx = { port: 5173, previewOrigin: 'http://abc12345.preview.localhost:4860', previewScheme: 'http' as const, clientAddress: '10.0.0.9', cookies: new CookieScopes().of('abc12345', 'browser-1') };
// the dev server set these two: they pass back; the hub's cookies never do
ctx.cookies.outbound('a=1');
ctx.cookies.outbound('b=2');

describe('preview proxy headers', () => {
  it('request: Host, hop-by-hop, hub cookies, Origin, X-Forwarded-*', () => {
    const raw = [
      'Host', 'abc12345.preview.localhost:4860',
      'Connection', 'keep-alive, X-Private',
      'X-Private', 'drop me',
      'Keep-Alive', 'timeout=5',
      'TE', 'trailers',
      'Expect', '100-continue',
      'Cookie', 'a=1; pilothouse_preview=secret; ph_session=hub; b=2',
      'Cookie', 'pilothouse_preview=other',
      'Origin', 'http://abc12345.preview.localhost:4860',
      'X-Forwarded-For', '1.2.3.4',
      'X-Forwarded-Host', 'spoofed',
      'Accept', 'text/html',
    ];
    expect(forwardRequestHeaders(raw, ctx, null)).toEqual([
      'Host', 'localhost:5173',
      'Cookie', 'a=1; b=2',
      'Origin', 'http://localhost:5173',
      'Accept', 'text/html',
      'X-Forwarded-For', '1.2.3.4, 10.0.0.9',
      'X-Forwarded-Host', 'abc12345.preview.localhost:4860',
      'X-Forwarded-Proto', 'http',
    ]);
  });

  it('request: an upgrade keeps its Upgrade and Sec-WebSocket-* fields; a foreign Origin passes', () => {
    const raw = ['Host', 'h', 'Connection', 'Upgrade', 'Upgrade', 'websocket', 'Sec-WebSocket-Protocol', 'vite-hmr', 'Sec-WebSocket-Key', 'k', 'Origin', 'http://elsewhere.example'];
    expect(forwardRequestHeaders(raw, { ...ctx, clientAddress: undefined }, 'websocket')).toEqual([
      'Host', 'localhost:5173',
      'Sec-WebSocket-Protocol', 'vite-hmr',
      'Sec-WebSocket-Key', 'k',
      'Origin', 'http://elsewhere.example',
      'X-Forwarded-Host', 'h',
      'X-Forwarded-Proto', 'http',
      'Connection', 'Upgrade',
      'Upgrade', 'websocket',
    ]);
  });

  it('response: hop-by-hop out, Set-Cookie scoped to the preview host, Location to itself rewritten', () => {
    const raw = [
      'Content-Type', 'text/html',
      'Transfer-Encoding', 'chunked',
      'Connection', 'keep-alive',
      'Keep-Alive', 'timeout=5',
      'Set-Cookie', 'pilothouse_preview=overwrite; Path=/',
      'Set-Cookie', 'sid=1; Domain=localhost; Path=/',
      'Set-Cookie', 'x=2',
      'Location', 'http://localhost:5173/next?a=1',
    ];
    expect(backwardResponseHeaders(raw, ctx, false)).toEqual([
      'Content-Type', 'text/html',
      'Set-Cookie', 'sid=1; Path=/',
      'Set-Cookie', 'x=2',
      'Location', 'http://abc12345.preview.localhost:4860/next?a=1',
    ]);
    expect(backwardResponseHeaders(['Location', 'http://localhost:51730/x', 'Location', 'https://example.com/'], ctx, false)).toEqual(['Location', 'http://localhost:51730/x', 'Location', 'https://example.com/']);
    expect(backwardResponseHeaders(['Upgrade', 'websocket', 'Connection', 'Upgrade', 'Sec-WebSocket-Protocol', 'vite-hmr'], ctx, true)).toEqual(['Upgrade', 'websocket', 'Connection', 'Upgrade', 'Sec-WebSocket-Protocol', 'vite-hmr']);
  });

  it('cookie helpers', () => {
    expect(previewCookieValues('a=1; pilothouse_preview=t1; pilothouse_preview=t2')).toEqual(['t1', 't2']);
    expect(previewCookieValues(undefined)).toEqual([]);
  });
});
