// The page after sign-in: with one channel, that channel opens at once, on its latest live session
// when there is one (never a blank "pick a channel"); with several, the list on the left.

import { useEffect, useSyncExternalStore } from 'react';
import { channelPath, navigate, threadPath } from '../app/route.js';
import type { Workspace } from '../app/workspace.js';
import { runnersOf } from '../state/channel.js';
import { latestLiveSession } from '../state/sessions.js';
import { summariesOf } from '../state/threads.js';

function OpenChannel({ ws, channel }: { ws: Workspace; channel: string }) {
  const session = ws.session(channel);
  const view = useSyncExternalStore(session.subscribe, session.getSnapshot);
  const joined = view.channel.join.status;
  const ready = view.list.status === 'ready';
  useEffect(() => {
    // A refused join is shown by the channel page itself.
    if (joined === 'refused') return navigate(channelPath(channel), { replace: true });
    if (joined !== 'joined' || !ready) return;
    const live = latestLiveSession(summariesOf(view.list), runnersOf(view.channel));
    navigate(live === null ? channelPath(channel) : threadPath(channel, live), { replace: true });
  }, [channel, joined, ready, view.list, view.channel]);
  return <p className="placeholder">Opening {channel}…</p>;
}

export function Home({ ws }: { ws: Workspace }) {
  const [only] = ws.channels;
  if (ws.channels.length === 1 && only !== undefined) return <OpenChannel ws={ws} channel={only} />;
  return <p className="placeholder">{ws.channels.length > 0 ? 'Pick a channel on the left.' : 'Ask an admin to add you to a channel.'}</p>;
}
