// The audit log (admins): what the hub put on the record, newest first: when, who, the action,
// the channel and the outcome, refused attempts marked with their code and coalesced rows with
// their count. Filter by action (the hub filters) or to refused attempts among the loaded rows;
// older pages on demand (`before`). A non-admin gets the hub's "for admins" message.

import { useEffect, useId, useReducer, useState } from 'react';
import { fetchAudit, HttpError, type AuditEntry } from '../api/http.js';
import { AUDIT_ACTIONS, auditActor, auditOutcome, detailSummary, isRefused, repeatLabel } from '../render/audit-entry.js';
import { auditRequest, initialAuditLog, stepAuditLog } from '../state/audit-log.js';
import { ViewHeader } from './layout/ViewHeader.js';
import { Time } from './Time.js';

function Outcome({ entry }: { entry: AuditEntry }) {
  const outcome = auditOutcome(entry);
  const repeat = repeatLabel(entry.detail);
  return (
    <>
      {outcome.type === 'refused' ? (
        <span className="chip audit-refused" data-code={outcome.code}>
          <span className="visually-hidden">refused: </span>
          {outcome.code}
        </span>
      ) : (
        <span className="audit-done">done</span>
      )}
      {repeat ? <span className="audit-repeat">{repeat}</span> : null}
    </>
  );
}

function Row({ entry }: { entry: AuditEntry }) {
  const summary = detailSummary(entry.detail);
  return (
    <tr data-audit-id={entry.id} data-action={entry.action} data-refused={isRefused(entry)}>
      <td className="audit-time">
        <Time iso={entry.at} />
      </td>
      <td className={`audit-who ${entry.actor_name === null ? 'audit-system' : ''}`}>{auditActor(entry)}</td>
      <td className="audit-action">
        <code>{entry.action}</code>
        {summary ? <span className="audit-detail">{summary}</span> : null}
      </td>
      <td className="audit-channel">{entry.channel ?? <span className="muted">—</span>}</td>
      <td className="audit-outcome">
        <Outcome entry={entry} />
      </td>
    </tr>
  );
}

export function AuditView() {
  const [state, dispatch] = useReducer(stepAuditLog, undefined, initialAuditLog);
  const [refusedOnly, setRefusedOnly] = useState(false);
  const actionId = useId();
  const next = auditRequest(state);
  const request = next?.request ?? null;
  useEffect(() => {
    if (next === null) return;
    let live = true;
    fetchAudit(next.query).then(
      (entries) => {
        if (live) dispatch({ type: 'loaded', request: next.request, entries });
      },
      (err: unknown) => {
        const e = err instanceof HttpError ? err : new HttpError(0, 'internal', err instanceof Error ? err.message : String(err));
        if (live) dispatch({ type: 'failed', request: next.request, code: e.code, message: e.message });
      },
    );
    return () => {
      live = false;
    };
    // One fetch per load number (`next` is derived from the state that numbered it).
  }, [request]);

  const { load } = state;
  const header = <ViewHeader title="Audit log" />;
  if (load.status === 'failed' && load.code === 'forbidden') {
    return (
      <section className="audit">
        {header}
        <p className="refused" role="alert" data-audit-error={load.code}>
          {load.message}
        </p>
      </section>
    );
  }
  const shown = refusedOnly ? state.entries.filter(isRefused) : state.entries;
  const loading = load.status === 'loading';
  return (
    <section className="audit" aria-busy={loading}>
      {header}
      <div className="audit-body">
        <form className="audit-filters" onSubmit={(e) => e.preventDefault()}>
          <span className="audit-action-filter">
            <label htmlFor={actionId}>Action</label>
            <select id={actionId} value={state.action ?? ''} onChange={(e) => dispatch({ type: 'filter', action: e.target.value === '' ? null : e.target.value })}>
              <option value="">All actions</option>
              {AUDIT_ACTIONS.map((a) => (
                <option key={a} value={a}>
                  {a}
                </option>
              ))}
            </select>
          </span>
          <label className="audit-toggle">
            <input type="checkbox" checked={refusedOnly} onChange={(e) => setRefusedOnly(e.target.checked)} /> Refused only
          </label>
        </form>
        {shown.length > 0 ? (
          <table className="audit-table">
            <caption className="visually-hidden">Audit log entries, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Who</th>
                <th scope="col">Action</th>
                <th scope="col">Channel</th>
                <th scope="col">Outcome</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((e) => (
                <Row key={e.id} entry={e} />
              ))}
            </tbody>
          </table>
        ) : load.status === 'ready' ? (
          <p className="placeholder audit-empty">
            {state.entries.length === 0 ? 'Nothing on the record yet.' : `No refused attempts among the ${state.entries.length} loaded entries.`}
          </p>
        ) : null}
        {loading ? <p className="placeholder">Loading…</p> : null}
        {load.status === 'failed' ? (
          <div className="audit-failed" role="alert" data-audit-error={load.code}>
            <span>{load.message}</span>
            <button type="button" onClick={() => dispatch({ type: 'retry' })}>
              Retry
            </button>
          </div>
        ) : null}
        {load.status === 'ready' && state.more ? (
          <button type="button" className="audit-older" onClick={() => dispatch({ type: 'older' })}>
            Load older
          </button>
        ) : null}
      </div>
    </section>
  );
}
