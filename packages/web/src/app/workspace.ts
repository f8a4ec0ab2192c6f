// Everything a signed-in page holds: the socket, one ChannelSession per channel it looks at (every
// member channel, for the unread markers, plus any other one the address names) and the `seen`
// map. When the link drops it asks /api/me whether the session is still good, so an expired
// session becomes a clear message instead of an endless reconnect.

import type { Me } from '../api/http.js';
import { fetchMe, HttpError } from '../api/http.js';
import { connect, type Connection } from '../api/connection.js';
import { formatChannelRef } from '@pilothouse/protocol';
import { summariesOf } from '../state/threads.js';
import { withBaseline } from '../state/unread.js';
import { ChannelSession } from './channel-session.js';
import { NotificationCentre } from './notification-centre.js';
import { seenStore, type SeenStore } from './seen.js';

export class Workspace {
  readonly connection: Connection;
  readonly seen: SeenStore;
  readonly notifications = new NotificationCentre();
  private readonly sessions = new Map<string, ChannelSession>();
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    readonly me: Me,
    onExpired: () => void,
  ) {
    this.connection = connect();
    this.seen = seenStore(me.user.id);
    for (const c of me.channels) this.session(formatChannelRef({ workspace: c.workspace, channel: c.name }));
    this.unsubscribe.push(
      this.connection.onStatus((status) => {
        if (status !== 'lost') return;
        fetchMe().catch((err: unknown) => {
          if (err instanceof HttpError && err.code === 'unauthorized') onExpired();
        });
      }),
    );
  }

  /** The channels in the sidebar: the caller's memberships, as `WS/CH`. */
  get channels(): string[] {
    return this.me.channels.map((c) => formatChannelRef({ workspace: c.workspace, channel: c.name }));
  }

  session(channel: string): ChannelSession {
    let s = this.sessions.get(channel);
    if (!s) {
      const created = new ChannelSession(this.connection.socket, channel);
      // The first time a channel's threads load in this browser, what is there counts as read.
      const off = created.subscribe(() => {
        const { list } = created.getSnapshot();
        if (list.status !== 'ready') return;
        this.seen.update((seen) => withBaseline(seen, channel, summariesOf(list)));
      });
      // Channel activity may have notified this person: the centre refreshes after a burst.
      this.unsubscribe.push(off, created.subscribe(this.notifications.activity));
      this.sessions.set(channel, created);
      s = created;
    }
    return s;
  }

  close(): void {
    this.unsubscribe.forEach((off) => off());
    this.sessions.forEach((s) => s.close());
    this.notifications.close();
    this.connection.close();
  }
}
