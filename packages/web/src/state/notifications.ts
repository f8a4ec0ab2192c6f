// The notification centre as a pure state: the items loaded so far (newest first), the hub's
// unread count, where the next older page starts, and the ids this page has already seen (so a
// refresh can tell which unread items are new and worth a browser alert). The first load is the
// baseline: what is there when the page opens never alerts.

import { assertNever, type NotificationItem, type NotificationList } from '@pilothouse/protocol';

export interface NotificationsState {
  /** Newest first, unique by id. */
  items: readonly NotificationItem[];
  unread: number;
  /** `before` for the next older page; null when there is none. */
  nextBefore: string | null;
  /** The newest page has loaded at least once. */
  loaded: boolean;
  /** Ids any load has shown (the baseline for "new since last seen"). */
  seen: readonly string[];
  /** The last refresh failed with this message (the list keeps what it had). */
  error: string | null;
}

export type NotificationsEvent =
  | { type: 'newest'; list: NotificationList }
  | { type: 'older'; list: NotificationList }
  | { type: 'failed'; message: string }
  | { type: 'read'; ids: readonly string[] }
  | { type: 'read_all' };

export const initialNotifications = (): NotificationsState => ({ items: [], unread: 0, nextBefore: null, loaded: false, seen: [], error: null });

const newestFirst = (a: NotificationItem, b: NotificationItem) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/** `fresh` over `old` by id (fresh wins), newest first. */
export function mergeItems(old: readonly NotificationItem[], fresh: readonly NotificationItem[]): NotificationItem[] {
  const byId = new Map(old.map((i) => [i.id, i]));
  for (const i of fresh) byId.set(i.id, i);
  return [...byId.values()].sort(newestFirst);
}

const withSeen = (seen: readonly string[], items: readonly NotificationItem[]) => {
  const known = new Set(seen);
  const added = items.map((i) => i.id).filter((id) => !known.has(id));
  return added.length === 0 ? seen : [...seen, ...added];
};

export function stepNotifications(s: NotificationsState, e: NotificationsEvent): NotificationsState {
  switch (e.type) {
    case 'newest':
      // The newest page also carries the hub's count; an older page already loaded keeps its cursor.
      return { ...s, items: mergeItems(s.items, e.list.items), unread: e.list.unread, nextBefore: s.loaded && s.items.length > e.list.items.length ? s.nextBefore : e.list.next_before, loaded: true, seen: withSeen(s.seen, e.list.items), error: null };
    case 'older':
      return { ...s, items: mergeItems(s.items, e.list.items), unread: e.list.unread, nextBefore: e.list.next_before, seen: withSeen(s.seen, e.list.items), error: null };
    case 'failed':
      return { ...s, error: e.message };
    case 'read': {
      const ids = new Set(e.ids);
      const newlyRead = s.items.filter((i) => ids.has(i.id) && !i.read).length;
      if (newlyRead === 0) return s;
      return { ...s, items: s.items.map((i) => (ids.has(i.id) ? { ...i, read: true } : i)), unread: Math.max(0, s.unread - newlyRead) };
    }
    case 'read_all':
      return { ...s, items: s.items.map((i) => (i.read ? i : { ...i, read: true })), unread: 0 };
    default:
      return assertNever(e, 'notifications event');
  }
}

/** Unread items in `list` that the page had not seen before (none on the first load: the baseline). */
export function newUnread(before: NotificationsState, list: NotificationList): NotificationItem[] {
  if (!before.loaded) return [];
  const known = new Set(before.seen);
  return list.items.filter((i) => !i.read && !known.has(i.id));
}

/** The alert tag the hub's media use (notifications/derive.ts): alerts about one prompt collapse into one. */
export const alertTag = (item: Pick<NotificationItem, 'id' | 'kind' | 'request_id'>): string => (item.request_id !== null ? `prompt:${item.request_id}` : `${item.kind}:${item.id}`);

/** The bell's accessible name. */
export const bellLabel = (unread: number): string => `Notifications, ${unread} unread`;
