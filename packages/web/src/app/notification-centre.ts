// The page's notification centre: the state (state/notifications.ts) and the requests that feed
// it. It refreshes on load, when the tab becomes visible, every 30 s and shortly after channel
// activity (one debounced refresh for a burst of events). While the page is hidden, unread items
// it has not seen before raise a browser notification (permission is only ever asked for from a
// button: `askPermission`), tagged as the hub's push alerts are so repeats collapse.

import type { NotificationItem } from '@pilothouse/protocol';
import { fetchNotifications, markAllRead, markRead } from '../api/notifications.js';
import { HttpError } from '../api/http.js';
import { alertTag, initialNotifications, newUnread, stepNotifications, type NotificationsEvent, type NotificationsState } from '../state/notifications.js';
import { navigate } from './route.js';

const REFRESH_MS = 30_000;
/** A burst of channel events becomes one refresh this long after the last. */
const ACTIVITY_DEBOUNCE_MS = 1_500;

const messageOf = (err: unknown) => (err instanceof HttpError ? err.message : err instanceof Error ? err.message : String(err));

export class NotificationCentre {
  private state: NotificationsState = initialNotifications();
  private readonly listeners = new Set<() => void>();
  private readonly cleanups: (() => void)[] = [];
  private debounce: number | null = null;
  /** A refresh in flight, and whether another was asked for meanwhile. */
  private inFlight: Promise<void> | null = null;
  private again = false;
  private closed = false;

  constructor() {
    const interval = window.setInterval(() => void this.refresh(), REFRESH_MS);
    const onVisible = () => {
      if (document.visibilityState === 'visible') void this.refresh();
    };
    document.addEventListener('visibilitychange', onVisible);
    this.cleanups.push(
      () => window.clearInterval(interval),
      () => document.removeEventListener('visibilitychange', onVisible),
      () => {
        if (this.debounce !== null) window.clearTimeout(this.debounce);
      },
    );
    void this.refresh();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): NotificationsState => this.state;

  private dispatch(e: NotificationsEvent): void {
    const next = stepNotifications(this.state, e);
    if (next === this.state) return;
    this.state = next;
    this.listeners.forEach((l) => l());
  }

  /** Channel activity that could notify someone: refresh once the burst is over. */
  activity = (): void => {
    if (this.closed) return;
    if (this.debounce !== null) window.clearTimeout(this.debounce);
    this.debounce = window.setTimeout(() => {
      this.debounce = null;
      void this.refresh();
    }, ACTIVITY_DEBOUNCE_MS);
  };

  refresh(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.inFlight) {
      this.again = true;
      return this.inFlight;
    }
    this.inFlight = fetchNotifications()
      .then(
        (list) => {
          if (this.closed) return;
          const fresh = newUnread(this.state, list);
          this.dispatch({ type: 'newest', list });
          if (document.visibilityState === 'hidden') fresh.forEach((i) => this.alert(i));
        },
        (err: unknown) => {
          if (!this.closed) this.dispatch({ type: 'failed', message: messageOf(err) });
        },
      )
      .finally(() => {
        this.inFlight = null;
        if (this.again) {
          this.again = false;
          void this.refresh();
        }
      });
    return this.inFlight;
  }

  async older(): Promise<void> {
    const before = this.state.nextBefore;
    if (before === null) return;
    try {
      this.dispatch({ type: 'older', list: await fetchNotifications(before) });
    } catch (err) {
      this.dispatch({ type: 'failed', message: messageOf(err) });
    }
  }

  /** Marks an item read (at once on the page; the hub is told) and goes to its thread. */
  open(item: NotificationItem): void {
    if (!item.read) {
      this.dispatch({ type: 'read', ids: [item.id] });
      markRead([item.id]).catch((err: unknown) => this.dispatch({ type: 'failed', message: messageOf(err) }));
    }
    navigate(item.path);
  }

  async readAll(): Promise<void> {
    this.dispatch({ type: 'read_all' });
    try {
      await markAllRead();
    } catch (err) {
      this.dispatch({ type: 'failed', message: messageOf(err) });
    }
    await this.refresh();
  }

  private alert(item: NotificationItem): void {
    if (!('Notification' in window) || Notification.permission !== 'granted') return;
    const n = new Notification(item.title, { body: item.body, tag: alertTag(item), data: { url: item.path } });
    n.onclick = () => {
      window.focus();
      this.open(item);
      n.close();
    };
  }

  close(): void {
    this.closed = true;
    this.cleanups.forEach((c) => c());
    this.listeners.clear();
  }
}

/** Asks for permission to show browser notifications; call from a click only. */
export async function askPermission(): Promise<NotificationPermission | 'unsupported'> {
  if (!('Notification' in window)) return 'unsupported';
  return Notification.requestPermission();
}
