// The web's sign-in session: a random id in an HttpOnly cookie, only its digest in the store.
// One place for its lifetime and cookie attributes (password sign-in and one-time links share it).

import type { Store } from '../store/store.js';
import { SESSION_COOKIE } from './authenticate.js';
import { digest, newSessionId } from './secrets.js';

export const SESSION_TTL_MS = 30 * 24 * 3600 * 1000;

/**
 * Stores a new session for `userId`; returns the Set-Cookie value that carries it. `secure`: the
 * browser reached the hub over https (directly, or through a trusted proxy): the cookie gets
 * `Secure` so that it is never sent over plain http (RFC 6265 §4.1.2.5).
 */
export async function startSession(store: Store, userId: string, now: Date = new Date(), secure = false): Promise<string> {
  const sid = newSessionId();
  await store.createSession({ userId, sessionHash: digest(sid), expiresAt: new Date(now.getTime() + SESSION_TTL_MS) });
  return `${SESSION_COOKIE}=${sid}; HttpOnly; SameSite=Lax; Path=/; Max-Age=${SESSION_TTL_MS / 1000}${secure ? '; Secure' : ''}`;
}

/** The Set-Cookie value that clears the session cookie. */
export const clearedSessionCookie = (secure = false): string => `${SESSION_COOKIE}=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0${secure ? '; Secure' : ''}`;
