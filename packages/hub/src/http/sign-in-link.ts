// One-time sign-in links: `GET /api/sign-in?code=…` exchanges a single-use, short-lived code for
// the web UI's session cookie, then redirects (302) to the link's page, so the code leaves the
// address bar and the history. Only the code's SHA-256 digest is stored. A used, expired or
// unknown code gets a 401 page that says which, and what to do.

import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { PilothouseError } from '@pilothouse/protocol';
import type { Store } from '../store/store.js';
import { digest } from '../auth/secrets.js';
import { startSession } from '../auth/sessions.js';
import type { SignInGuard } from '../auth/sign-in-guard.js';

const SIGN_IN_PATH = '/api/sign-in';
/** How long a link works when nobody says otherwise. */
export const SIGN_IN_CODE_TTL_MS = 10 * 60 * 1000;
/** The same lifetime as a password sign-in (POST /api/login). */

// A path on this hub: one leading slash (`//host` would leave the origin), no backslash or spaces.
const LOCAL_PATH = /^\/(?![/\\])[^\s\\]*$/;
const CODE = /^[A-Za-z0-9_-]{20,100}$/;

export interface SignInLink {
  /** `/api/sign-in?code=…`: append it to the hub's URL. */
  readonly path: string;
  readonly expiresAt: Date;
}

/** Mints a code for `userId`; the link leads to `next` (a path on the hub, default `/`). */
export async function createSignInLink(store: Store, input: { userId: string; next?: string; ttlMs?: number; now?: Date }): Promise<SignInLink> {
  if (input.next !== undefined && !LOCAL_PATH.test(input.next)) throw new PilothouseError('invalid_payload', `"${input.next}" is not a path on the hub (it must start with a single /).`);
  const now = input.now ?? new Date();
  const code = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + (input.ttlMs ?? SIGN_IN_CODE_TTL_MS));
  await store.createSignInCode({ codeHash: digest(code), userId: input.userId, next: input.next ?? null, expiresAt }, now);
  return { path: `${SIGN_IN_PATH}?code=${code}`, expiresAt };
}

const REFUSALS = {
  unknown: 'This sign-in link is not valid. Check that it was copied whole.',
  used: 'This sign-in link was already used: each link signs in once.',
  expired: 'This sign-in link has expired: links work for a few minutes only.',
} as const;

function refusalPage(reason: keyof typeof REFUSALS): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Sign-in link refused · Pilothouse</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1f2328}code{background:#f3f4f6;padding:0 .25rem;border-radius:3px}</style></head>
<body><main role="alert" data-reason="${reason}"><h1>Sign-in link refused</h1><p>${REFUSALS[reason]}</p>
<p>Ask for a new link (an admin runs <code>pilothouse user link NAME</code>; <code>pilothouse demo</code> prints one when you press Enter in its terminal), or <a href="/">sign in with your name and password</a>.</p></main></body></html>
`;
}

/** The hub's fastify app (its logger is pino's). */
type App = FastifyInstance<Server, IncomingMessage, ServerResponse, Logger>;

export function registerSignInLink(app: App, deps: { store: Store; guard: SignInGuard; secure: (req: { raw: { socket: unknown }; headers: Record<string, string | string[] | undefined> }) => boolean; now?: () => Date }): void {
  const { store, guard } = deps;
  const now = deps.now ?? (() => new Date());
  app.get(SIGN_IN_PATH, async (req, reply) => {
    // Guessing codes from one address backs off like guessing passwords (sign-in-guard.ts).
    const attempt = { address: req.ip };
    guard.check(attempt);
    const raw = (req.query as Record<string, unknown> | undefined)?.code;
    const code = typeof raw === 'string' && CODE.test(raw) ? raw : null;
    const result = code === null ? ({ ok: false, reason: 'unknown' } as const) : await store.exchangeSignInCode(digest(code), now());
    // Neither the refusal nor the redirect may be cached or leak the code onwards.
    void reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
    if (!result.ok) {
      await guard.refused(attempt, 'sign_in_link_refused', { reason: result.reason, address: req.ip });
      return reply
        .status(401)
        .type('text/html; charset=utf-8')
        .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
        .header('x-content-type-options', 'nosniff')
        .send(refusalPage(result.reason));
    }
    void reply.header('set-cookie', await startSession(store, result.userId, now(), deps.secure(req)));
    return reply.redirect(result.next !== null && LOCAL_PATH.test(result.next) ? result.next : '/', 302);
  });
}
