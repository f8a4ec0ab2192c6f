// Serves the built web UI (packages/web/dist) from the hub's own origin, so the page's socket
// carries the session cookie with a matching Origin. Files go through @fastify/static (no path
// traversal or dotfiles, content types, ETag and Last-Modified; hashed assets are immutable, the
// fixed-name files of the installable app (sw.js, manifest, icons) revalidate); any other GET that names an app
// address (not /api, /socket, /healthz, nor a file) gets index.html, and the page routes itself.
// Agent output is untrusted: the page is sent with a strict Content-Security-Policy as a second
// line behind its sanitiser.

import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { FastifyStaticOptions } from '@fastify/static';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** 'self' covers the page's own ws:// origin too (CSP Level 3). Inline style attributes carry ANSI colours. */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  // No remote images: agent output is untrusted, and an image URL would tell a third party who reads the thread.
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE_HEADERS = {
  'content-security-policy': CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  // The page names its hashed assets: always revalidate it, so a new build shows at once.
  'cache-control': 'no-cache',
};

/** Vite puts content-hashed files under /assets/: they never change under one name. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * Files under fixed names (the service worker /sw.js, /theme.js, the manifest, icons): revalidated
 * on every use (ETag), so a new build reaches the browser at once. A long-cached /sw.js would keep
 * an old worker, and with it an old app shell, alive.
 */
const REVALIDATE = 'no-cache';

/**
 * Whether an error is @fastify/static refusing a path that climbs out of the root (`..`, `..\\`):
 * its own FST_STATIC_FORBIDDEN_PATH, or @fastify/send's 403 ForbiddenError. Answered as a missing file.
 */
export function isForbiddenStaticPath(err: unknown): boolean {
  const e = err as { code?: string; name?: string; statusCode?: number } | null;
  return e?.code === 'FST_STATIC_FORBIDDEN_PATH' || (e?.name === 'ForbiddenError' && e.statusCode === 403);
}

/** Paths that belong to the API and the socket: never answered with the page. */
const RESERVED = /^\/(api|socket|healthz)(\/|$)/;

export interface WebUi {
  /** Options for @fastify/static, or null when there is no build to serve. */
  readonly files: FastifyStaticOptions | null;
  /** Answers an unmatched request with the page when it names an app address; false otherwise. */
  serveApp(req: FastifyRequest, reply: FastifyReply): boolean;
}

/** True for GET/HEAD of a path the page routes itself: not reserved, and not a file name. */
export function isAppPath(method: string, url: string): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  const path = url.split('?')[0] ?? '/';
  if (RESERVED.test(path)) return false;
  const last = path.slice(path.lastIndexOf('/') + 1);
  return !last.includes('.');
}

export function webUi(root: string | null): WebUi {
  if (root === null || !existsSync(join(root, 'index.html'))) {
    return {
      files: null,
      serveApp(req, reply) {
        if (!isAppPath(req.method, req.url)) return false;
        void reply
          .status(503)
          .type('text/html; charset=utf-8')
          .header('cache-control', 'no-store')
          .send('<!doctype html><title>Pilothouse</title><p>The web UI is not built. Run <code>npm run build</code> and reload.</p>');
        return true;
      },
    };
  }
  const assets = join(root, 'assets');
  return {
    files: {
      root,
      prefix: '/',
      index: ['index.html'],
      // Our cache-control below, not send's default max-age=0.
      cacheControl: false,
      // @fastify/static 9 (pinned: 10 needs Node 22) hands over the response's setHeader only.
      setHeaders(res, path) {
        const headers = basename(path) === 'index.html' ? PAGE_HEADERS
          : path.startsWith(assets) ? { 'cache-control': IMMUTABLE }
          : { 'cache-control': REVALIDATE, 'x-content-type-options': 'nosniff' };
        for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
      },
    },
    serveApp(req, reply) {
      if (!isAppPath(req.method, req.url)) return false;
      void reply.sendFile('index.html');
      return true;
    },
  };
}
