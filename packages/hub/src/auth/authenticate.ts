// Who is calling: an API token (socket query `token`, the phoenix client's `authToken`
// subprotocol, or an HTTP `Authorization: Bearer`) or the web's session cookie.

import type { IncomingMessage } from 'node:http';
import { PilothouseError, toPilothouseError } from '@pilothouse/protocol';
import type { Store, TokenInfo, User } from '../store/store.js';
import { TOKEN_TOUCH_MS } from '../store/identity.js';
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


const principal = (user: User, via: Principal['via'], scope: Principal['scope'], tokenId: string | null = null, sessionHash: string | null = null): Principal => ({
  userId: user.id,
  name: user.name,
  admin: user.admin,
  via,
  scope,
  tokenId,
  sessionHash,
});

/** Refuses an expired or revoked token, saying which (the secret itself is never echoed). */
function checkToken(token: TokenInfo, now: Date): void {
  if (token.revoked_at !== null) {
    throw new PilothouseError('unauthorized', `The token ${token.id} was revoked at ${token.revoked_at}; ask an admin for a new one (pilothouse token create).`);
  }
  if (token.expires_at !== null && token.expires_at <= now.toISOString()) {
    throw new PilothouseError('unauthorized', `The token ${token.id} expired at ${token.expires_at}; ask an admin for a new one (pilothouse token create).`);
  }
}

/** Why a token no longer authenticates (revoked, expired, deleted), or null while it does: for sockets opened with it. */
export async function tokenRefusal(store: Store, tokenId: string, now: Date = new Date()): Promise<PilothouseError | null> {
  const token = await store.tokenById(tokenId);
  if (!token) return new PilothouseError('unauthorized', `The token ${tokenId} no longer exists.`);
  try {
    checkToken(token, now);
    return null;
  } catch (err) {
    return toPilothouseError(err);
  }
}

/**
 * Why the credential a socket was opened with no longer authenticates (token revoked, expired or
 * deleted; session signed out or expired), or null while it does. A socket outlives its upgrade:
 * every join and every periodic re-check asks this, so a dead credential can neither keep its joins
 * nor join again on the same connection.
 */
export async function credentialRefusal(store: Store, who: Pick<Principal, 'userId' | 'tokenId' | 'sessionHash'>, now: Date = new Date()): Promise<PilothouseError | null> {
  if (who.tokenId !== null) return tokenRefusal(store, who.tokenId, now);
  if (who.sessionHash) {
    const user = await store.userBySessionHash(who.sessionHash, now);
    return user && user.id === who.userId ? null : new PilothouseError('unauthorized', 'The session was signed out or expired; sign in again.');
  }
  return null;
}

export function createAuthenticator(store: Store): { authenticate: (req: IncomingMessage) => Promise<Principal>; sessionId: (req: IncomingMessage) => string | null } {
  const sessionId = (req: IncomingMessage) => parseCookies(req.headers.cookie).get(SESSION_COOKIE) ?? null;
  return {
    sessionId,
    async authenticate(req) {
      const token = tokenFromRequest(req);
      if (token !== null) {
        const found = await store.tokenByHash(digest(token));
        if (!found) throw new PilothouseError('unauthorized', 'The token is not valid.');
        const now = new Date();
        checkToken(found.token, now);
        // At most one write a minute per token: skipped here while the stored last use is recent.
        const lastUsed = found.token.last_used_at === null ? 0 : Date.parse(found.token.last_used_at);
        if (now.getTime() - lastUsed >= TOKEN_TOUCH_MS) await store.touchToken(found.token.id, now);
        return principal(found.user, 'token', found.token.scope, found.token.id);
      }
      const sid = sessionId(req);
      if (sid !== null) {
        // A cookie rides along on cross-site requests too: a browser socket must come from our own origin.
        const origin = req.headers.origin;
        if (origin !== undefined && originHost(origin) !== req.headers.host) {
          throw new PilothouseError('unauthorized', 'Cross-origin use of the session cookie is refused.');
        }
        const sessionHash = digest(sid);
        const user = await store.userBySessionHash(sessionHash, new Date());
        if (!user) throw new PilothouseError('unauthorized', 'The session expired; sign in again.');
        return principal(user, 'session', 'member', null, sessionHash);
      }
      throw new PilothouseError('unauthorized', 'No credentials: pass ?token=… or sign in.');
    },
  };
}
