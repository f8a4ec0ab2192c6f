// Which requests the service worker answers, and how (pure; sw.ts performs it). The app shell is
// cached; live data never is: the API, the socket, the health check and every other origin
// (preview hosts among them) go straight to the network, untouched.

export type Strategy =
  /** Not ours: the browser fetches it as if there were no service worker. */
  | { type: 'network' }
  /** A page load: the network first (a new build shows at once), the cached shell when offline. */
  | { type: 'page' }
  /** A content-hashed file under /assets/: never changes under its name, so the cache first. */
  | { type: 'immutable' }
  /** Another shell file (manifest, icons, theme.js): the network first, the cache when offline. */
  | { type: 'shell' };

export interface RequestFacts {
  method: string;
  /** Absolute URL of the request. */
  url: string;
  /** Request.mode: "navigate" for a page load. */
  mode: string;
}

/** Paths that carry live data: never cached, never answered from a cache. */
const LIVE = /^\/(api|socket|healthz)(\/|$)/;

export const SHELL_PAGE = '/';

export function strategyFor(req: RequestFacts, origin: string, shellFiles: readonly string[]): Strategy {
  if (req.method !== 'GET') return { type: 'network' };
  const url = new URL(req.url);
  if (url.origin !== origin || LIVE.test(url.pathname)) return { type: 'network' };
  if (req.mode === 'navigate') return { type: 'page' };
  if (url.pathname.startsWith('/assets/')) return { type: 'immutable' };
  if (shellFiles.includes(url.pathname) && url.search === '') return { type: 'shell' };
  return { type: 'network' };
}

/** Caches of older builds, to delete once this one is active. */
export function staleCaches(names: readonly string[], current: string): string[] {
  return names.filter((n) => n.startsWith(CACHE_PREFIX) && n !== current);
}

export const CACHE_PREFIX = 'pilothouse-shell-';
