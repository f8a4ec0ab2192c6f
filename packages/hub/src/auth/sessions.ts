// The web's sign-in session: a random id in an HttpOnly cookie, only its digest in the store.
// One place for its lifetime and cookie attributes (password sign-in and one-time links share it).

import type { Store } from '../store/store.js';
import { SESSION_COOKIE } from './authenticate.js';
import { digest, newSessionId } from './secrets.js';

export const SESSION_TTL_MS = 30 * 24 * 3600 * 1000;

/** Stores a new session for `userId`; returns the Set-Cookie value that carries it. */
export async function startSession(store: Store, userId: string, now: Date = new Date()): Promise<string> {
  const sid = newSessionId();
  await store.createSession({ userId, sessionHash: digest(sid), expiresAt: new Date(now.getTime() + SESSION_TTL_MS) });
  return `${SESSION_COOKIE}=${sid}; HttpOnly; SameSite=Lax; Path=/; Max-Age=${SESSION_TTL_MS / 1000}`;
}

/** The Set-Cookie value that clears the session cookie. */
export const CLEARED_SESSION_COOKIE = `${SESSION_COOKIE}=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0`;
