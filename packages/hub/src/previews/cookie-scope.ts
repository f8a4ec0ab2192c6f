// Which cookies a preview's dev server sets and receives. The browser sends preview B every cookie
// in scope for B's host, including ones another preview's page planted for the parent domain
// (`document.cookie = "sid=x; Domain=preview.localhost"`), and a Cookie header says nothing about
// who set a cookie. So the proxy passes the dev server only cookies it can attribute to it (RFC
// 6265 §5.4 gives no other handle):
// - an HttpOnly cookie the dev server set through this preview: its value carries a MAC of
//   (preview, name, value) on the browser side (page scripts cannot read HttpOnly values, so the
//   tag is invisible to the app) and reaches the dev server untagged only when the tag verifies;
//   a planted cookie of the same name cannot forge it;
// - another cookie whose name the dev server set through this preview *for this browser* (the
//   browser is the preview grant cookie it signed in with), sent once (a second cookie of the same
//   name means someone else's is in scope too, and nobody can tell which is which). Per browser:
//   a name the dev server set for alice must not let a cookie planted in bob's browser through
//   (bob never got the dev server's own, so the planted one would be the only one, issue 11).
// Anything else, hub cookies and cookies the page set itself with document.cookie included, stays
// in the browser. Set-Cookie from the dev server is made host-only (its Domain is removed) and may
// not use the preview cookie's name. Keys: in memory, per hub process (like the grants).

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { PREVIEW_COOKIE } from '@pilothouse/protocol';
import { SESSION_COOKIE } from '../auth/authenticate.js';

/** The cookie rules of one preview, as the proxy's header rules use them. */
export interface CookieScope {
  /** The Cookie header the dev server receives, or null when nothing is left. */
  inbound(header: string): string | null;
  /** A Set-Cookie value as the browser receives it, or null when it is dropped. */
  outbound(setCookie: string): string | null;
}

const HUB_COOKIES = new Set([PREVIEW_COOKIE, SESSION_COOKIE]);
const TAG = '~ph1.';
const TAG_CHARS = 22; // 128 bits, base64url
/** Names remembered per preview; a dev server setting more loses the oldest. */
const MAX_NAMES = 64;
/** Browsers remembered per preview for their `named` cookies (as many as a preview's grant cookies). */
const MAX_BROWSERS = 1000;

type Kind = 'tagged' | 'named';

function split(pair: string): [string, string] {
  const eq = pair.indexOf('=');
  return eq < 0 ? ['', pair.trim()] : [pair.slice(0, eq).trim(), pair.slice(eq + 1).trim()];
}

export class CookieScopes {
  readonly #key = randomBytes(32);
  /** previewId → cookie name → how the dev server set it. */
  readonly #names = new Map<string, Map<string, Kind>>();
  /** previewId → browser (its grant cookie's digest) → the `named` cookie names set for it. */
  readonly #namedFor = new Map<string, Map<string, Set<string>>>();

  /** The cookie rules of `previewId` for the browser signed in with the grant cookie digest `browser`. */
  of(previewId: string, browser: string): CookieScope {
    return { inbound: (h) => this.#inbound(previewId, browser, h), outbound: (v) => this.#outbound(previewId, browser, v) };
  }

  /** The preview closed: what its dev server set is forgotten. */
  forget(previewId: string): void {
    this.#names.delete(previewId);
    this.#namedFor.delete(previewId);
  }

  #remember(previewId: string, browser: string, name: string): void {
    let browsers = this.#namedFor.get(previewId);
    if (!browsers) this.#namedFor.set(previewId, (browsers = new Map<string, Set<string>>()));
    const names = browsers.get(browser) ?? new Set<string>();
    browsers.delete(browser); // re-inserted last: the oldest browser is dropped first
    browsers.set(browser, names);
    while (browsers.size > MAX_BROWSERS) browsers.delete(browsers.keys().next().value!);
    names.delete(name);
    names.add(name);
    while (names.size > MAX_NAMES) names.delete(names.values().next().value!);
  }

  #tag(previewId: string, name: string, value: string): string {
    return createHmac('sha256', this.#key).update(`${previewId}\0${name}\0${value}`).digest('base64url').slice(0, TAG_CHARS);
  }

  #outbound(previewId: string, browser: string, setCookie: string): string | null {
    const parts = setCookie.split(';');
    const [name, value] = split(parts[0]!);
    if (name === '' || HUB_COOKIES.has(name)) return null;
    const attrs = parts.slice(1).filter((a) => !/^\s*domain\s*=/i.test(a));
    const httpOnly = attrs.some((a) => /^\s*httponly\s*$/i.test(a));
    let names = this.#names.get(previewId);
    if (!names) this.#names.set(previewId, (names = new Map<string, Kind>()));
    names.delete(name);
    names.set(name, httpOnly ? 'tagged' : 'named');
    if (!httpOnly) this.#remember(previewId, browser, name);
    while (names.size > MAX_NAMES) names.delete(names.keys().next().value!);
    const stored = httpOnly ? `${value}${TAG}${this.#tag(previewId, name, value)}` : value;
    return [`${name}=${stored}`, ...attrs.map((a) => a.trimEnd())].join(';');
  }

  #inbound(previewId: string, browser: string, header: string): string | null {
    const names = this.#names.get(previewId);
    if (!names) return null;
    const mine = this.#namedFor.get(previewId)?.get(browser);
    const pairs = header.split(';').map(split).filter(([name]) => name !== '' && !HUB_COOKIES.has(name));
    const count = new Map<string, number>();
    for (const [name] of pairs) count.set(name, (count.get(name) ?? 0) + 1);
    const kept: string[] = [];
    for (const [name, value] of pairs) {
      const kind = names.get(name);
      if (kind === 'named' && count.get(name) === 1 && mine?.has(name) === true) kept.push(`${name}=${value}`);
      if (kind !== 'tagged') continue;
      const at = value.lastIndexOf(TAG);
      if (at < 0) continue;
      const raw = value.slice(0, at);
      const tag = Buffer.from(value.slice(at + TAG.length));
      const want = Buffer.from(this.#tag(previewId, name, raw));
      if (tag.length === want.length && timingSafeEqual(tag, want)) kept.push(`${name}=${raw}`);
    }
    return kept.length > 0 ? kept.join('; ') : null;
  }
}
