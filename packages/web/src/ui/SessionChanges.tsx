// A machine session's changes against its base (`session_changes`): each file with its status,
// +/− counts and its diff (DiffView). Loaded when shown, again whenever `signal` moves (a turn
// ended, the agent finished a change: state/machines.ts turnSignal) and on Refresh; an answer to
// an older request than the newest is dropped.

import { useCallback, useEffect, useRef, useState } from 'react';
import type { ChangedFile, SessionChanges as Changes } from '@pilothouse/protocol';
import type { ChannelSession } from '../app/channel-session.js';
import type { ThreadSession } from '../state/machines.js';
import { DiffView } from './DiffView.js';

type Load = { status: 'loading'; changes: Changes | null } | { status: 'ready'; changes: Changes } | { status: 'error'; changes: Changes | null; message: string };

const STATUS_WORD: Record<ChangedFile['status'], string> = { A: 'added', M: 'modified', D: 'deleted', R: 'renamed', '?': 'untracked' };
/** The badge: git's letter, but a new file the agent has not committed reads "new" rather than git's "?". */
const STATUS_BADGE: Record<ChangedFile['status'], string> = { A: 'A', M: 'M', D: 'D', R: 'R', '?': 'new' };
/** Up to this many files open with their diffs shown; more start folded. */
const OPEN_FILES = 8;

function ChangedFileItem({ file, open }: { file: ChangedFile; open: boolean }) {
  return (
    <details className="changed-file" data-testid="changed-file" data-path={file.path} data-status={file.status} open={open}>
      <summary>
        <span className={`change-status status-${STATUS_WORD[file.status]}`} title={STATUS_WORD[file.status]}>
          {STATUS_BADGE[file.status]}
          <span className="visually-hidden"> {STATUS_WORD[file.status]}</span>
        </span>
        <span className="changed-path">{file.path}</span>
        <span className="changed-counts">
          <span className="adds">
            +{file.additions}
            <span className="visually-hidden"> added lines,</span>
          </span>{' '}
          <span className="dels">
            −{file.deletions}
            <span className="visually-hidden"> removed lines</span>
          </span>
        </span>
      </summary>
      {file.diff === '' ? <p className="muted changed-empty">No text diff (a binary file, or only its mode changed).</p> : <DiffView text={file.diff} />}
      {file.clipped ? <p className="muted changed-empty">This diff is clipped; the whole file is on the machine.</p> : null}
    </details>
  );
}

function Summary({ changes }: { changes: Changes }) {
  const adds = changes.files.reduce((n, f) => n + f.additions, 0);
  const dels = changes.files.reduce((n, f) => n + f.deletions, 0);
  const count = changes.files.length;
  return (
    <span className="changes-summary" data-testid="changes-summary">
      {count === 0 ? 'No changes' : `${count}${changes.truncated ? '+' : ''} file${count === 1 ? '' : 's'} changed, +${adds} −${dels}`}
      {changes.base ? <span className="muted"> against {changes.base.slice(0, 10)}</span> : null}
    </span>
  );
}

export function SessionChanges({ session, found, signal }: { session: ChannelSession; found: ThreadSession; signal: string }) {
  const [load, setLoad] = useState<Load>({ status: 'loading', changes: null });
  const latest = useRef(0);
  const machineName = found.machine.name;
  const ownerId = found.machine.owner.user_id;
  const sessionId = found.session.session_id;

  const fetchChanges = useCallback(() => {
    const n = ++latest.current;
    setLoad((l) => ({ status: 'loading', changes: l.changes }));
    session.sessionChanges({ machine: machineName, owner_id: ownerId, session_id: sessionId }).then(
      (changes) => n === latest.current && setLoad({ status: 'ready', changes }),
      (err: Error) => n === latest.current && setLoad((l) => ({ status: 'error', changes: l.changes, message: err.message })),
    );
  }, [session, machineName, ownerId, sessionId]);

  useEffect(fetchChanges, [fetchChanges, signal]);

  const changes = load.changes;
  return (
    <section className="session-changes" aria-label="Changes" data-testid="session-changes" data-status={load.status}>
      <div className="changes-head">
        {changes ? <Summary changes={changes} /> : <span className="muted">Loading the changes…</span>}
        <button type="button" data-testid="changes-refresh" onClick={fetchChanges} disabled={load.status === 'loading'}>
          {load.status === 'loading' ? 'Refreshing…' : 'Refresh'}
        </button>
      </div>
      {load.status === 'error' ? (
        <p className="error" role="alert" data-testid="changes-error">
          The changes could not be loaded: {load.message}
        </p>
      ) : null}
      {changes ? (
        <div className="changes-files">
          {changes.files.map((file) => (
            <ChangedFileItem key={file.path} file={file} open={changes.files.length <= OPEN_FILES} />
          ))}
          {changes.truncated ? <p className="muted">More files changed than are shown here.</p> : null}
        </div>
      ) : null}
    </section>
  );
}
