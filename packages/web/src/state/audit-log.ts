// The audit log page as a pure state: the entries loaded so far (newest first), the action filter,
// whether an older page may exist, and the one request in flight. Each load gets a number; a reply
// to an earlier load (the filter changed meanwhile) is dropped. The view performs the request
// `auditRequest` describes and feeds the outcome back.

import { assertNever } from '@pilothouse/protocol';
import type { AuditEntry, AuditQuery } from '../api/http.js';

export const AUDIT_PAGE = 100;

export type AuditLoad =
  | { status: 'loading'; request: number; older: boolean }
  | { status: 'ready' }
  | { status: 'failed'; older: boolean; code: string; message: string };

export interface AuditLogState {
  /** An action to show alone (the hub filters), or null for every action. */
  action: string | null;
  entries: readonly AuditEntry[];
  /** The last page was full: older entries may exist. */
  more: boolean;
  load: AuditLoad;
  /** The number of the latest load. */
  requests: number;
}

export type AuditLogEvent =
  | { type: 'filter'; action: string | null }
  | { type: 'older' }
  | { type: 'retry' }
  | { type: 'loaded'; request: number; entries: readonly AuditEntry[] }
  | { type: 'failed'; request: number; code: string; message: string };

export const initialAuditLog = (): AuditLogState => ({ action: null, entries: [], more: false, load: { status: 'loading', request: 1, older: false }, requests: 1 });

const start = (s: AuditLogState, older: boolean): AuditLogState => ({ ...s, load: { status: 'loading', request: s.requests + 1, older }, requests: s.requests + 1 });

export function stepAuditLog(s: AuditLogState, e: AuditLogEvent): AuditLogState {
  switch (e.type) {
    case 'filter':
      return e.action === s.action ? s : start({ ...s, action: e.action, entries: [], more: false }, false);
    case 'older':
      return s.load.status === 'ready' && s.more ? start(s, true) : s;
    case 'retry':
      return s.load.status === 'failed' ? start(s, s.load.older) : s;
    case 'loaded': {
      if (s.load.status !== 'loading' || s.load.request !== e.request) return s;
      // Keep ids unique should a page overlap the one before (it cannot with `before`, but cheaply).
      const known = new Set(s.entries.map((x) => x.id));
      const fresh = e.entries.filter((x) => !known.has(x.id));
      return { ...s, entries: s.load.older ? [...s.entries, ...fresh] : e.entries, more: e.entries.length >= AUDIT_PAGE, load: { status: 'ready' } };
    }
    case 'failed':
      if (s.load.status !== 'loading' || s.load.request !== e.request) return s;
      return { ...s, load: { status: 'failed', older: s.load.older, code: e.code, message: e.message } };
    default:
      return assertNever(e, 'audit log event');
  }
}

/** The request the current load needs, or null when nothing is loading. */
export function auditRequest(s: AuditLogState): { request: number; query: AuditQuery } | null {
  if (s.load.status !== 'loading') return null;
  const oldest = s.entries.at(-1);
  return {
    request: s.load.request,
    query: { limit: AUDIT_PAGE, before: s.load.older && oldest ? oldest.id : undefined, action: s.action ?? undefined },
  };
}
