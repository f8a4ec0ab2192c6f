// A channel's webhooks (admins; the channels the admin belongs to): the list (url, format, kinds,
// whether private addresses are allowed), a form to add one, and removal after a confirmation in
// the row. The signing secret comes back once, from the add: shown with a copy button until
// dismissed, never again. The hub's refusals (webhook_url_refused with its reason, the per-channel
// limit) are shown beside the form.

import { useEffect, useId, useState, type FormEvent } from 'react';
import { NOTIFICATION_KINDS, type NotificationKind } from '@pilothouse/protocol';
import { HttpError } from '../../api/http.js';
import { addWebhook, fetchWebhooks, removeWebhook, type Webhook } from '../../api/admin.js';
import { CopyButton } from '../copy.js';
import { Time } from '../Time.js';

type Load = { status: 'loading' } | { status: 'ready'; hooks: Webhook[] } | { status: 'failed'; code: string; message: string };
type Submit = { status: 'idle' } | { status: 'saving' } | { status: 'refused'; code: string; message: string };
type Removal = { status: 'confirm' } | { status: 'removing' } | { status: 'refused'; message: string };

const asHttp = (err: unknown) => (err instanceof HttpError ? err : new HttpError(0, 'internal', err instanceof Error ? err.message : String(err)));

function HookRow({ hook, removal, onAsk, onCancel, onRemove }: { hook: Webhook; removal: Removal | undefined; onAsk: () => void; onCancel: () => void; onRemove: () => void }) {
  return (
    <li className="webhook" data-webhook-id={hook.id}>
      <div className="webhook-head">
        <span className="webhook-url">{hook.url}</span>
        <span className="chip webhook-format">{hook.format}</span>
        {hook.allow_private ? <span className="chip webhook-private">private addresses allowed</span> : null}
      </div>
      <div className="webhook-kinds">{hook.kinds.length === NOTIFICATION_KINDS.length ? 'every kind' : hook.kinds.join(', ')}</div>
      <div className="webhook-foot">
        <span className="muted">
          added <Time iso={hook.created_at} />
        </span>
        {removal === undefined || removal.status === 'refused' ? (
          <button type="button" onClick={onAsk} aria-label={`Remove webhook ${hook.url}`}>
            Remove
          </button>
        ) : (
          <span className="webhook-confirm" role="group" aria-label="Confirm removal">
            <span>Remove this webhook?</span>
            <button type="button" className="danger" onClick={onRemove} disabled={removal.status === 'removing'}>
              {removal.status === 'removing' ? 'Removing…' : 'Remove'}
            </button>
            <button type="button" onClick={onCancel} disabled={removal.status === 'removing'}>
              Cancel
            </button>
          </span>
        )}
      </div>
      {removal?.status === 'refused' ? (
        <p className="webhook-refused" role="alert">
          {removal.message}
        </p>
      ) : null}
    </li>
  );
}

function SecretOnce({ url, secret, onDone }: { url: string; secret: string; onDone: () => void }) {
  return (
    <div className="webhook-secret" role="status" aria-label="Signing secret">
      <p>
        <strong>Webhook added.</strong> Its signing secret, for <span className="webhook-url">{url}</span>:
      </p>
      <div className="webhook-secret-value">
        <code>{secret}</code>
        <CopyButton text={secret} label="Copy the signing secret" />
      </div>
      <p className="webhook-secret-warn">Copy it now: you will not see it again. Receivers verify the Pilothouse-Signature header with it.</p>
      <button type="button" onClick={onDone}>
        Done
      </button>
    </div>
  );
}

function AddForm({ channel, onAdded }: { channel: string; onAdded: (url: string, secret: string) => void }) {
  const [url, setUrl] = useState('');
  const [format, setFormat] = useState<'json' | 'slack'>('json');
  const [kinds, setKinds] = useState<ReadonlySet<NotificationKind>>(new Set(NOTIFICATION_KINDS));
  const [allowPrivate, setAllowPrivate] = useState(false);
  const [submit, setSubmit] = useState<Submit>({ status: 'idle' });
  const ids = useId();
  const errorId = `${ids}-error`;
  const warnId = `${ids}-warn`;
  const toggle = (k: NotificationKind, on: boolean) => {
    const next = new Set(kinds);
    if (on) next.add(k);
    else next.delete(k);
    setKinds(next);
  };
  const send = (e: FormEvent) => {
    e.preventDefault();
    setSubmit({ status: 'saving' });
    addWebhook(channel, { url: url.trim(), format, kinds: NOTIFICATION_KINDS.filter((k) => kinds.has(k)), allow_private: allowPrivate }).then(
      (r) => {
        setSubmit({ status: 'idle' });
        setUrl('');
        setAllowPrivate(false);
        onAdded(url.trim(), r.secret);
      },
      (err: unknown) => {
        const e = asHttp(err);
        setSubmit({ status: 'refused', code: e.code, message: e.message });
      },
    );
  };
  return (
    <form className="webhook-form" noValidate onSubmit={send} aria-label="Add a webhook" aria-describedby={submit.status === 'refused' ? errorId : undefined}>
      <h3>Add a webhook</h3>
      <label className="prefs-field">
        <span>URL</span>
        <input type="url" name="url" required value={url} placeholder="https://hooks.example.com/pilothouse" onChange={(e) => setUrl(e.target.value)} />
      </label>
      <fieldset className="webhook-fieldset">
        <legend>Format</legend>
        {(['json', 'slack'] as const).map((f) => (
          <label key={f} className="prefs-check">
            <input type="radio" name="format" value={f} checked={format === f} onChange={() => setFormat(f)} />
            <span>{f === 'json' ? 'JSON (signed)' : 'Slack incoming webhook'}</span>
          </label>
        ))}
      </fieldset>
      <fieldset className="webhook-fieldset webhook-kinds-choice">
        <legend>Kinds</legend>
        {NOTIFICATION_KINDS.map((k) => (
          <label key={k} className="prefs-check">
            <input type="checkbox" name="kinds" value={k} checked={kinds.has(k)} onChange={(e) => toggle(k, e.target.checked)} />
            <code>{k}</code>
          </label>
        ))}
      </fieldset>
      <label className="prefs-check">
        <input type="checkbox" name="allow_private" checked={allowPrivate} aria-describedby={warnId} onChange={(e) => setAllowPrivate(e.target.checked)} />
        <span>Allow private addresses</span>
      </label>
      <p id={warnId} className={allowPrivate ? 'webhook-warn' : 'muted webhook-hint'}>
        {allowPrivate
          ? 'Warning: the hub will call addresses inside your network (loopback, LAN, link-local). Allow this only for a receiver you run.'
          : 'Without it, a private or loopback address is refused when the hub sends (webhook_address_refused).'}
      </p>
      <div className="webhook-submit">
        <button type="submit" className="primary" disabled={submit.status === 'saving' || kinds.size === 0 || url.trim() === ''}>
          {submit.status === 'saving' ? 'Adding…' : 'Add webhook'}
        </button>
        {submit.status === 'refused' ? (
          <p id={errorId} className="webhook-refused" role="alert" data-code={submit.code}>
            {submit.message}
          </p>
        ) : null}
      </div>
    </form>
  );
}

export function WebhooksPanel({ channels }: { channels: readonly string[] }) {
  const [channel, setChannel] = useState(channels[0] ?? null);
  const [load, setLoad] = useState<Load>({ status: 'loading' });
  const [reload, setReload] = useState(0);
  const [secret, setSecret] = useState<{ url: string; secret: string } | null>(null);
  const [removals, setRemovals] = useState<Record<string, Removal>>({});
  const selectId = useId();

  useEffect(() => {
    if (channel === null) return;
    let live = true;
    fetchWebhooks(channel).then(
      (hooks) => live && setLoad({ status: 'ready', hooks }),
      (err: unknown) => {
        const e = asHttp(err);
        if (live) setLoad({ status: 'failed', code: e.code, message: e.message });
      },
    );
    return () => {
      live = false;
    };
  }, [channel, reload]);

  const setRemoval = (id: string, r: Removal | undefined) =>
    setRemovals((all) => {
      const { [id]: _, ...rest } = all;
      return r === undefined ? rest : { ...rest, [id]: r };
    });
  const remove = (id: string) => {
    if (channel === null) return;
    setRemoval(id, { status: 'removing' });
    removeWebhook(channel, id).then(
      () => {
        setRemoval(id, undefined);
        setReload((n) => n + 1);
      },
      (err: unknown) => setRemoval(id, { status: 'refused', message: asHttp(err).message }),
    );
  };

  if (channel === null) {
    return (
      <section className="admin-section webhooks" aria-labelledby="webhooks-title">
        <h2 id="webhooks-title">Webhooks</h2>
        <p className="placeholder admin-empty">Webhooks belong to a channel; join one to set its webhooks.</p>
      </section>
    );
  }
  return (
    <section className="admin-section webhooks" aria-labelledby="webhooks-title" aria-busy={load.status === 'loading'}>
      <h2 id="webhooks-title">Webhooks</h2>
      <div className="audit-filters">
        <span className="audit-action-filter">
          <label htmlFor={selectId}>Channel</label>
          <select
            id={selectId}
            value={channel}
            onChange={(e) => {
              setChannel(e.target.value);
              setLoad({ status: 'loading' });
              setSecret(null);
            }}
          >
            {channels.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </span>
      </div>
      {secret !== null ? <SecretOnce url={secret.url} secret={secret.secret} onDone={() => setSecret(null)} /> : null}
      {load.status === 'loading' ? <p className="placeholder">Loading…</p> : null}
      {load.status === 'failed' ? (
        <div className="audit-failed" role="alert" data-code={load.code}>
          <span>{load.message}</span>
          <button type="button" onClick={() => setReload((n) => n + 1)}>
            Try again
          </button>
        </div>
      ) : null}
      {load.status === 'ready' && load.hooks.length === 0 ? <p className="placeholder admin-empty">No webhooks on {channel}.</p> : null}
      {load.status === 'ready' && load.hooks.length > 0 ? (
        <ul className="webhook-list" aria-label={`Webhooks on ${channel}`}>
          {load.hooks.map((h) => (
            <HookRow
              key={h.id}
              hook={h}
              removal={removals[h.id]}
              onAsk={() => setRemoval(h.id, { status: 'confirm' })}
              onCancel={() => setRemoval(h.id, undefined)}
              onRemove={() => remove(h.id)}
            />
          ))}
        </ul>
      ) : null}
      <AddForm
        key={channel}
        channel={channel}
        onAdded={(url, s) => {
          setSecret({ url, secret: s });
          setReload((n) => n + 1);
        }}
      />
    </section>
  );
}
