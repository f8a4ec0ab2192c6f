// The service worker (built to /sw.js by build/classic-scripts.ts, registered by register.ts):
// caches the app shell so the page opens from the home screen and offline, and never caches live
// data (cache-policy.ts). Push: the hub's alerts are shown as notifications; Approve / Deny on a
// prompt's alert post its decision code to /api/decide (no window opens) and a short notification
// says how it went; a click elsewhere on the alert focuses or opens its thread.
// Written against minimal local types: the web tsconfig has the DOM lib, not WebWorker.

import { CACHE_PREFIX, SHELL_PAGE, staleCaches, strategyFor, type Strategy } from './cache-policy.js';
import { alertFromPush, clickTarget, decideResult } from './push-payload.js';

declare const __SHELL_FILES__: string[];
declare const __SHELL_VERSION__: string;

interface ExtendableEvent extends Event {
  waitUntil(p: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  request: Request;
  respondWith(r: Promise<Response>): void;
}
interface PushEvent extends ExtendableEvent {
  data: { json(): unknown } | null;
}
interface ShownNotification {
  data: unknown;
  close(): void;
}
interface NotificationClickEvent extends ExtendableEvent {
  action: string;
  notification: ShownNotification;
}
interface WindowClient {
  url: string;
  focus(): Promise<WindowClient>;
  navigate(url: string): Promise<WindowClient | null>;
}
interface WorkerScope {
  location: Location;
  caches: CacheStorage;
  skipWaiting(): Promise<void>;
  clients: {
    claim(): Promise<void>;
    matchAll(o: { type: 'window'; includeUncontrolled: boolean }): Promise<WindowClient[]>;
    openWindow(url: string): Promise<WindowClient | null>;
  };
  registration: { showNotification(title: string, options: NotificationOptions & { actions?: { action: string; title: string }[]; requireInteraction?: boolean }): Promise<void> };
  addEventListener(type: 'install' | 'activate', fn: (e: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', fn: (e: FetchEvent) => void): void;
  addEventListener(type: 'push', fn: (e: PushEvent) => void): void;
  addEventListener(type: 'notificationclick', fn: (e: NotificationClickEvent) => void): void;
}

const scope = self as unknown as WorkerScope;
const CACHE = `${CACHE_PREFIX}${__SHELL_VERSION__}`;

scope.addEventListener('install', (e) => {
  // The whole shell or nothing: a half-cached shell would not start offline.
  e.waitUntil(
    scope.caches
      .open(CACHE)
      .then((cache) => cache.addAll(__SHELL_FILES__.map((f) => new Request(f, { cache: 'reload' }))))
      .then(() => scope.skipWaiting()),
  );
});

scope.addEventListener('activate', (e) => {
  e.waitUntil(
    scope.caches
      .keys()
      .then((names) => Promise.all(staleCaches(names, CACHE).map((n) => scope.caches.delete(n))))
      .then(() => scope.clients.claim()),
  );
});

async function fromCache(key: Request | string): Promise<Response | undefined> {
  const cache = await scope.caches.open(CACHE);
  return cache.match(key);
}

async function networkFirst(req: Request, key: Request | string): Promise<Response> {
  try {
    const res = await fetch(req);
    if (res.ok && res.type === 'basic') {
      const copy = res.clone();
      void scope.caches.open(CACHE).then((cache) => cache.put(key, copy));
    }
    return res;
  } catch (err) {
    const cached = await fromCache(key);
    if (cached) return cached;
    throw err;
  }
}

async function cacheFirst(req: Request): Promise<Response> {
  const cached = await fromCache(req);
  if (cached) return cached;
  const res = await fetch(req);
  // Chunks loaded later (code split) join the cache as they are first used.
  if (res.ok && res.type === 'basic') {
    const copy = res.clone();
    void scope.caches.open(CACHE).then((cache) => cache.put(req, copy));
  }
  return res;
}

function answer(strategy: Strategy, req: Request): Promise<Response> | null {
  switch (strategy.type) {
    case 'network':
      return null;
    case 'page':
      // Every app address is the same page (the hub answers them all with index.html).
      return networkFirst(req, SHELL_PAGE);
    case 'immutable':
      return cacheFirst(req);
    case 'shell':
      return networkFirst(req, req);
  }
}

scope.addEventListener('fetch', (e) => {
  const { method, url, mode } = e.request;
  const res = answer(strategyFor({ method, url, mode }, scope.location.origin, __SHELL_FILES__), e.request);
  if (res) e.respondWith(res);
});

scope.addEventListener('push', (e) => {
  let raw: unknown = null;
  try {
    raw = e.data?.json() ?? null;
  } catch {
    // Not JSON: shown as a plain alert below rather than dropped (a push must show something).
  }
  const alert = alertFromPush(raw);
  e.waitUntil(scope.registration.showNotification(alert.title, alert.options));
});

async function decide(code: string, choice: string): Promise<void> {
  let title: string;
  try {
    const res = await fetch('/api/decide', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }), credentials: 'omit' });
    title = decideResult(res.ok, choice, await res.json().catch(() => null));
  } catch {
    title = decideResult(false, choice, null);
  }
  await scope.registration.showNotification(title, { tag: 'decide-result' });
}

async function focusOrOpen(url: string): Promise<void> {
  const target = new URL(url, scope.location.origin).href;
  const windows = await scope.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const same = windows.find((w) => w.url === target);
  if (same) {
    await same.focus();
    return;
  }
  const any = windows[0];
  if (any) {
    await any.focus();
    await any.navigate(target);
    return;
  }
  await scope.clients.openWindow(target);
}

scope.addEventListener('notificationclick', (e) => {
  e.notification.close();
  const target = clickTarget(e.action, e.notification.data);
  switch (target.type) {
    case 'decide':
      e.waitUntil(decide(target.code, target.choice));
      break;
    case 'open':
      e.waitUntil(focusOrOpen(target.url));
      break;
    case 'none':
      break;
  }
});
