// A channel: the runners present (status, folder, agent version), a box to start a thread, and
// the threads, newest first, with unread markers.

import { useEffect, useMemo, useSyncExternalStore } from 'react';
import type { Actor } from '@pilothouse/protocol';
import type { ChannelSession } from '../app/channel-session.js';
import type { SeenStore } from '../app/seen.js';
import { draftKey } from '../app/drafts.js';
import { pageTitle } from '../render/thread-title.js';
import { runnersOf } from '../state/channel.js';
import { summariesOf } from '../state/threads.js';
import { RunnerPresenceLine } from './badges.js';
import { ChannelGate } from './ChannelGate.js';
import { Composer } from './Composer.js';
import { ViewHeader } from './layout/ViewHeader.js';
import { SessionList } from './SessionList.js';

export function ChannelView({ session, me, seen }: { session: ChannelSession; me: Actor; seen: SeenStore }) {
  const view = useSyncExternalStore(session.subscribe, session.getSnapshot);
  const seenMap = useSyncExternalStore(seen.subscribe, seen.get);
  const threads = useMemo(() => summariesOf(view.list), [view.list]);
  const runners = useMemo(() => runnersOf(view.channel), [view.channel]);
  useEffect(() => {
    document.title = pageTitle(session.channel);
  }, [session.channel]);

  return (
    <ChannelGate channel={session.channel} join={view.channel.join} me={me.name}>
      <div className="channel">
        <ViewHeader
          title={`# ${session.channel}`}
          details={
            runners.length > 0 ? (
              <section className="runners" aria-label="Runners">
                {runners.map((r) => (
                  <RunnerPresenceLine key={r.runner_id} runner={r} />
                ))}
              </section>
            ) : (
              <p className="muted">No runner has joined this channel yet.</p>
            )
          }
        />
        <div className="thread-list">
          {view.listError ? (
            <p className="error" role="alert">
              {view.listError}
            </p>
          ) : null}
          {view.list.status !== 'ready' ? (
            <p className="placeholder">Loading threads…</p>
          ) : threads.length === 0 ? (
            <p className="placeholder">No threads yet. Start one below.</p>
          ) : (
            <SessionList session={session} threads={threads} runners={runners} me={me} seen={seenMap} />
          )}
        </div>
        <Composer send={(body) => session.post(body)} draftKey={draftKey(session.channel)} label="Start thread" placeholder={`Start a thread in ${session.channel}`} />
      </div>
    </ChannelGate>
  );
}
