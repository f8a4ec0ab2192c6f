// The notification bell, workspaces and their channels (the caller's memberships), each with an unread marker, the open
// channel's machines and their sessions (MachinesSection.tsx), for
// admins links to the audit log and notifications admin (deliveries, webhooks), and the signed-in user with a sign-out button.

import { useMemo, useSyncExternalStore } from 'react';
import type { Workspace } from '../app/workspace.js';
import { ADMIN_NOTIFICATIONS_PATH, AUDIT_PATH, channelPath, threadPath } from '../app/route.js';
import { runnersOf } from '../state/channel.js';
import { latestLiveSession } from '../state/sessions.js';
import { summariesOf } from '../state/threads.js';
import { isChannelUnread } from '../state/unread.js';
import { Link } from './Link.js';
import { MachinesSection } from './MachinesSection.js';
import { SidebarBell } from './notifications/Bell.js';

function ChannelLink({ ws, channel, current }: { ws: Workspace; channel: string; current: boolean }) {
  const session = ws.session(channel);
  const view = useSyncExternalStore(session.subscribe, session.getSnapshot);
  const seen = useSyncExternalStore(ws.seen.subscribe, ws.seen.get);
  const unread = useMemo(() => view.list.status === 'ready' && isChannelUnread(seen, channel, summariesOf(view.list)), [view.list, seen, channel]);
  // A channel opens on its latest live session; with none live, on its list of threads.
  const live = useMemo(() => (view.list.status === 'ready' ? latestLiveSession(summariesOf(view.list), runnersOf(view.channel)) : null), [view.list, view.channel]);
  const name = channel.split('/')[1] ?? channel;
  return (
    <li className={`${current ? 'current' : ''} ${unread ? 'unread' : ''}`} data-channel={channel} data-unread={unread}>
      <Link to={live === null ? channelPath(channel) : threadPath(channel, live)}># {name}</Link>
      {unread ? <span className="unread-dot" aria-label="unread" /> : null}
    </li>
  );
}

export function Sidebar({
  ws,
  current,
  currentThread,
  auditOpen,
  adminNotificationsOpen,
  notificationsOpen,
  onSignOut,
}: {
  ws: Workspace;
  current: string | null;
  /** The open thread, in `current`. */
  currentThread: string | null;
  auditOpen: boolean;
  adminNotificationsOpen: boolean;
  notificationsOpen: boolean;
  onSignOut: () => void;
}) {
  const groups = useMemo(() => {
    const by = new Map<string, string[]>();
    for (const c of ws.channels) {
      const w = c.split('/')[0] ?? c;
      by.set(w, [...(by.get(w) ?? []), c]);
    }
    return [...by.entries()];
  }, [ws]);
  const me = useMemo(() => ({ user_id: ws.me.user.id, name: ws.me.user.name }), [ws]);
  return (
    <nav className="sidebar" aria-label="Channels">
      <div className="side-top">
        <div className="brand">Pilothouse</div>
        <SidebarBell current={notificationsOpen} />
      </div>
      {groups.length === 0 ? <p className="muted">You are not in any channel yet.</p> : null}
      {groups.map(([workspace, channels]) => (
        <section key={workspace} className="workspace">
          <h2>{workspace}</h2>
          <ul>
            {channels.map((c) => (
              <ChannelLink key={c} ws={ws} channel={c} current={c === current} />
            ))}
          </ul>
        </section>
      ))}
      {current === null ? null : <MachinesSection key={current} session={ws.session(current)} me={me} currentThread={currentThread} />}
      {ws.me.user.admin ? (
        <section className="workspace admin-links">
          <h2>Admin</h2>
          <ul>
            <li className={auditOpen ? 'current' : ''}>
              <Link to={AUDIT_PATH} current={auditOpen}>
                Audit log
              </Link>
            </li>
            <li className={adminNotificationsOpen ? 'current' : ''}>
              <Link to={ADMIN_NOTIFICATIONS_PATH} current={adminNotificationsOpen}>
                Deliveries &amp; webhooks
              </Link>
            </li>
          </ul>
        </section>
      ) : null}
      <div className="me">
        <span>
          Signed in as <strong>{ws.me.user.name}</strong>
        </span>
        <button type="button" onClick={onSignOut}>
          Sign out
        </button>
      </div>
    </nav>
  );
}
