// The bar above a machine session's thread (docs/protocol.md §15): the machine and its presence,
// the folder or the worktree's branch, the session's state (or how it ended), the Conversation /
// Changes switch, the end controls, and the last end's outcome or refusal.

import { useState } from 'react';
import type { Actor } from '@pilothouse/protocol';
import type { ChannelSession } from '../app/channel-session.js';
import { endChoices, endingText, refusalFiles, type ThreadSession } from '../state/machines.js';
import { SessionEndControls, type EndOutcome } from './SessionEndControls.js';

export type SessionTab = 'conversation' | 'changes';

function Outcome({ outcome }: { outcome: EndOutcome }) {
  if (outcome.type === 'ok') {
    return (
      <p className="session-result ok" role="status" data-testid="session-result" data-outcome="ok" data-how={outcome.how}>
        {outcome.message}
      </p>
    );
  }
  const files = refusalFiles(outcome.details);
  return (
    <div className="session-result refused" role="alert" data-testid="session-result" data-outcome="refused" data-how={outcome.how} data-code={outcome.code}>
      <p>
        {outcome.message} <small className="refusal-code">({outcome.code})</small>
      </p>
      {files.length > 0 ? (
        <ul className="conflict-files" aria-label="Conflicting files" data-testid="conflict-files">
          {files.map((f) => (
            <li key={f}>
              <code>{f}</code>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

function Tabs({ tab, onTab }: { tab: SessionTab; onTab: (t: SessionTab) => void }) {
  const option = (value: SessionTab, label: string) => (
    <button type="button" aria-pressed={tab === value} data-testid={`session-tab-${value}`} onClick={() => onTab(value)}>
      {label}
    </button>
  );
  return (
    <span className="session-tabs" role="group" aria-label="Show">
      {option('conversation', 'Conversation')}
      {option('changes', 'Changes')}
    </span>
  );
}

export function SessionBar({ session, found, me, tab, onTab }: { session: ChannelSession; found: ThreadSession; me: Actor; tab: SessionTab; onTab: (t: SessionTab) => void }) {
  const [outcome, setOutcome] = useState<EndOutcome | null>(null);
  const { machine, session: ms } = found;
  const presence = machine.online ? 'online' : 'offline';
  const ending = endingText(ms);
  return (
    <section className="session-bar" aria-label="Session" data-testid="session-bar" data-session={ms.session_id} data-state={ms.state} data-ending={ms.ending ?? undefined}>
      <div className="session-line">
        <span className="session-machine">
          <span className={`dot ${presence}`} aria-hidden="true" />
          <strong>{machine.name}</strong> <span className="machine-presence">{presence}</span>
        </span>
        <span className="session-where" title={ms.worktree ?? ms.folder}>
          {ms.branch ? (
            <>
              <code>{ms.branch}</code>
              {ms.base_branch ? <span className="muted"> from {ms.base_branch}</span> : null}
            </>
          ) : (
            <code>{ms.folder}</code>
          )}
        </span>
        <span className={`badge state-${ms.state}`} data-testid="session-state">
          {ms.state}
        </span>
      </div>
      {ending ? (
        <p className="session-ending" data-testid="session-ending">
          {ending}
        </p>
      ) : null}
      <div className="session-actions">
        {ms.ending === 'discarded' ? <span /> : <Tabs tab={tab} onTab={onTab} />}
        <SessionEndControls session={session} found={found} choices={endChoices(ms, me)} onOutcome={setOutcome} />
      </div>
      {outcome ? <Outcome outcome={outcome} /> : null}
    </section>
  );
}
