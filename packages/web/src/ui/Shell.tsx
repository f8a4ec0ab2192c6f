// Signed in: sidebar, reconnect banner and the view the address names (a channel or a thread).
// The views load on demand, so the thread renderer (markdown-it, DOMPurify, ansi_up, diff,
// highlighting) is fetched only when a view needs it.

import { lazy, Suspense, useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { assertNever, type Actor } from '@pilothouse/protocol';
import type { Me } from '../api/http.js';
import { parseRoute, usePath } from '../app/route.js';
import { Workspace } from '../app/workspace.js';
import { Sidebar } from './Sidebar.js';

const ChannelView = lazy(() => import('./ChannelView.js').then((m) => ({ default: m.ChannelView })));
const ThreadView = lazy(() => import('./ThreadView.js').then((m) => ({ default: m.ThreadView })));

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
  const route = parseRoute(usePath());
  if (!ws) return null;
  const current = route.type === 'channel' || route.type === 'thread' ? route.channel : null;
  let main;
  switch (route.type) {
    case 'home':
      main = <p className="placeholder">{ws.channels.length > 0 ? 'Pick a channel on the left.' : 'Ask an admin to add you to a channel.'}</p>;
      break;
    case 'channel':
      main = <ChannelView key={route.channel} session={ws.session(route.channel)} me={actor} seen={ws.seen} />;
      break;
    case 'thread':
      main = <ThreadView key={`${route.channel}/${route.threadId}`} session={ws.session(route.channel)} threadId={route.threadId} me={actor} seen={ws.seen} />;
      break;
    case 'unknown':
      main = <p className="placeholder">Nothing lives at {route.path}.</p>;
      break;
    default:
      main = assertNever(route, 'route');
  }
  return (
    <div className="shell">
      <Sidebar ws={ws} current={current} onSignOut={onSignOut} />
      <main className="main">
        <ReconnectBanner ws={ws} />
        <Suspense fallback={<p className="placeholder">Loading…</p>}>{main}</Suspense>
      </main>
    </div>
  );
}

