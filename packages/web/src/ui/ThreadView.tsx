// A thread, live: its rows in order, each updated in place as appends arrive; the attached
// runner's presence; interrupt and "drop queued" for the people allowed to steer; the composer.
// Follows the newest row while the reader is at the bottom.

import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import type { Actor, ControlAction } from '@pilothouse/protocol';
import type { ChannelSession } from '../app/channel-session.js';
import type { SeenStore } from '../app/seen.js';
import { channelPath } from '../app/route.js';
import { firstLine } from '../render/first-line.js';
import { messagesOf } from '../state/thread.js';
import { names, steeringOf } from '../state/steering.js';
import { markThreadSeen } from '../state/unread.js';
import { threadTitle } from '../state/threads.js';
import { Watchers } from './Watchers.js';
import { RunnerPresenceLine } from './badges.js';
import { ChannelGate } from './ChannelGate.js';
import { Composer } from './Composer.js';
import { Link } from './Link.js';
import { Row } from './Row.js';
import type { RowContext } from './row-context.js';

export function ThreadView({ session, threadId, me, seen }: { session: ChannelSession; threadId: string; me: Actor; seen: SeenStore }) {
  const view = useSyncExternalStore(session.subscribe, session.getSnapshot);
  useEffect(() => {
    session.openThread(threadId);
    session.watch(threadId);
    return () => {
      session.watch(null);
      session.closeThread();
    };
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
  const summary = view.list.byId[threadId];
  const title = (summary ? threadTitle(summary, (b) => firstLine(b, 140)) : root ? firstLine(root.body, 140) : '') || 'Thread';
  useEffect(() => {
    document.title = `${title} · ${session.channel} · Pilothouse`;
  }, [title, session.channel]);

  // Follow the stream while the reader is at the bottom; leave them alone when they scrolled up.
  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && atBottom.current) el.scrollTop = el.scrollHeight;
  }, [messages]);

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
          <Watchers presence={view.presence[threadId]} me={me} />
        </header>
        <div
          className="rows"
          ref={scroller}
          onScroll={(e) => {
            const el = e.currentTarget;
            atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
          }}
        >
          {view.threadError ? (
            <p className="refused" role="alert">
              {view.threadError}
            </p>
          ) : thread?.status !== 'ready' ? (
            <p className="placeholder">Loading the thread…</p>
          ) : (
            messages.map((m) => <Row key={m.id} message={m} clipped={thread.clipped[m.id]} ctx={ctx} />)
          )}
        </div>
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
          <div className="composer-presence" onInput={(e) => e.target instanceof HTMLTextAreaElement && session.typing(threadId, e.target.value !== '')}>
            <Composer
              send={(body) => session.post(body, threadId).finally(() => session.typing(threadId, false))}
              label={runner && !mayControl ? 'Comment' : 'Send'}
              placeholder={runner && mayControl ? 'Steer the agent: Enter to send, Shift+Enter for a new line' : 'Reply: Enter to send, Shift+Enter for a new line'}
              note={runner && !mayControl ? `${notAllowed ?? ''} The agent ignores your messages; everyone sees them.` : undefined}
            />
          </div>
        ) : null}
      </div>
    </ChannelGate>
  );
}
