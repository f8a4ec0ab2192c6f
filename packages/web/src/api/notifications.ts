// The notification centre's HTTP API (hub notifications/routes.ts), all same-origin with the
// session cookie: the list and unread count, marking read, the person's preferences with the hub's
// push key, and this browser's push subscription. Replies are parsed with the protocol's schemas.

import { z } from 'zod';
import { NotificationList, NotificationPrefs } from '@pilothouse/protocol';
import { call } from './http.js';

const NOTIFICATION_PAGE = 30;

export function fetchNotifications(before?: string): Promise<NotificationList> {
  const params = new URLSearchParams({ limit: String(NOTIFICATION_PAGE) });
  if (before !== undefined) params.set('before', before);
  return call(NotificationList, 'GET', `/api/notifications?${params.toString()}`);
}

const Marked = z.object({ marked: z.number() });
export const markRead = (ids: readonly string[]): Promise<unknown> => call(Marked, 'POST', '/api/notifications/read', { ids });
export const markAllRead = (): Promise<unknown> => call(Marked, 'POST', '/api/notifications/read', { all: true });

const PrefsReply = z.object({ prefs: NotificationPrefs, push: z.object({ public_key: z.string().nullable() }) });
export type PrefsReply = z.infer<typeof PrefsReply>;
export const fetchPrefs = (): Promise<PrefsReply> => call(PrefsReply, 'GET', '/api/notifications/prefs');
export const savePrefs = (prefs: NotificationPrefs): Promise<NotificationPrefs> => call(z.object({ prefs: NotificationPrefs }), 'PUT', '/api/notifications/prefs', prefs).then((r) => r.prefs);

export const addPushSubscription = (sub: PushSubscriptionJSON): Promise<unknown> => call(z.object({ id: z.string() }), 'POST', '/api/push/subscriptions', sub);
export const removePushSubscription = (endpoint: string): Promise<unknown> => call(z.object({ removed: z.number() }), 'DELETE', '/api/push/subscriptions', { endpoint });
