// Signed in: the channel list (a drawer on phones), reconnect banner, the view the address names
// (a channel, a thread, the audit log, notifications admin or the notification centre and its settings) and the shortcut list. App.tsx loads this module and its
// views on demand, so the sign-in page fetches neither the socket client nor the thread renderer
// (markdown-it, DOMPurify, ansi_up, diff); highlighting is a chunk of its own, loaded on first use.

import { useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { assertNever, type Actor } from '@pilothouse/protocol';
import type { Me } from '../api/http.js';
import { parseRoute, usePath } from '../app/route.js';
import { Workspace } from '../app/workspace.js';
import { AdminNotificationsView } from './admin/AdminNotificationsView.js';
import { AuditView } from './AuditView.js';
import { ChannelView } from './ChannelView.js';
import { Home } from './Home.js';
import { Sidebar } from './Sidebar.js';
import { DRAWER_ID, DrawerProvider, useDrawerState } from './layout/drawer.js';
import { Preferences } from './layout/Preferences.js';
import { Shortcuts, type ShortcutsDialog } from './layout/Shortcuts.js';
import { ThreadView } from './ThreadView.js';
import { CentreContext } from './notifications/context.js';
import { NotificationsView } from './notifications/NotificationsView.js';
import { PrefsView } from './notifications/PrefsView.js';


function ReconnectBanner({ ws }: { ws: Workspace }) {
  const status = useSyncExternalStore(ws.connection.onStatus, ws.connection.status);
  if (status !== 'lost') return null;
  return (
    <div className="banner" role="status" data-banner="reconnecting">
      The connection to the hub was lost. Reconnecting… The thread catches up by itself.
    </div>
  );
}

export function Shell({ me, onSignOut, onExpired }: { me: Me; onSignOut: () => void; onExpired: () => void }) {
  const [ws, setWs] = useState<Workspace | null>(null);
  useEffect(() => {
    const w = new Workspace(me, onExpired);
    setWs(w);
    return () => w.close();
  }, [me, onExpired]);
  const actor = useMemo<Actor>(() => ({ user_id: me.user.id, name: me.user.name }), [me]);
  const path = usePath();
  const route = parseRoute(path);
  const drawer = useDrawerState(path);
  const shortcuts = useRef<ShortcutsDialog>(null);
  if (!ws) return null;
  const current = route.type === 'channel' || route.type === 'thread' ? route.channel : null;
  let main;
  switch (route.type) {
    case 'home':
      main = <Home ws={ws} />;
      break;
    case 'channel':
      main = <ChannelView key={route.channel} session={ws.session(route.channel)} me={actor} seen={ws.seen} />;
      break;
    case 'thread':
      main = <ThreadView key={`${route.channel}/${route.threadId}`} session={ws.session(route.channel)} threadId={route.threadId} me={actor} seen={ws.seen} />;
      break;
    case 'audit':
      main = <AuditView />;
      break;
    case 'admin-notifications':
      main = <AdminNotificationsView admin={me.user.admin} channels={ws.channels} />;
      break;
    case 'notifications':
      main = <NotificationsView />;
      break;
    case 'notification-prefs':
      main = <PrefsView />;
      break;
    case 'unknown':
      main = <p className="placeholder">Nothing lives at {route.path}.</p>;
      break;
    default:
      main = assertNever(route, 'route');
  }
  return (
    <CentreContext.Provider value={ws.notifications}>
      <DrawerProvider drawer={drawer}>
        <div className="shell" data-drawer={drawer.open ? 'open' : 'closed'}>
          <div
            id={DRAWER_ID}
            className="drawer"
            onClick={(e) => {
              // Choosing a channel closes the drawer, even the one already open.
              if (e.target instanceof Element && e.target.closest('a')) drawer.setOpen(false);
            }}
          >
            <Sidebar ws={ws} current={current} currentThread={route.type === 'thread' ? route.threadId : null} auditOpen={route.type === 'audit'} adminNotificationsOpen={route.type === 'admin-notifications'} notificationsOpen={route.type === 'notifications'} onSignOut={onSignOut} />
            <Preferences onShortcuts={() => shortcuts.current?.open()} />
          </div>
          {drawer.open ? <div className="drawer-scrim" aria-hidden="true" onClick={() => drawer.setOpen(false)} /> : null}
          <main className="main">
            <ReconnectBanner ws={ws} />
            {main}
          </main>
          <Shortcuts ref={shortcuts} />
        </div>
      </DrawerProvider>
    </CentreContext.Provider>
  );
}
