// "New session": a modal form that starts a coding-agent session on a machine (docs/protocol.md
// §15). The native <dialog> keeps focus inside and closes on Esc; it is portalled to <body> so the
// drawer that holds the machines list on phones neither hides nor closes it. The form's rules are
// state/new-session.ts; a refusal shows the hub's message and code and changes nothing else; a
// started session opens its thread.

import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { createPortal } from 'react-dom';
import { agentDisplayName, type Actor, type MachinePresence } from '@pilothouse/protocol';
import { PushError } from '../api/feed.js';
import type { ChannelSession } from '../app/channel-session.js';
import { newClientId } from '../app/ids.js';
import { navigate, threadPath } from '../app/route.js';
import { findMachine, machineKey } from '../state/machines.js';
import { EFFORTS, branchPreview, formProblem, mayUseWorktree, newSessionForm, startRequest, takesSandbox, withFolder, withMachine, type NewSessionForm } from '../state/new-session.js';
import { Icon } from './layout/icons.js';

interface Refusal {
  readonly code: string;
  readonly message: string;
}

function Field({ label, hint, children, id }: { label: string; hint?: ReactNode; children: ReactNode; id: string }) {
  return (
    <div className="form-field">
      <label htmlFor={id}>{label}</label>
      {children}
      {hint ? (
        <p className="form-hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}

export function NewSessionDialog({
  session,
  machines,
  me,
  initialMachine,
  onClose,
}: {
  session: ChannelSession;
  machines: readonly MachinePresence[];
  me: Actor;
  /** machineKey of the machine whose button opened the form. */
  initialMachine: string;
  onClose: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const id = useId();
  const [form, setForm] = useState<NewSessionForm | null>(() => {
    const m = findMachine(machines, initialMachine);
    return m ? newSessionForm(m) : null;
  });
  const [pending, setPending] = useState(false);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const open = useRef(true);

  useEffect(() => {
    open.current = true;
    const d = dialog.current;
    if (d && !d.open) {
      d.showModal();
      // The first field, not the header's Close button that the dialog would focus by itself.
      d.querySelector<HTMLElement>('select, input, textarea')?.focus();
    }
    return () => {
      open.current = false;
    };
  }, []);

  if (!form) return null;
  const machine = findMachine(machines, form.machine);
  const problem = formProblem(form, machine, me);
  const git = machine ? mayUseWorktree(form, machine) : false;
  const branch = branchPreview(form);
  const set = (patch: Partial<NewSessionForm>) => setForm({ ...form, ...patch });
  const close = () => dialog.current?.close();

  const submit = () => {
    if (!machine || problem !== null || pending) return;
    setPending(true);
    setRefusal(null);
    session.startSession(startRequest(form, machine, newClientId('ms'))).then(
      (reply) => {
        if (!open.current) return;
        setPending(false);
        close();
        if (reply.session.thread_id !== null) navigate(threadPath(session.channel, reply.session.thread_id));
      },
      (err: unknown) => {
        if (!open.current) return;
        setPending(false);
        setRefusal(err instanceof PushError ? { code: err.code, message: err.message } : { code: 'internal', message: String(err) });
      },
    );
  };

  const f = (name: string) => `${id}-${name}`;
  return createPortal(
    <dialog
      ref={dialog}
      className="dialog new-session"
      aria-labelledby={f('title')}
      data-testid="new-session-dialog"
      onClose={onClose}
      // Esc closes the dialog only: the drawer behind it stays as it was.
      onKeyDown={(e) => e.key === 'Escape' && e.stopPropagation()}
    >
      <form
        className="dialog-body new-session-form"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <header className="dialog-head">
          <h2 id={f('title')}>New session</h2>
          <button type="button" className="icon-button" aria-label="Close" onClick={close}>
            <Icon name="close" />
          </button>
        </header>

        <Field id={f('machine')} label="Machine">
          <select
            id={f('machine')}
            value={form.machine}
            onChange={(e) => {
              const m = findMachine(machines, e.target.value);
              if (m) setForm(withMachine(form, m));
            }}
          >
            {machines.map((m) => (
              <option key={machineKey(m)} value={machineKey(m)}>
                {m.name}
                {m.owner.user_id === me.user_id ? '' : ` (${m.owner.name})`}
                {m.online ? '' : ' — offline'}
              </option>
            ))}
          </select>
        </Field>

        <Field id={f('folder')} label="Folder">
          <select id={f('folder')} value={form.folder} onChange={(e) => machine && setForm(withFolder(form, machine, e.target.value))}>
            {machine?.folders.map((folder) => (
              <option key={folder.path} value={folder.path}>
                {folder.path}
                {folder.git ? ` (git${folder.branch ? `: ${folder.branch}` : ''})` : ''}
              </option>
            ))}
          </select>
        </Field>

        <div className="form-pair">
          <Field id={f('agent')} label="Agent">
            <select id={f('agent')} value={form.agent} onChange={(e) => set({ agent: e.target.value as NewSessionForm['agent'] })}>
              {machine?.agents.map((a) => (
                <option key={a.name} value={a.name}>
                  {agentDisplayName(a.name)} {a.version}
                </option>
              ))}
            </select>
          </Field>
          <Field id={f('model')} label="Model (optional)">
            <input id={f('model')} type="text" value={form.model} placeholder="the agent's default" autoComplete="off" maxLength={100} onChange={(e) => set({ model: e.target.value })} />
          </Field>
        </div>

        <div className="form-pair">
          <Field id={f('effort')} label="Effort">
            <select id={f('effort')} value={form.effort} onChange={(e) => set({ effort: e.target.value as NewSessionForm['effort'] })}>
              <option value="">the agent's default</option>
              {EFFORTS.map((x) => (
                <option key={x} value={x}>
                  {x}
                </option>
              ))}
            </select>
          </Field>
          <Field id={f('sandbox')} label="Sandbox" {...(takesSandbox(form) ? {} : { hint: 'set by the agent itself' })}>
            <select id={f('sandbox')} value={form.sandbox} disabled={!takesSandbox(form)} onChange={(e) => set({ sandbox: e.target.value as NewSessionForm['sandbox'] })}>
              {machine?.limits.sandboxes.map((x) => (
                <option key={x} value={x}>
                  {x}
                </option>
              ))}
            </select>
          </Field>
        </div>

        <Field id={f('approval')} label="Approval policy">
          <select id={f('approval')} value={form.approvalPolicy} onChange={(e) => set({ approvalPolicy: e.target.value as NewSessionForm['approvalPolicy'] })}>
            {machine?.limits.approval_policies.map((x) => (
              <option key={x} value={x}>
                {x}
              </option>
            ))}
          </select>
        </Field>

        <Field id={f('allow')} label="Who may steer" hint="Names, comma-separated. You and the machine's owner always may.">
          <input id={f('allow')} type="text" value={form.allow} placeholder="bob, carol" autoComplete="off" aria-describedby={`${f('allow')}-hint`} onChange={(e) => set({ allow: e.target.value })} />
        </Field>

        <Field id={f('instruction')} label="First instruction">
          <textarea id={f('instruction')} value={form.instruction} rows={4} required onChange={(e) => set({ instruction: e.target.value })} />
        </Field>

        <div className="form-field form-check">
          <input id={f('worktree')} type="checkbox" checked={form.worktree} disabled={!git} aria-describedby={`${f('worktree')}-hint`} onChange={(e) => set({ worktree: e.target.checked })} />
          <label htmlFor={f('worktree')}>In a new worktree</label>
          <p className="form-hint" id={`${f('worktree')}-hint`}>
            {git ? 'Its own checkout and branch, so several sessions can work in this folder at once.' : `${form.folder || 'This folder'} is not a git repo: the session runs in the folder itself.`}
          </p>
        </div>

        {form.worktree ? (
          <Field
            id={f('slug')}
            label="Branch name (optional)"
            hint={
              <>
                Branch: <code data-testid="branch-preview">{branch}</code>
              </>
            }
          >
            <input id={f('slug')} type="text" value={form.slug} placeholder="from the instruction" autoComplete="off" maxLength={48} aria-describedby={`${f('slug')}-hint`} onChange={(e) => set({ slug: e.target.value })} />
          </Field>
        ) : null}

        {refusal ? (
          <p className="error new-session-refusal" role="alert" data-testid="new-session-refusal" data-code={refusal.code}>
            {refusal.message} <small className="refusal-code">({refusal.code})</small>
          </p>
        ) : null}

        <div className="dialog-actions">
          {problem !== null ? (
            <p className="form-hint" id={f('problem')} data-testid="new-session-problem">
              {problem}
            </p>
          ) : null}
          <button type="button" onClick={close}>
            Cancel
          </button>
          <button type="submit" className="primary" data-testid="new-session-submit" disabled={problem !== null || pending} aria-describedby={problem !== null ? f('problem') : undefined}>
            {pending ? 'Starting…' : 'Start session'}
          </button>
        </div>
      </form>
    </dialog>,
    document.body,
  );
}
