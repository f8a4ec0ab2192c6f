// What to be told about, and how (/settings/notifications): kinds × media (page, push, email),
// the email address, turns one may not steer, quiet hours, the digest; saved whole with PUT, the
// hub's refusal shown beside the form. Below it, push in this browser: on, off, or why not here.

import { useEffect, useId, useState, type FormEvent } from 'react';
import { NOTIFICATION_KINDS, type NotificationKind, type NotificationPrefs, type PersonalMedium } from '@pilothouse/protocol';
import { HttpError } from '../../api/http.js';
import { fetchPrefs, savePrefs, type PrefsReply } from '../../api/notifications.js';
import { currentSubscription, pushSupport, turnOffPush, turnOnPush } from '../../app/push.js';
import { askPermission } from '../../app/notification-centre.js';
import { NOTIFICATIONS_PATH } from '../../app/route.js';
import { ViewHeader } from '../layout/ViewHeader.js';

const KIND_LABELS: Record<NotificationKind, string> = {
  approval_requested: 'An approval waits for me',
  preview_requested: 'A preview waits for me',
  approval_expiring: 'An approval is about to expire',
  turn_finished: 'A turn finished',
  turn_failed: 'A turn failed',
  mention: 'Someone mentions me',
  runner_offline: 'A runner went offline',
};
const MEDIA: readonly { medium: PersonalMedium; label: string }[] = [
  { medium: 'page', label: 'Page' },
  { medium: 'push', label: 'Push' },
  { medium: 'email', label: 'Email' },
];
const localZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;
const messageOf = (err: unknown) => (err instanceof HttpError || err instanceof Error ? err.message : String(err));

type Save = { status: 'idle' } | { status: 'saving' } | { status: 'saved' } | { status: 'failed'; message: string };

function PrefsForm({ initial }: { initial: NotificationPrefs }) {
  const [prefs, setPrefs] = useState(initial);
  const [save, setSave] = useState<Save>({ status: 'idle' });
  const ids = useId();
  const errorId = `${ids}-error`;
  const set = (next: Partial<NotificationPrefs>) => {
    setPrefs({ ...prefs, ...next });
    setSave({ status: 'idle' });
  };
  const toggle = (kind: NotificationKind, medium: PersonalMedium, on: boolean) => set({ media: { ...prefs.media, [kind]: { ...prefs.media[kind], [medium]: on } } });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSave({ status: 'saving' });
    savePrefs(prefs).then(
      (saved) => {
        setPrefs(saved);
        setSave({ status: 'saved' });
      },
      (err: unknown) => setSave({ status: 'failed', message: messageOf(err) }),
    );
  };
  const quiet = prefs.quiet;
  return (
    <form className="prefs-form" noValidate onSubmit={submit} aria-describedby={save.status === 'failed' ? errorId : undefined}>
      <table className="prefs-media">
        <caption>Tell me when…</caption>
        <thead>
          <tr>
            <th scope="col">
              <span className="visually-hidden">Event</span>
            </th>
            {MEDIA.map((m) => (
              <th scope="col" key={m.medium}>
                {m.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {NOTIFICATION_KINDS.map((kind) => (
            <tr key={kind} data-kind={kind}>
              <th scope="row">{KIND_LABELS[kind]}</th>
              {MEDIA.map((m) => (
                <td key={m.medium}>
                  <input type="checkbox" aria-label={`${KIND_LABELS[kind]}: ${m.label}`} data-medium={m.medium} checked={prefs.media[kind][m.medium]} onChange={(e) => toggle(kind, m.medium, e.target.checked)} />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>

      <div className="prefs-field">
        <label htmlFor={`${ids}-email`}>Email address</label>
        <input id={`${ids}-email`} type="email" autoComplete="email" placeholder="No email" value={prefs.email ?? ''} onChange={(e) => set({ email: e.target.value.trim() === '' ? null : e.target.value })} />
      </div>
      <label className="prefs-check">
        <input type="checkbox" checked={prefs.watch_turns} onChange={(e) => set({ watch_turns: e.target.checked })} /> Also tell me about turns I can’t steer
      </label>
      <label className="prefs-check">
        <input type="checkbox" checked={prefs.digest} onChange={(e) => set({ digest: e.target.checked })} /> Gather updates due together into one message (prompts always come alone)
      </label>
      <fieldset className="prefs-quiet">
        <legend>Quiet hours</legend>
        <label className="prefs-check">
          <input type="checkbox" checked={quiet !== null} onChange={(e) => set({ quiet: e.target.checked ? { start: '22:00', end: '07:00', tz: localZone() } : null })} /> Hold push and email during quiet hours (the page still shows everything)
        </label>
        {quiet !== null ? (
          <div className="prefs-quiet-times">
            <span className="prefs-field">
              <label htmlFor={`${ids}-start`}>From</label>
              <input id={`${ids}-start`} type="time" value={quiet.start} onChange={(e) => set({ quiet: { ...quiet, start: e.target.value } })} />
            </span>
            <span className="prefs-field">
              <label htmlFor={`${ids}-end`}>Until</label>
              <input id={`${ids}-end`} type="time" value={quiet.end} onChange={(e) => set({ quiet: { ...quiet, end: e.target.value } })} />
            </span>
            <span className="prefs-field">
              <label htmlFor={`${ids}-tz`}>Time zone</label>
              <input id={`${ids}-tz`} type="text" value={quiet.tz} onChange={(e) => set({ quiet: { ...quiet, tz: e.target.value } })} />
            </span>
          </div>
        ) : null}
      </fieldset>
      <div className="prefs-save">
        <button type="submit" className="primary" disabled={save.status === 'saving'}>
          Save
        </button>
        {save.status === 'saved' ? (
          <span role="status" className="prefs-saved">
            Saved.
          </span>
        ) : null}
        {save.status === 'failed' ? (
          <span role="alert" id={errorId} className="refused prefs-error" data-prefs-error="">
            {save.message}
          </span>
        ) : null}
      </div>
    </form>
  );
}

type PushState = { status: 'checking' } | { status: 'off' } | { status: 'on' } | { status: 'busy' };

function PushSection({ publicKey }: { publicKey: string | null }) {
  const support = pushSupport(publicKey);
  const [state, setState] = useState<PushState>({ status: 'checking' });
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (support.type !== 'available') return;
    let live = true;
    currentSubscription().then(
      (sub) => live && setState({ status: sub ? 'on' : 'off' }),
      () => live && setState({ status: 'off' }),
    );
    return () => {
      live = false;
    };
  }, [support.type]);
  const run = (job: () => Promise<void>, after: PushState) => {
    setError(null);
    setState({ status: 'busy' });
    job().then(
      () => setState(after),
      (err: unknown) => {
        setError(messageOf(err));
        setState({ status: after.status === 'on' ? 'off' : 'on' });
      },
    );
  };
  return (
    <section className="prefs-push" aria-labelledby="prefs-push-title">
      <h2 id="prefs-push-title">Push in this browser</h2>
      {support.type === 'unavailable' ? (
        <p className="muted" data-push="unavailable">
          Push is not available here: {support.reason}
        </p>
      ) : (
        <div className="prefs-push-row" data-push={state.status}>
          {state.status === 'on' ? (
            <>
              <span>This browser gets push notifications.</span>
              <button type="button" onClick={() => run(turnOffPush, { status: 'off' })}>
                Turn off
              </button>
            </>
          ) : (
            <button type="button" disabled={state.status !== 'off'} onClick={() => run(() => turnOnPush(support.publicKey), { status: 'on' })}>
              Turn on push in this browser
            </button>
          )}
          {error !== null ? (
            <span className="refused" role="alert">
              {error}
            </span>
          ) : null}
        </div>
      )}
    </section>
  );
}

/** Alerts raised by the open page while it is in the background (app/notification-centre.ts). */
function TabAlerts() {
  const supported = 'Notification' in window;
  const [permission, setPermission] = useState<NotificationPermission | 'unsupported'>(supported ? Notification.permission : 'unsupported');
  let text: string;
  switch (permission) {
    case 'unsupported':
      text = 'This browser cannot show notifications.';
      break;
    case 'granted':
      text = 'While Pilothouse is open in a background tab, new notifications pop up.';
      break;
    case 'denied':
      text = 'Notifications are blocked for this site; allow them in the browser’s site settings to get alerts from a background tab.';
      break;
    case 'default':
      text = 'Pop up new notifications while Pilothouse is open in a background tab?';
      break;
  }
  return (
    <div className="prefs-tab-alerts" data-tab-alerts={permission}>
      <h3>Alerts from an open tab</h3>
      <p className="muted">{text}</p>
      {permission === 'default' ? (
        <button type="button" onClick={() => void askPermission().then(setPermission)}>
          Allow alerts
        </button>
      ) : null}
    </div>
  );
}

type Load = { status: 'loading' } | { status: 'ready'; reply: PrefsReply } | { status: 'failed'; message: string };

export function PrefsView() {
  const [load, setLoad] = useState<Load>({ status: 'loading' });
  useEffect(() => {
    let live = true;
    fetchPrefs().then(
      (reply) => live && setLoad({ status: 'ready', reply }),
      (err: unknown) => live && setLoad({ status: 'failed', message: messageOf(err) }),
    );
    return () => {
      live = false;
    };
  }, []);
  return (
    <section className="prefs">
      <ViewHeader title="Notification settings" back={{ to: NOTIFICATIONS_PATH, label: 'Notifications' }} />
      <div className="prefs-body">
        {load.status === 'loading' ? <p className="placeholder">Loading…</p> : null}
        {load.status === 'failed' ? (
          <p className="refused" role="alert">
            {load.message}
          </p>
        ) : null}
        {load.status === 'ready' ? (
          <>
            <PrefsForm initial={load.reply.prefs} />
            <PushSection publicKey={load.reply.push.public_key} />
            <TabAlerts />
          </>
        ) : null}
      </div>
    </section>
  );
}
