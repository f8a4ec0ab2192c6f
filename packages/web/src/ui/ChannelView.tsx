// A channel: the runners present (status, folder, agent version), a box to start a thread, and
// the threads, newest first, with unread markers.

import { useEffect, useMemo, useSyncExternalStore } from 'react';
import type { Actor } from '@pilothouse/protocol';
import type { ChannelSession } from '../app/channel-session.js';
import type { SeenStore } from '../app/seen.js';
import { draftKey } from '../app/drafts.js';
import { threadPath } from '../app/route.js';
import { firstLine } from '../render/first-line.js';
import { pageTitle } from '../render/thread-title.js';
import { runnersOf } from '../state/channel.js';
import { summariesOf } from '../state/threads.js';
import { isThreadUnread } from '../state/unread.js';
import { RunnerPresenceLine, StateBadge } from './badges.js';
import { ChannelGate } from './ChannelGate.js';
import { Composer } from './Composer.js';
import { Link } from './Link.js';
import { KIND_LABELS } from './renderers.js';
import { Time } from './Time.js';
import { ViewHeader } from './layout/ViewHeader.js';

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
            <ul>
              {threads.map((t) => {
                const unread = isThreadUnread(seenMap, session.channel, t);
                return (
                  <li key={t.root.id} className={unread ? 'unread' : ''} data-unread={unread}>
                    <Link to={threadPath(session.channel, t.root.id)} className="thread-link">
                      <span className="kind-label">{KIND_LABELS[t.root.kind]}</span>
                      <span className="author">{t.root.author.name}</span>
                      <span className="thread-preview">{firstLine(t.root.body, 200) || '(empty)'}</span>
                      <Time iso={t.root.created_at} relative />
                      <span className="replies">
                        {t.reply_count} {t.reply_count === 1 ? 'reply' : 'replies'}
                      </span>
                      {t.root.state ? <StateBadge state={t.root.state} /> : null}
                      {unread ? <span className="unread-dot" aria-label="unread" /> : null}
                    </Link>
                  </li>
                );
              })}
            </ul>
          )}
        </div>
        <Composer send={(body) => session.post(body)} draftKey={draftKey(session.channel)} label="Start thread" placeholder={`Start a thread in ${session.channel}`} />
      </div>
    </ChannelGate>
  );
}
