// The approval prompt on a source message: what the agent asks, why, and the choices. The buttons
// are live only for the people allowed to decide; everyone else sees who may. The hub checks again
// (sender_not_allowed), and a refusal is shown here. A port-forward prompt passes its own control.

import { useState } from 'react';
import { assertNever, type Approval, type ControlAction } from '@pilothouse/protocol';
import { mayAnswer, names } from '../state/steering.js';
import { DiffView } from './DiffView.js';
import type { RowContext } from './row-context.js';

function title(kind: Approval['kind']): string {
  switch (kind) {
    case 'command':
      return 'The agent asks to run a command';
    case 'file_change':
      return 'The agent asks to change files';
    case 'permissions':
      return 'The agent asks for more permissions';
    case 'user_input':
      return 'The agent has a question';
    case 'port_forward':
      return 'Open a preview of this port?';
    default:
      return assertNever(kind, 'approval kind');
  }
}

const resolveApproval = (approval: Approval, choice: string): ControlAction => ({ type: 'resolve_approval', request_id: approval.request_id, choice });

export function ApprovalPrompt({
  approval,
  ctx,
  action = resolveApproval,
}: {
  approval: Approval;
  ctx: RowContext;
  /** The control a choice sends (default: resolve_approval); null refuses the choice here. */
  action?: (approval: Approval, choice: string) => ControlAction | null;
}) {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const allowed = mayAnswer(approval, ctx.mayControl, ctx.me);
  const decide = (choice: string) => {
    const control = action(approval, choice);
    if (control === null) return setError(`"${choice}" is not a choice this prompt accepts.`);
    setBusy(choice);
    setError(null);
    ctx
      .control(control)
      .catch((err: Error) => setError(err.message))
      .finally(() => setBusy(null));
  };
  return (
    <section className="approval" aria-label="Approval request" data-request-id={approval.request_id}>
      <div className="approval-title">{title(approval.kind)}</div>
      {approval.kind === 'file_change' ? (
        <DiffView text={approval.summary} />
      ) : approval.kind === 'port_forward' ? null /* the row above says it */ : (
        <pre className="approval-summary">{approval.summary}</pre>
      )}
      {approval.reason ? (
        <p className="approval-reason">
          <strong>Reason:</strong> {approval.reason}
        </p>
      ) : null}
      <div className="choices">
        {approval.choices.map((c) => (
          <button
            key={c.id}
            type="button"
            className={c.id.startsWith('approve') ? 'primary' : ''}
            data-choice={c.id}
            disabled={!allowed || busy !== null}
            title={c.description}
            onClick={() => decide(c.id)}
          >
            {busy === c.id ? '…' : c.label}
          </button>
        ))}
      </div>
      <p className="approval-who">
        {allowed ? 'You may decide.' : `Waiting for ${names(approval.allowed.map((a) => a.name))} to decide.`}
      </p>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
    </section>
  );
}
