// Stop, Keep, Merge and Discard for a machine session (`session_end`), for the people allowed to
// steer it (state/machines.ts endChoices). Discard deletes the branch: it asks first, in a dialog,
// then sends `confirm: true`. The outcome (the machine's sentence, or the refusal with its code
// and, for a conflict, the files) is the caller's to show.

import { useRef, useState } from 'react';
import type { SessionEndHow } from '@pilothouse/protocol';
import { PushError } from '../api/feed.js';
import type { ChannelSession } from '../app/channel-session.js';
import type { ThreadSession } from '../state/machines.js';

export type EndOutcome = { type: 'ok'; how: SessionEndHow; message: string } | { type: 'refused'; how: SessionEndHow; code: string; message: string; details: unknown };

const LABEL: Record<SessionEndHow, { idle: string; busy: string; title: string }> = {
  stop: { idle: 'Stop', busy: 'Stopping…', title: "Stop the agent; the session's folder and branch stay as they are" },
  keep: { idle: 'Keep', busy: 'Keeping…', title: 'End the session and keep its branch' },
  merge: { idle: 'Merge', busy: 'Merging…', title: 'End the session and merge its branch into the base branch' },
  discard: { idle: 'Discard', busy: 'Discarding…', title: 'End the session and delete its worktree and branch' },
};

function DiscardDialog({ branch, onConfirm, onCancel }: { branch: string | null; onConfirm: () => void; onCancel: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  return (
    <dialog
      ref={(d) => {
        ref.current = d;
        if (d && !d.open) d.showModal();
      }}
      className="dialog confirm-discard"
      aria-labelledby="discard-title"
      aria-describedby="discard-text"
      data-testid="discard-dialog"
      onClose={onCancel}
      onKeyDown={(e) => e.key === 'Escape' && e.stopPropagation()}
    >
      <div className="dialog-body">
        <h2 id="discard-title">Discard this session?</h2>
        <p id="discard-text">
          Its worktree and the branch {branch ? <code>{branch}</code> : null} are deleted, with every change the agent made. This cannot be undone.
        </p>
        <div className="dialog-actions">
          <button type="button" autoFocus onClick={() => ref.current?.close()}>
            Cancel
          </button>
          <button type="button" className="danger" data-testid="discard-confirm" onClick={onConfirm}>
            Discard
          </button>
        </div>
      </div>
    </dialog>
  );
}

export function SessionEndControls({ session, found, choices, onOutcome }: { session: ChannelSession; found: ThreadSession; choices: readonly SessionEndHow[]; onOutcome: (o: EndOutcome | null) => void }) {
  const [pending, setPending] = useState<SessionEndHow | null>(null);
  const [confirming, setConfirming] = useState(false);
  const { machine, session: ms } = found;

  const end = (how: SessionEndHow) => {
    setConfirming(false);
    setPending(how);
    onOutcome(null);
    session.endSession({ machine: machine.name, owner_id: machine.owner.user_id, session_id: ms.session_id, how, ...(how === 'discard' ? { confirm: true } : {}) }).then(
      (result) => {
        setPending(null);
        onOutcome({ type: 'ok', how, message: result.message });
      },
      (err: unknown) => {
        setPending(null);
        const e = err instanceof PushError ? err : new PushError('internal', String(err));
        onOutcome({ type: 'refused', how, code: e.code, message: e.message, details: e.details });
      },
    );
  };

  if (choices.length === 0) return null;
  return (
    <div className="session-end" role="group" aria-label="End the session">
      {choices.map((how) => (
        <button
          key={how}
          type="button"
          className={how === 'discard' ? 'danger' : undefined}
          data-testid={`session-end-${how}`}
          title={LABEL[how].title}
          disabled={pending !== null}
          onClick={() => (how === 'discard' ? setConfirming(true) : end(how))}
        >
          {pending === how ? LABEL[how].busy : LABEL[how].idle}
        </button>
      ))}
      {confirming ? <DiscardDialog branch={ms.branch} onConfirm={() => end('discard')} onCancel={() => setConfirming(false)} /> : null}
    </div>
  );
}
