// What an audit log row says (docs/protocol.md §11, "Audit action values"): who acted, whether it
// was a refused attempt and with which code, how many refusals a coalesced row stands for, and the
// rest of its detail in one short line. Plain functions over the hub's reply.

import type { AuditEntry } from '../api/http.js';

/** The actions the hub writes, for the filter (docs/protocol.md §11). */
export const AUDIT_ACTIONS = [
  'control_refused',
  'title_refused',
  'join_refused',
  'preview_grant_refused',
  'login_refused',
  'sign_in_link_refused',
  'sign_in_rate_limited',
  'control',
  'approval_decided',
  'title_set',
  'preview_open',
  'preview_close',
  'webhook_added',
  'webhook_removed',
  'delivery_retried',
  'session_started',
  'session_start_refused',
  'session_stop',
  'session_keep',
  'session_merge',
  'session_discard',
  'session_end_refused',
] as const;

export type AuditOutcome = { type: 'refused'; code: string } | { type: 'done' };

const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const count = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : null);

/**
 * A refused attempt: an action ending in `_refused` or `_rate_limited`, or any entry whose detail
 * names an error `code`. Its label is that code, else the detail's `reason`, else the kind.
 */
export function auditOutcome(entry: Pick<AuditEntry, 'action' | 'detail'>): AuditOutcome {
  const code = text(entry.detail.code);
  if (code !== null) return { type: 'refused', code };
  if (entry.action.endsWith('_rate_limited')) return { type: 'refused', code: 'rate_limited' };
  if (entry.action.endsWith('_refused')) return { type: 'refused', code: text(entry.detail.reason) ?? 'refused' };
  return { type: 'done' };
}

export const isRefused = (entry: Pick<AuditEntry, 'action' | 'detail'>): boolean => auditOutcome(entry).type === 'refused';

/** Who: the signed-in actor, or the hub itself (a sign-in refusal has no actor yet). */
export const auditActor = (entry: Pick<AuditEntry, 'actor_name'>): string => entry.actor_name ?? 'hub';

const seconds = (ms: unknown): string => {
  const n = count(ms);
  return n === null ? '' : ` within ${n % 1000 === 0 ? `${n / 1000} s` : `${n} ms`}`;
};

/**
 * A coalesced row's count, or null for a single event. Two shapes (hub `limits/audit-coalesce.ts`
 * and `auth/refusal-audit.ts`): `repeated` counts the repeats after the row already written;
 * `count` is every refusal the row stands for (1 for the first, written at once).
 */
export function repeatLabel(detail: AuditEntry['detail']): string | null {
  const repeated = count(detail.repeated);
  if (repeated !== null) return `${repeated} more${seconds(detail.window_ms)}`;
  const n = count(detail.count);
  if (n !== null && n > 1) return `×${n}${seconds(detail.window_ms)}`;
  return null;
}

/** Detail keys shown elsewhere on the row (outcome, count) or not worth a line. */
const SHOWN = new Set(['code', 'reason', 'count', 'repeated', 'window_ms']);
const MAX_VALUE = 60;

function value(v: unknown): string | null {
  if (typeof v === 'string') return v.length > MAX_VALUE ? `${v.slice(0, MAX_VALUE - 1)}…` : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.length === 0 ? null : v.map(value).filter((x) => x !== null).join(', ');
  // A control's action is an object tagged by `type` (interrupt, resolve_approval…).
  if (typeof v === 'object' && v !== null && 'type' in v) return value(v.type);
  return null;
}

/** The rest of the detail as "key value" pairs on one line, e.g. "thread_id 01J… · action interrupt". */
export function detailSummary(detail: AuditEntry['detail']): string {
  return Object.entries(detail)
    .filter(([k]) => !SHOWN.has(k))
    .map(([k, v]) => {
      const shown = value(v);
      return shown === null ? null : `${k} ${shown}`;
    })
    .filter((x) => x !== null)
    .join(' · ');
}
