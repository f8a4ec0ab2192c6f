// What the service worker makes of a push and of a click on its alert, as pure functions: the
// hub's payload {id, kind, title, body, url, tag, actions, codes} parsed from unknown (a bad one
// still shows something: a push must end in a notification), the click's target (a decision code
// for Approve / Deny, else the thread's URL), and the line that says how a decision went.

const PROMPTS = new Set(['approval_requested', 'preview_requested', 'approval_expiring']);

interface AlertData {
  url: string;
  codes: Record<string, string>;
}

interface Alert {
  title: string;
  options: NotificationOptions & { actions?: { action: string; title: string }[]; requireInteraction?: boolean; data: AlertData };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

function codesOf(v: unknown): Record<string, string> {
  if (!isRecord(v)) return {};
  const out: Record<string, string> = {};
  for (const [k, c] of Object.entries(v)) if ((k === 'approve' || k === 'deny') && typeof c === 'string') out[k] = c;
  return out;
}

export function alertFromPush(raw: unknown): Alert {
  if (!isRecord(raw)) return { title: 'Pilothouse', options: { body: 'Something needs your attention.', data: { url: '/', codes: {} } } };
  const url = str(raw.url) ?? '/';
  const codes = codesOf(raw.codes);
  const actions = (Array.isArray(raw.actions) ? raw.actions : [])
    .filter(isRecord)
    .map((a) => ({ action: str(a.action) ?? '', title: str(a.title) ?? '' }))
    // An action without its code could not do anything: left off.
    .filter((a) => a.title !== '' && codes[a.action] !== undefined);
  const tag = str(raw.tag);
  return {
    title: str(raw.title) ?? 'Pilothouse',
    options: {
      body: str(raw.body) ?? '',
      ...(tag !== null ? { tag } : {}),
      data: { url, codes },
      ...(actions.length > 0 ? { actions } : {}),
      requireInteraction: PROMPTS.has(str(raw.kind) ?? ''),
    },
  };
}

type ClickTarget = { type: 'decide'; code: string; choice: string } | { type: 'open'; url: string } | { type: 'none' };

export function clickTarget(action: string, data: unknown): ClickTarget {
  const d = isRecord(data) ? data : {};
  if (action !== '') {
    const code = codesOf(d.codes)[action];
    return code !== undefined ? { type: 'decide', code, choice: action } : { type: 'none' };
  }
  return { type: 'open', url: str(d.url) ?? '/' };
}

/** The result notification's title: "Approved" / "Denied", or the hub's message. */
export function decideResult(ok: boolean, choice: string, body: unknown): string {
  if (ok) return choice === 'approve' ? 'Approved' : choice === 'deny' ? 'Denied' : 'Done';
  const message = isRecord(body) ? str(body.message) : null;
  return message ?? 'The hub could not be reached; open the thread to decide.';
}
