// Deliveries by status (failed first: what admins come for), newest first: when, what (kind and
// title), through what to whom (the target as the hub masks it), attempts, the next try, the last
// error. A failed row has Retry (the hub puts it back to pending, due now); the list reloads on
// its own every few seconds while the tab is visible, so a retried delivery moves to Sent.

import { useCallback, useEffect, useState } from 'react';
import { HttpError } from '../../api/http.js';
import { DELIVERY_STATUSES, fetchDeliveries, retryDelivery, type Delivery, type DeliveryStatus } from '../../api/admin.js';
import { Time } from '../Time.js';

const REFRESH_MS = 3000;
const LABELS: Record<DeliveryStatus, string> = { failed: 'Failed', pending: 'Pending', sent: 'Sent', skipped: 'Skipped' };
const EMPTY: Record<DeliveryStatus, string> = {
  failed: 'No failed deliveries.',
  pending: 'Nothing waits to be sent.',
  sent: 'Nothing sent yet.',
  skipped: 'Nothing skipped.',
};

type Load = { status: 'loading' } | { status: 'ready'; deliveries: Delivery[] } | { status: 'failed'; code: string; message: string };
/** A Retry pressed on a row: in flight, done (pending again), or refused. */
type RetryState = { status: 'retrying' } | { status: 'queued' } | { status: 'refused'; code: string; message: string };

const asHttp = (err: unknown) => (err instanceof HttpError ? err : new HttpError(0, 'internal', err instanceof Error ? err.message : String(err)));

function RetryCell({ delivery, state, onRetry }: { delivery: Delivery; state: RetryState | undefined; onRetry: () => void }) {
  if (delivery.status !== 'failed') return null;
  if (state?.status === 'queued') return <span className="delivery-queued">Queued again</span>;
  return (
    <>
      <button type="button" onClick={onRetry} disabled={state?.status === 'retrying'} aria-label={`Retry ${delivery.title}`}>
        {state?.status === 'retrying' ? 'Retrying…' : 'Retry'}
      </button>
      {state?.status === 'refused' ? (
        <span className="delivery-refused" role="alert" data-code={state.code}>
          {state.message}
        </span>
      ) : null}
    </>
  );
}

function Row({ delivery, retry, onRetry }: { delivery: Delivery; retry: RetryState | undefined; onRetry: () => void }) {
  const d = delivery;
  return (
    <tr data-delivery-id={d.id} data-status={d.status} data-medium={d.medium}>
      <td className="delivery-when">
        <Time iso={d.created_at} />
      </td>
      <td className="delivery-what">
        <code>{d.kind}</code>
        <span className="delivery-title">{d.title}</span>
      </td>
      <td className="delivery-to">
        <span className="chip delivery-medium">{d.medium}</span>
        <span className="delivery-target">{d.target}</span>
      </td>
      <td className="delivery-attempts">
        {d.attempts} {d.attempts === 1 ? 'attempt' : 'attempts'}
      </td>
      <td className="delivery-next">
        {d.status === 'pending' ? (
          <>
            <span className="delivery-label">next try </span>
            <Time iso={d.next_at} />
          </>
        ) : d.status === 'sent' && d.sent_at !== null ? (
          <>
            <span className="delivery-label">sent </span>
            <Time iso={d.sent_at} />
          </>
        ) : (
          <span className="muted" aria-label="no next try">
            —
          </span>
        )}
      </td>
      <td className="delivery-error">
        {d.last_code !== null ? (
          <>
            <span className="chip delivery-code">{d.last_code}</span>
            {d.last_error !== null ? <span className="delivery-message">{d.last_error}</span> : null}
          </>
        ) : (
          <span className="muted">—</span>
        )}
      </td>
      <td className="delivery-action">
        <RetryCell delivery={d} state={retry} onRetry={onRetry} />
      </td>
    </tr>
  );
}

export function DeliveriesPanel() {
  const [status, setStatus] = useState<DeliveryStatus>('failed');
  const [load, setLoad] = useState<Load>({ status: 'loading' });
  const [retries, setRetries] = useState<Record<string, RetryState>>({});
  const [reload, setReload] = useState(0);
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    fetchDeliveries(status).then(
      (deliveries) => live && setLoad({ status: 'ready', deliveries }),
      (err: unknown) => {
        const e = asHttp(err);
        if (live) setLoad({ status: 'failed', code: e.code, message: e.message });
      },
    );
    return () => {
      live = false;
    };
  }, [status, reload]);

  // Keeps the list current (the worker's attempts, a retried delivery moving on) while it is looked at.
  useEffect(() => {
    const t = window.setInterval(() => {
      if (document.visibilityState === 'visible') setReload((n) => n + 1);
    }, REFRESH_MS);
    return () => window.clearInterval(t);
  }, []);

  const choose = (next: DeliveryStatus) => {
    if (next === status) return;
    setStatus(next);
    setLoad({ status: 'loading' });
  };
  const retry = useCallback((id: string, title: string) => {
    setRetries((r) => ({ ...r, [id]: { status: 'retrying' } }));
    retryDelivery(id).then(
      () => {
        setRetries((r) => ({ ...r, [id]: { status: 'queued' } }));
        setNotice(`“${title}” is queued again: it shows under Pending until it is sent.`);
        setReload((n) => n + 1);
      },
      (err: unknown) => {
        const e = asHttp(err);
        setRetries((r) => ({ ...r, [id]: { status: 'refused', code: e.code, message: e.message } }));
      },
    );
  }, []);

  return (
    <section className="admin-section deliveries" aria-labelledby="deliveries-title" aria-busy={load.status === 'loading'}>
      <h2 id="deliveries-title">Deliveries</h2>
      <div className="delivery-tabs" role="group" aria-label="Show deliveries">
        {DELIVERY_STATUSES.map((s) => (
          <button key={s} type="button" aria-pressed={s === status} data-status={s} onClick={() => choose(s)}>
            {LABELS[s]}
          </button>
        ))}
      </div>
      <p className="delivery-notice" role="status">
        {notice}
      </p>
      {load.status === 'loading' ? <p className="placeholder">Loading…</p> : null}
      {load.status === 'failed' ? (
        <div className="audit-failed" role="alert" data-code={load.code}>
          <span>{load.message}</span>
          <button type="button" onClick={() => setReload((n) => n + 1)}>
            Try again
          </button>
        </div>
      ) : null}
      {load.status === 'ready' && load.deliveries.length === 0 ? <p className="placeholder admin-empty">{EMPTY[status]}</p> : null}
      {load.status === 'ready' && load.deliveries.length > 0 ? (
        <table className="audit-table delivery-table" data-status={status}>
          <caption className="visually-hidden">{LABELS[status]} deliveries, newest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Notification</th>
              <th scope="col">To</th>
              <th scope="col">Attempts</th>
              <th scope="col">Next try</th>
              <th scope="col">Last error</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {load.deliveries.map((d) => (
              <Row key={d.id} delivery={d} retry={retries[d.id]} onRetry={() => retry(d.id, d.title)} />
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
