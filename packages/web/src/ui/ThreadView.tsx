// A thread, live: its rows in order, each updated in place as appends arrive; the attached
// runner's presence; interrupt and "drop queued" for the people allowed to steer; the composer.
// The rows are a virtual list that opens on the newest ones and loads older history on demand
// (ThreadRows.tsx). A session started on a machine from the web gets a bar (SessionBar.tsx) with
// its state, end controls and a Changes view of its diff against its base (SessionChanges.tsx).

import { useCallback, useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import type { Actor, ControlAction, Message } from '@pilothouse/protocol';
import type { ChannelSession } from '../app/channel-session.js';
import type { SeenStore } from '../app/seen.js';
import { draftKey } from '../app/drafts.js';
import { channelPath } from '../app/route.js';
import { agentIdentity } from '../render/agent-identity.js';
import { pageTitle, threadTitle as rootTitle } from '../render/thread-title.js';
import { sessionForThread, turnSignal } from '../state/machines.js';
import { messagesOf } from '../state/thread.js';
import { names, steeringOf } from '../state/steering.js';
import { markThreadSeen } from '../state/unread.js';
import { threadTitle } from '../state/threads.js';
import { Watchers } from './Watchers.js';
import { RunnerPresenceLine } from './badges.js';
import { ChannelGate } from './ChannelGate.js';
import { Composer } from './Composer.js';
import { ViewHeader } from './layout/ViewHeader.js';
import type { RowContext } from './row-context.js';
import { SessionBar, type SessionTab } from './SessionBar.js';
import { SessionChanges } from './SessionChanges.js';
import { ThreadRows } from './ThreadRows.js';

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
  const root = messages[0];
  const agentOf = useCallback((m: Pick<Message, 'runner_id' | 'author'>) => agentIdentity(m, view.channel.runners, root), [view.channel.runners, root]);
  const ctx = useMemo<RowContext>(() => ({ me, mayControl, control, loadBody, agentOf }), [me, mayControl, control, loadBody, agentOf]);

  const lastSeq = messages.at(-1)?.seq ?? 0;
  useEffect(() => {
    if (lastSeq > 0) seen.update((s) => markThreadSeen(s, threadId, lastSeq));
  }, [seen, threadId, lastSeq]);

  const summary = view.list.byId[threadId];
  const title = summary ? threadTitle(summary, () => rootTitle(root ?? summary.root)) : rootTitle(root);
  useEffect(() => {
    document.title = pageTitle(session.channel, title);
  }, [title, session.channel]);

  const loadOlder = useCallback(() => session.loadOlder(threadId), [session, threadId]);

  // A session started on a machine from the web: its bar, and its changes on demand.
  const machineSession = useMemo(() => sessionForThread(view.machines.list, threadId), [view.machines.list, threadId]);
  const [tab, setTab] = useState<SessionTab>('conversation');
  const turns = useMemo(() => turnSignal(messages), [messages]);
  const changesSignal = machineSession ? `${turns}:${machineSession.session.state}:${machineSession.session.ending ?? ''}` : '';
  // A discarded session's worktree and branch are gone: there are no changes to show.
  const showChanges = machineSession !== null && tab === 'changes' && machineSession.session.ending !== 'discarded';

  const turnRunning = active !== null || runner?.status === 'working';
  const notAllowed = runner ? `Only ${names(runner.allowed)} can steer this session.` : undefined;

  return (
    <ChannelGate channel={session.channel} join={view.channel.join} me={me.name}>
      <div className="thread">
        <ViewHeader
          title={title}
          back={{ to: channelPath(session.channel), label: session.channel }}
          details={runner ? <RunnerPresenceLine runner={runner} /> : null}
          aside={<Watchers presence={view.presence[threadId]} me={me} />}
        />
        {machineSession ? <SessionBar session={session} found={machineSession} me={me} tab={tab} onTab={setTab} /> : null}
        {showChanges ? (
          <SessionChanges session={session} found={machineSession} signal={changesSignal} />
        ) : view.threadError ? (
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
            {/* A watcher is told once, above the composer; the controls say nothing more. */}
            {mayControl ? <span className="controls-note">{`You steer this session (${runner.status}).`}</span> : null}
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
              draftKey={draftKey(session.channel, threadId)}
              label={runner && !mayControl ? 'Comment' : 'Send'}
              placeholder={
                !runner ? 'Reply: Enter to send, Shift+Enter for a new line' : mayControl ? 'Steer the agent: Enter to send, Shift+Enter for a new line' : 'Comment: Enter to send, Shift+Enter for a new line'
              }
              note={runner && !mayControl ? `Only ${names(runner.allowed)} can steer this session: the agent does not act on your comments, but everyone sees them.` : undefined}
            />
          </div>
        ) : null}
      </div>
    </ChannelGate>
  );
}
