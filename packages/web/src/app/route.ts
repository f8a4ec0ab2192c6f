// The page's address is the route: / (home), /c/WS/CH (a channel), /c/WS/CH/t/ID (a thread),
// /audit (the audit log, admins), /admin/notifications (deliveries and webhooks, admins), /notifications (the notification centre as a page) and
// /settings/notifications (what to be told about, and how).
// The hub answers every such path with index.html (packages/hub/src/http/static.ts).

import { useSyncExternalStore } from 'react';
import { parseChannelRef } from '@pilothouse/protocol';

export type Route =
  | { type: 'home' }
  | { type: 'channel'; channel: string }
  | { type: 'thread'; channel: string; threadId: string }
  | { type: 'audit' }
  | { type: 'admin-notifications' }
  | { type: 'notifications' }
  | { type: 'notification-prefs' }
  | { type: 'unknown'; path: string };

export const AUDIT_PATH = '/audit';
export const ADMIN_NOTIFICATIONS_PATH = '/admin/notifications';
export const NOTIFICATIONS_PATH = '/notifications';
export const NOTIFICATION_PREFS_PATH = '/settings/notifications';

const is = (path: string, target: string) => path === target || path === `${target}/`;

export function parseRoute(path: string): Route {
  if (path === '/' || path === '') return { type: 'home' };
  if (is(path, AUDIT_PATH)) return { type: 'audit' };
  if (is(path, ADMIN_NOTIFICATIONS_PATH)) return { type: 'admin-notifications' };
  if (is(path, NOTIFICATIONS_PATH)) return { type: 'notifications' };
  if (is(path, NOTIFICATION_PREFS_PATH)) return { type: 'notification-prefs' };
  const m = /^\/c\/([^/]+)\/([^/]+)(?:\/t\/([^/]+))?\/?$/.exec(path);
  if (!m) return { type: 'unknown', path };
  const channel = `${decodeURIComponent(m[1]!)}/${decodeURIComponent(m[2]!)}`;
  if (!parseChannelRef(channel)) return { type: 'unknown', path };
  return m[3] === undefined ? { type: 'channel', channel } : { type: 'thread', channel, threadId: decodeURIComponent(m[3]) };
}

export { channelPath, threadPath } from '@pilothouse/protocol';

const listeners = new Set<() => void>();
const notify = () => listeners.forEach((l) => l());
window.addEventListener('popstate', notify);

export function navigate(path: string, opts: { replace?: boolean } = {}): void {
  if (path === location.pathname) return;
  if (opts.replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  notify();
}

const subscribe = (l: () => void) => {
  listeners.add(l);
  return () => listeners.delete(l);
};

export function usePath(): string {
  return useSyncExternalStore(subscribe, () => location.pathname);
}
