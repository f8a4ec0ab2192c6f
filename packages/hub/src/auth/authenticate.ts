// Who is calling: an API token (socket query `token`, the phoenix client's `authToken`
// subprotocol, or an HTTP `Authorization: Bearer`) or the web's session cookie.

import type { IncomingMessage } from 'node:http';
import { PilothouseError } from '@pilothouse/protocol';
import type { Store, User } from '../store/store.js';
import type { Principal } from '../socket/types.js';
import { digest } from './secrets.js';

export const SESSION_COOKIE = 'ph_session';
const PHX_TOKEN_PREFIX = 'base64url.bearer.phx.';

export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    // A value that is not valid percent-encoding (`ph_session=%`) is ignored, as RFC 6265 §5.4 lets a client's junk be.
    const value = decodePercent(part.slice(eq + 1).trim());
    if (value !== null) out.set(part.slice(0, eq).trim(), value);
  }
  return out;
}

function decodePercent(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null; // URIError: a stray `%`; the caller skips the pair
  }
}

function tokenFromRequest(req: IncomingMessage): string | null {
  const url = new URL(req.url ?? '/', 'http://hub');
  const q = url.searchParams.get('token');
  if (q) return q;
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice('Bearer '.length).trim();
  const protocols = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
  const phx = protocols.find((p) => p.startsWith(PHX_TOKEN_PREFIX));
  if (phx) return Buffer.from(phx.slice(PHX_TOKEN_PREFIX.length), 'base64url').toString('utf8');
  return null;
}

const originHost = (origin: string): string | null => {
  try {
    return new URL(origin).host;
  } catch {
    return null; // `Origin: null` (sandboxed frames, file://) never matches
  }
};

/** True when a browser says the request comes from another origin than the Host it was sent to (`Origin: null` included). */
export function isCrossOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  return origin !== undefined && originHost(origin) !== req.headers.host;
}

const principal = (user: User, via: Principal['via']): Principal => ({ userId: user.id, name: user.name, admin: user.admin, via });

export function createAuthenticator(store: Store): { authenticate: (req: IncomingMessage) => Promise<Principal>; sessionId: (req: IncomingMessage) => string | null } {
  const sessionId = (req: IncomingMessage) => parseCookies(req.headers.cookie).get(SESSION_COOKIE) ?? null;
  return {
    sessionId,
    async authenticate(req) {
      const token = tokenFromRequest(req);
      if (token !== null) {
        const user = await store.userByTokenHash(digest(token));
        if (!user) throw new PilothouseError('unauthorized', 'The token is not valid.');
        return principal(user, 'token');
      }
      const sid = sessionId(req);
      if (sid !== null) {
        // A cookie rides along on cross-site requests too: a browser socket must come from our own origin.
        const origin = req.headers.origin;
        if (origin !== undefined && originHost(origin) !== req.headers.host) {
          throw new PilothouseError('unauthorized', 'Cross-origin use of the session cookie is refused.');
        }
        const user = await store.userBySessionHash(digest(sid), new Date());
        if (!user) throw new PilothouseError('unauthorized', 'The session expired; sign in again.');
        return principal(user, 'session');
      }
      throw new PilothouseError('unauthorized', 'No credentials: pass ?token=… or sign in.');
    },
  };
}
