import { describe, expect, it } from 'vitest';
import type { NotificationItem, NotificationList } from '@pilothouse/protocol';
import { alertTag, bellLabel, initialNotifications, mergeItems, newUnread, stepNotifications, type NotificationsEvent, type NotificationsState } from './notifications.js';

const item = (n: number, over: Partial<NotificationItem> = {}): NotificationItem => ({
  id: `n${n}`,
  kind: 'turn_finished',
  title: `Item ${n}`,
  body: 'body',
  channel: 'acme/agents',
  thread_id: 't1',
  message_id: null,
  request_id: null,
  path: '/c/acme/agents/t/t1',
  created_at: `2026-01-01T00:00:${String(n).padStart(2, '0')}.000Z`,
  read: false,
  resolved: false,
  ...over,
});
const list = (items: NotificationItem[], unread = items.filter((i) => !i.read).length, next_before: string | null = null): NotificationList => ({ items, unread, next_before });
const run = (s: NotificationsState, ...events: NotificationsEvent[]) => events.reduce(stepNotifications, s);
const ids = (s: NotificationsState) => s.items.map((i) => i.id);

describe('notifications state', () => {
  it('the first page loads newest first with the hub’s count and cursor', () => {
    const s = run(initialNotifications(), { type: 'newest', list: list([item(3), item(2)], 5, item(2).created_at) });
    expect(s).toEqual({ items: [item(3), item(2)], unread: 5, nextBefore: item(2).created_at, loaded: true, seen: ['n3', 'n2'], error: null });
  });

  it('an older page appends; a later refresh of the newest merges without losing it or its cursor', () => {
    let s = run(initialNotifications(), { type: 'newest', list: list([item(5), item(4)], 4, item(4).created_at) }, { type: 'older', list: list([item(3), item(2)], 4, item(2).created_at) });
    expect(ids(s)).toEqual(['n5', 'n4', 'n3', 'n2']);
    s = stepNotifications(s, { type: 'newest', list: list([item(6), item(5, { read: true })], 4, item(5).created_at) });
    expect(ids(s)).toEqual(['n6', 'n5', 'n4', 'n3', 'n2']);
    expect(s.items[1]!.read).toBe(true);
    expect(s.nextBefore).toBe(item(2).created_at);
    expect(s.unread).toBe(4);
  });

  it('marking read lowers the count once per unread item; all read is zero', () => {
    let s = run(initialNotifications(), { type: 'newest', list: list([item(3), item(2, { read: true }), item(1)]) });
    expect(s.unread).toBe(2);
    s = stepNotifications(s, { type: 'read', ids: ['n3', 'n2'] });
    expect(s.unread).toBe(1);
    expect(s.items.map((i) => i.read)).toEqual([true, true, false]);
    expect(stepNotifications(s, { type: 'read', ids: ['n3'] })).toBe(s);
    s = stepNotifications(s, { type: 'read_all' });
    expect(s.unread).toBe(0);
    expect(s.items.every((i) => i.read)).toBe(true);
  });

  it('a failure keeps the list and says why; the next load clears it', () => {
    let s = run(initialNotifications(), { type: 'newest', list: list([item(1)]) }, { type: 'failed', message: 'The hub cannot be reached.' });
    expect(s).toMatchObject({ error: 'The hub cannot be reached.', items: [item(1)] });
    s = stepNotifications(s, { type: 'newest', list: list([item(1)]) });
    expect(s.error).toBeNull();
  });

  it('new unread items are those not seen before; the first load is the baseline', () => {
    const first = list([item(2), item(1)]);
    expect(newUnread(initialNotifications(), first)).toEqual([]);
    const s = stepNotifications(initialNotifications(), { type: 'newest', list: first });
    const next = list([item(4, { read: true }), item(3), item(2), item(1)]);
    expect(newUnread(s, next)).toEqual([item(3)]);
    expect(newUnread(stepNotifications(s, { type: 'newest', list: next }), next)).toEqual([]);
  });

  it('merges by id, newest first, the fresh copy winning', () => {
    expect(mergeItems([item(1), item(3)], [item(2), item(3, { resolved: true })])).toEqual([item(3, { resolved: true }), item(2), item(1)]);
  });

  it('alert tags collapse alerts about one prompt; the bell says the count', () => {
    expect(alertTag(item(1, { kind: 'approval_requested', request_id: 'r9' }))).toBe('prompt:r9');
    expect(alertTag(item(1))).toBe('turn_finished:n1');
    expect(bellLabel(3)).toBe('Notifications, 3 unread');
  });
});
