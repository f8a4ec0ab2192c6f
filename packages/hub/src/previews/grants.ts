// Access to a preview origin: a signed-in member asks the hub for a one-time code (single use,
// short-lived), the preview host exchanges it for an HttpOnly cookie token bound to (preview, user).
// Both are 256-bit random values kept only as SHA-256 digests, in memory, bounded, expiring, and
// revoked with their preview. Pure apart from randomness; time comes from the injected clock.

import { randomBytes } from 'node:crypto';
import { digest } from '../auth/secrets.js';

export interface Clock {
  now(): number;
}

export interface GrantLimits {
  codeTtlMs: number;
  cookieTtlMs: number;
  maxCodes: number;
  maxCookies: number;
  maxCookiesPerPreview: number;
  /**
   * Cookies one user keeps per preview, and codes one user has outstanding (oldest of theirs out
   * first): one member signing in over and over pushes out only their own, never another's.
   */
  maxPerUser: number;
}

export const DEFAULT_GRANT_LIMITS: GrantLimits = {
  codeTtlMs: 60_000,
  cookieTtlMs: 12 * 3600_000,
  maxCodes: 10_000,
  maxCookies: 100_000,
  maxCookiesPerPreview: 1000,
  maxPerUser: 16,
};

/** The credential a grant was asked for with (an API token or a browser session); null for neither. */
export interface GrantCredential {
  tokenId: string | null;
  sessionHash: string | null;
}

interface Grant {
  previewId: string;
  userId: string;
  credential: GrantCredential;
  expiresAt: number;
}

const NO_CREDENTIAL: GrantCredential = { tokenId: null, sessionHash: null };

const newSecret = () => randomBytes(32).toString('base64url');

export class PreviewGrants {
  readonly #clock: Clock;
  readonly #limits: GrantLimits;
  /** digest(code) → grant; insertion order is age order. */
  readonly #codes = new Map<string, Grant>();
  /** digest(cookie token) → grant. */
  readonly #cookies = new Map<string, Grant>();
  readonly #cookiesByPreview = new Map<string, Set<string>>();
  #cookiesSweptAt = 0;

  constructor(clock: Clock, limits: GrantLimits = DEFAULT_GRANT_LIMITS) {
    this.#clock = clock;
    this.#limits = limits;
  }

  get cookieMaxAgeSeconds(): number {
    return Math.floor(this.#limits.cookieTtlMs / 1000);
  }

  issueCode(previewId: string, userId: string, credential: GrantCredential = NO_CREDENTIAL): { code: string; expiresAt: Date } {
    const code = newSecret();
    const expiresAt = this.#clock.now() + this.#limits.codeTtlMs;
    const mine = [...this.#codes].filter(([, g]) => g.userId === userId);
    for (const [key] of mine.slice(0, Math.max(0, mine.length - this.#limits.maxPerUser + 1))) this.#codes.delete(key);
    this.#codes.set(digest(code), { previewId, userId, credential, expiresAt });
    dropOldest(this.#codes, this.#limits.maxCodes);
    return { code, expiresAt: new Date(expiresAt) };
  }

  /** The user a valid code was issued to; a code is gone after its first presentation, valid or not. */
  redeemCode(previewId: string, code: string): string | null {
    return this.redeem(previewId, code)?.userId ?? null;
  }

  /** Like redeemCode, with the credential the code was asked for with (the cookie inherits it). */
  redeem(previewId: string, code: string): { userId: string; credential: GrantCredential } | null {
    const key = digest(code);
    const grant = this.#codes.get(key);
    if (!grant) return null;
    this.#codes.delete(key);
    return grant.previewId === previewId && grant.expiresAt > this.#clock.now() ? { userId: grant.userId, credential: grant.credential } : null;
  }

  issueCookie(previewId: string, userId: string, credential: GrantCredential = NO_CREDENTIAL): string {
    const token = newSecret();
    const key = digest(token);
    this.#cookies.set(key, { previewId, userId, credential, expiresAt: this.#clock.now() + this.#limits.cookieTtlMs });
    let keys = this.#cookiesByPreview.get(previewId);
    if (!keys) this.#cookiesByPreview.set(previewId, (keys = new Set()));
    // This user's own oldest cookies for the preview go first (insertion order is age order).
    const mine = [...keys].filter((k) => this.#cookies.get(k)?.userId === userId);
    for (const k of mine.slice(0, Math.max(0, mine.length - this.#limits.maxPerUser + 1))) this.#forgetCookie(k);
    keys.add(key);
    while (keys.size > this.#limits.maxCookiesPerPreview) this.#forgetCookie(keys.values().next().value!);
    while (this.#cookies.size > this.#limits.maxCookies) this.#forgetCookie(this.#cookies.keys().next().value!);
    return token;
  }

  /** The user of the first valid token among `tokens` (a browser may send several cookies of one name). */
  checkCookie(previewId: string, tokens: readonly string[]): string | null {
    return this.cookieGrant(previewId, tokens)?.userId ?? null;
  }

  /**
   * Like checkCookie, with the valid token's digest: it names the browser the grant was given to
   * (the cookie scope remembers per browser which cookie names the dev server set there).
   */
  cookieGrant(previewId: string, tokens: readonly string[]): { userId: string; browser: string; credential: GrantCredential } | null {
    const now = this.#clock.now();
    for (const token of tokens) {
      const key = digest(token);
      const grant = this.#cookies.get(key);
      if (grant && grant.previewId === previewId && grant.expiresAt > now) return { userId: grant.userId, browser: key, credential: grant.credential };
    }
    return null;
  }

  /** The preview closed: its codes and cookies stop working. */
  revokePreview(previewId: string): void {
    for (const [key, grant] of this.#codes) if (grant.previewId === previewId) this.#codes.delete(key);
    for (const key of this.#cookiesByPreview.get(previewId) ?? []) this.#cookies.delete(key);
    this.#cookiesByPreview.delete(previewId);
  }

  /** Forgets what expired (called from the preview service's one timer). */
  sweep(): void {
    const now = this.#clock.now();
    for (const [key, grant] of this.#codes) if (grant.expiresAt <= now) this.#codes.delete(key);
    // Cookies are checked for expiry when presented; the full scan only frees memory, once a minute.
    if (now - this.#cookiesSweptAt < 60_000) return;
    this.#cookiesSweptAt = now;
    for (const [key, grant] of this.#cookies) if (grant.expiresAt <= now) this.#forgetCookie(key);
  }

  stats(): { codes: number; cookies: number } {
    return { codes: this.#codes.size, cookies: this.#cookies.size };
  }

  #forgetCookie(key: string): void {
    const grant = this.#cookies.get(key);
    this.#cookies.delete(key);
    if (!grant) return;
    const keys = this.#cookiesByPreview.get(grant.previewId);
    keys?.delete(key);
    if (keys?.size === 0) this.#cookiesByPreview.delete(grant.previewId);
  }
}

function dropOldest<K, V>(map: Map<K, V>, max: number): void {
  while (map.size > max) map.delete(map.keys().next().value!);
}
