// What the service worker makes of a Web Push message from the hub (packages/hub/src/
// notifications/senders/push.ts pushPayload): the notification to show, and what a tap on one of
// its actions does (post that answer's decision code to the hub). Pure, so it is tested in Node.

/** The JSON the hub pushes. */
export interface PushMessage {
  readonly id: string;
  readonly kind: string;
  readonly title: string;
  readonly body: string;
  readonly url: string;
  readonly tag: string;
  readonly actions: readonly { readonly action: string; readonly title: string }[];
  readonly codes: Readonly<Record<string, string>>;
}

/** What the notification carries for its click: where to go, and the codes of its answers. */
export interface AlertData {
  readonly url: string;
  readonly codes: Readonly<Record<string, string>>;
}

export interface AlertToShow {
  readonly title: string;
  readonly options: {
    body: string;
    tag: string;
    /** Re-alert when the same tag comes again (an approval's reminder replaces its first alert). */
    renotify: boolean;
    requireInteraction: boolean;
    actions: { action: string; title: string }[];
    data: AlertData;
    icon: string;
  };
}

const PROMPTS = new Set(['approval_requested', 'preview_requested', 'approval_expiring']);

/** The notification for a push message, or null when it is not one of the hub's. */
export function alertFor(raw: unknown): AlertToShow | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const m = raw as Partial<PushMessage>;
  if (typeof m.title !== 'string' || typeof m.url !== 'string' || typeof m.tag !== 'string') return null;
  const codes = typeof m.codes === 'object' && m.codes !== null ? m.codes : {};
  // An action is offered only with its code: without one the tap could not decide.
  const offered: readonly { action?: unknown; title?: unknown }[] = Array.isArray(m.actions) ? (m.actions as { action?: unknown; title?: unknown }[]) : [];
  const actions = offered.flatMap((a) => (typeof a.action === 'string' && typeof codes[a.action] === 'string' ? [{ action: a.action, title: typeof a.title === 'string' ? a.title : a.action }] : []));
  const prompt = PROMPTS.has(m.kind ?? '');
  return {
    title: m.title,
    options: { body: m.body ?? '', tag: m.tag, renotify: prompt, requireInteraction: prompt, actions, data: { url: m.url, codes }, icon: '/icons/icon-192.png' },
  };
}

/** A tap: an answer's code to post to `POST /api/decide`, or the page to open. */
export type Tap = { readonly type: 'decide'; readonly code: string; readonly action: string } | { readonly type: 'open'; readonly url: string };

export function tapOf(action: string, data: unknown): Tap | null {
  if (typeof data !== 'object' || data === null) return null;
  const d = data as Partial<AlertData>;
  const code = action === '' ? undefined : d.codes?.[action];
  if (typeof code === 'string') return { type: 'decide', code, action };
  return typeof d.url === 'string' ? { type: 'open', url: d.url } : null;
}

/** The short notice shown after a tap decided (or could not). */
export function decidedNotice(action: string, status: number, body: unknown): { title: string; body: string } {
  if (status >= 200 && status < 300) return { title: action === 'deny' ? 'Denied' : 'Approved', body: 'Your answer was sent to the session.' };
  const message = typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string' ? (body as { message: string }).message : `The hub answered ${status}.`;
  return { title: 'Not decided', body: message };
}
