// A channel's threads as a list that tells them apart: the title (set by a steerer, or the first
// instruction), the agent, the folder (its name; the path on hover), live or ended, the last
// activity (relative; the full time on hover) and unread. Steerers rename a session in place.

import { useState, type KeyboardEvent } from 'react';
import { agentDisplayName, isLiveSession, mayRetitle, MAX_TITLE, sessionRunner, type Actor, type RunnerPresence } from '@pilothouse/protocol';
import type { ChannelSession } from '../app/channel-session.js';
import { threadPath } from '../app/route.js';
import { agentKind, type AgentKind } from '../render/agent-identity.js';
import { folderName, threadTitle as rootTitle } from '../render/thread-title.js';
import { threadTitle, type ThreadSummary } from '../state/threads.js';
import { isThreadUnread, type Seen } from '../state/unread.js';
import { Link } from './Link.js';
import { Time } from './Time.js';
import { AgentMark } from './truth.js';

const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** The agent (its name as people say it, its version, its mark) and folder of a thread: from its session root's meta, else from its runner. */
function facts(t: ThreadSummary, runner: RunnerPresence | null): { agent: { label: string; kind: AgentKind; name: string } | null; cwd: string | null } {
  const meta = t.root.meta ?? {};
  const id = text(meta.agent) ?? runner?.agent.name ?? null;
  const version = text(meta.agent_version) ?? runner?.agent.version ?? null;
  const agent = id === null ? null : { name: agentDisplayName(id), label: version ? `${agentDisplayName(id)} ${version}` : agentDisplayName(id), kind: agentKind(id) };
  return { agent, cwd: text(meta.cwd) ?? runner?.cwd ?? null };
}

function Rename({ initial, save, done }: { initial: string; save: (title: string | null) => Promise<unknown>; done: () => void }) {
  const [value, setValue] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const submit = () => {
    const title = value.replace(/\s+/g, ' ').trim();
    save(title === '' ? null : title).then(done, (err: Error) => setError(err.message));
  };
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      submit();
    } else if (e.key === 'Escape') done();
  };
  return (
    <span className="session-rename-form">
      <input className="session-title-input" aria-label="Session title" value={value} maxLength={MAX_TITLE} autoFocus onChange={(e) => setValue(e.target.value)} onKeyDown={onKeyDown} onBlur={done} />
      {error ? (
        <span className="error" role="alert">
          {error}
        </span>
      ) : null}
    </span>
  );
}

export function SessionList({ session, threads, runners, me, seen, current }: { session: ChannelSession; threads: readonly ThreadSummary[]; runners: readonly RunnerPresence[]; me: Actor; seen: Seen; current?: string | undefined }) {
  const [renaming, setRenaming] = useState<string | null>(null);
  return (
    <ul className="session-list">
      {threads.map((t) => {
        const runner = sessionRunner(t.root, runners);
        const isSession = t.root.runner_id !== null;
        const live = isSession && isLiveSession(t.root, runners);
        const unread = isThreadUnread(seen, session.channel, t);
        const { agent, cwd } = facts(t, runner);
        const title = threadTitle(t, () => rootTitle(t.root));
        return (
          <li key={t.root.id} data-thread-id={t.root.id} data-live={live} data-unread={unread} className={`${unread ? 'unread' : ''} ${current === t.root.id ? 'current' : ''}`}>
            <div className="session-head">
              {renaming === t.root.id ? (
                <Rename initial={t.title ?? title} save={(v) => session.setTitle(t.root.id, v)} done={() => setRenaming(null)} />
              ) : (
                <Link to={threadPath(session.channel, t.root.id)} className="session-link thread-link">
                  <span className="session-title">{title}</span>
                </Link>
              )}
              {renaming !== t.root.id && mayRetitle(t.root, runners, me) ? (
                <button type="button" className="session-rename" aria-label={`Rename “${title}”`} title="Rename" onClick={() => setRenaming(t.root.id)}>
                  ✎
                </button>
              ) : null}
              {unread ? <span className="unread-dot" aria-label="unread" /> : null}
            </div>
            <div className="session-facts">
              {isSession ? <span className={`session-live ${live ? 'live' : 'ended'}`}>{live ? 'live' : 'ended'}</span> : <span className="session-author">{t.root.author.name}</span>}
              {agent ? (
                <span className="session-agent" data-agent={agent.kind}>
                  <AgentMark kind={agent.kind} title={agent.name} />
                  {agent.label}
                </span>
              ) : null}
              {cwd ? (
                <span className="session-folder" title={cwd}>
                  {folderName(cwd)}
                </span>
              ) : null}
              <Time className="session-when" iso={t.last_at} relative />
              <span className="session-replies">
                {t.reply_count} {t.reply_count === 1 ? 'reply' : 'replies'}
              </span>
            </div>
          </li>
        );
      })}
    </ul>
  );
}
