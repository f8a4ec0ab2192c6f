// A thread, live: its rows in order, each updated in place as appends arrive; the attached
// runner's presence; interrupt and "drop queued" for the people allowed to steer; the composer.
// The rows are a virtual list that opens on the newest ones and loads older history on demand
// (ThreadRows.tsx).

import { useCallback, useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import type { Actor, ControlAction } from '@pilothouse/protocol';
import type { ChannelSession } from '../app/channel-session.js';
import type { SeenStore } from '../app/seen.js';
import { channelPath } from '../app/route.js';
import { firstLine } from '../render/first-line.js';
import { messagesOf } from '../state/thread.js';
import { names, steeringOf } from '../state/steering.js';
import { markThreadSeen } from '../state/unread.js';
import { RunnerPresenceLine } from './badges.js';
import { ChannelGate } from './ChannelGate.js';
import { Composer } from './Composer.js';
import { Link } from './Link.js';
import type { RowContext } from './row-context.js';
import { ThreadRows } from './ThreadRows.js';

export function ThreadView({ session, threadId, me, seen }: { session: ChannelSession; threadId: string; me: Actor; seen: SeenStore }) {
  const view = useSyncExternalStore(session.subscribe, session.getSnapshot);
  useEffect(() => {
    session.openThread(threadId);
    return () => session.closeThread();
  }, [session, threadId]);

  const thread = view.thread?.threadId === threadId ? view.thread : null;
  const messages = useMemo(() => (thread ? messagesOf(thread) : []), [thread]);
  const runners = useMemo(() => Object.values(view.channel.runners), [view.channel.runners]);
  const steering = useMemo(() => steeringOf(runners, threadId, messages, me), [runners, threadId, messages, me]);
  const { mayControl, runner, active, queued } = steering;

  const [controlError, setControlError] = useState<string | null>(null);
  const control = useCallback(
    (action: ControlAction) => {
      setControlError(null);
      return session.control(threadId, action).catch((err: Error) => {
        setControlError(err.message);
        throw err;
      });
    },
    [session, threadId],
  );
  const loadBody = useCallback((messageId: string) => session.loadBody(messageId), [session]);
  const ctx = useMemo<RowContext>(() => ({ me, mayControl, control, loadBody }), [me, mayControl, control, loadBody]);

  const lastSeq = messages.at(-1)?.seq ?? 0;
  useEffect(() => {
    if (lastSeq > 0) seen.update((s) => markThreadSeen(s, threadId, lastSeq));
  }, [seen, threadId, lastSeq]);

  const root = messages[0];
  const title = (root ? firstLine(root.body, 140) : '') || 'Thread';
  useEffect(() => {
    document.title = `${title} · ${session.channel} · Pilothouse`;
  }, [title, session.channel]);

  const loadOlder = useCallback(() => session.loadOlder(threadId), [session, threadId]);

  const turnRunning = active !== null || runner?.status === 'working';
  const notAllowed = runner ? `Only ${names(runner.allowed)} can steer this session.` : undefined;

  return (
    <ChannelGate channel={session.channel} join={view.channel.join} me={me.name}>
      <div className="thread">
        <header className="view-head">
          <Link to={channelPath(session.channel)} className="back">
            ← {session.channel}
          </Link>
          <h1 className="thread-title">{title}</h1>
          {runner ? <RunnerPresenceLine runner={runner} /> : null}
        </header>
        {view.threadError ? (
          <div className="rows">
            <p className="refused" role="alert">
              {view.threadError}
            </p>
          </div>
        ) : thread?.status !== 'ready' ? (
          <div className="rows">
            <p className="placeholder">Loading the thread…</p>
          </div>
        ) : (
          <ThreadRows messages={messages} clipped={thread.clipped} ctx={ctx} older={thread.older} olderError={view.olderError} loadOlder={loadOlder} />
        )}
        {runner ? (
          <div className="controls">
            {turnRunning ? (
              <button type="button" className="danger" disabled={!mayControl} title={mayControl ? 'Stop the running turn' : notAllowed} onClick={() => void control({ type: 'interrupt' }).catch(() => undefined)}>
                Interrupt
              </button>
            ) : null}
            {queued.length > 0 ? (
              <button
                type="button"
                disabled={!mayControl}
                title={mayControl ? 'Drop every queued message' : notAllowed}
                onClick={() => void control({ type: 'drop_queued', through_seq: queued.at(-1)!.seq }).catch(() => undefined)}
              >
                Drop queued ({queued.length})
              </button>
            ) : null}
            <span className="controls-note">{mayControl ? `You steer this session (${runner.status}).` : notAllowed}</span>
            {controlError ? (
              <p className="error" role="alert">
                {controlError}
              </p>
            ) : null}
          </div>
        ) : null}
        {thread?.status === 'ready' ? (
          <Composer
            send={(body) => session.post(body, threadId)}
            label={runner && !mayControl ? 'Comment' : 'Send'}
            placeholder={runner && mayControl ? 'Steer the agent: Enter to send, Shift+Enter for a new line' : 'Reply: Enter to send, Shift+Enter for a new line'}
            note={runner && !mayControl ? `${notAllowed ?? ''} The agent ignores your messages; everyone sees them.` : undefined}
          />
        ) : null}
      </div>
    </ChannelGate>
  );
}
