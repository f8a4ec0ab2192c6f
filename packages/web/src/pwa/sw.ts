// The service worker (built to /sw.js by build/classic-scripts.ts, registered by register.ts):
// caches the app shell so the page opens from the home screen and offline, and never caches live
// data (cache-policy.ts). The notifications issue adds its push handlers here, beside `fetch`.
// Written against minimal local types: the web tsconfig has the DOM lib, not WebWorker.

import { CACHE_PREFIX, SHELL_PAGE, staleCaches, strategyFor, type Strategy } from './cache-policy.js';
import { alertFor, decidedNotice, tapOf } from './push-alert.js';

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
interface NotificationEvent extends ExtendableEvent {
  action: string;
  notification: ShownNotification;
}
interface WindowClient {
  url: string;
  focus(): Promise<unknown>;
  navigate(url: string): Promise<unknown>;
}
interface WorkerScope {
  location: Location;
  caches: CacheStorage;
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void>; matchAll(o: { type: 'window'; includeUncontrolled: boolean }): Promise<WindowClient[]>; openWindow(url: string): Promise<unknown> };
  registration: { showNotification(title: string, options: object): Promise<void> };
  addEventListener(type: 'install' | 'activate', fn: (e: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', fn: (e: FetchEvent) => void): void;
  addEventListener(type: 'push', fn: (e: PushEvent) => void): void;
  addEventListener(type: 'notificationclick', fn: (e: NotificationEvent) => void): void;
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

// Notifications (docs/notifications.md): the hub's push becomes a notification; Approve / Deny on
// it post that answer's single-use code to the hub without opening a window; a tap elsewhere
// opens (or focuses) the thread.
scope.addEventListener('push', (e) => {
  let raw: unknown = null;
  try {
    raw = e.data?.json() ?? null;
  } catch {
    raw = null;
  }
  const alert = alertFor(raw);
  if (alert) e.waitUntil(scope.registration.showNotification(alert.title, alert.options));
});

async function decide(code: string, action: string): Promise<void> {
  let status = 0;
  let body: unknown = null;
  try {
    const res = await fetch('/api/decide', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) });
    status = res.status;
    body = await res.json().catch(() => null);
  } catch {
    body = { message: 'The hub could not be reached; open the thread to decide there.' };
  }
  const notice = decidedNotice(action, status, body);
  await scope.registration.showNotification(notice.title, { body: notice.body, tag: `decided:${code.slice(0, 8)}` });
}

async function open(url: string): Promise<void> {
  const windows = await scope.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const same = windows.find((w) => w.url === url) ?? windows[0];
  if (same) {
    await same.focus();
    if (same.url !== url) await same.navigate(url);
    return;
  }
  await scope.clients.openWindow(url);
}

scope.addEventListener('notificationclick', (e) => {
  const tap = tapOf(e.action, e.notification.data);
  e.notification.close();
  if (tap === null) return;
  e.waitUntil(tap.type === 'decide' ? decide(tap.code, tap.action) : open(tap.url));
});
