import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../api/http.js';
import { AUDIT_PAGE, auditRequest, initialAuditLog, stepAuditLog, type AuditLogEvent, type AuditLogState } from './audit-log.js';

const entry = (id: number, action = 'control'): AuditEntry => ({ id, at: '2025-01-02T03:04:05.000Z', actor_id: 'u1', actor_name: 'bob', action, channel: 'acme/agents', detail: {} });
/** `n` entries, newest first, from `top` down. */
const page = (top: number, n: number): AuditEntry[] => Array.from({ length: n }, (_, i) => entry(top - i));
const run = (s: AuditLogState, ...events: AuditLogEvent[]) => events.reduce(stepAuditLog, s);

describe('audit log state', () => {
  it('opens loading the newest page of every action', () => {
    const s = initialAuditLog();
    expect(auditRequest(s)).toEqual({ request: 1, query: { limit: AUDIT_PAGE, before: undefined, action: undefined } });
  });

  it('a full page may have older entries; "older" asks for the ids below the oldest and appends', () => {
    let s = run(initialAuditLog(), { type: 'loaded', request: 1, entries: page(500, AUDIT_PAGE) });
    expect(s).toMatchObject({ more: true, load: { status: 'ready' } });
    expect(s.entries).toHaveLength(AUDIT_PAGE);
    s = stepAuditLog(s, { type: 'older' });
    expect(auditRequest(s)).toEqual({ request: 2, query: { limit: AUDIT_PAGE, before: 401, action: undefined } });
    s = stepAuditLog(s, { type: 'loaded', request: 2, entries: page(400, 3) });
    expect(s.entries.map((e) => e.id).slice(-4)).toEqual([401, 400, 399, 398]);
    expect(s).toMatchObject({ more: false, load: { status: 'ready' } });
    // No older page past a short one.
    expect(stepAuditLog(s, { type: 'older' })).toBe(s);
  });

  it('a filter starts over, and a reply to the load before it is dropped', () => {
    let s = stepAuditLog(initialAuditLog(), { type: 'filter', action: 'control_refused' });
    expect(auditRequest(s)).toEqual({ request: 2, query: { limit: AUDIT_PAGE, before: undefined, action: 'control_refused' } });
    s = stepAuditLog(s, { type: 'loaded', request: 1, entries: [entry(9)] });
    expect(s.load.status).toBe('loading');
    s = stepAuditLog(s, { type: 'loaded', request: 2, entries: [entry(5, 'control_refused')] });
    expect(s).toMatchObject({ action: 'control_refused', entries: [entry(5, 'control_refused')], more: false, load: { status: 'ready' } });
    s = stepAuditLog(s, { type: 'filter', action: null });
    expect(s).toMatchObject({ action: null, entries: [], load: { status: 'loading', request: 3, older: false } });
  });

  it('a failed load keeps what was loaded and retries the same page', () => {
    let s = run(initialAuditLog(), { type: 'loaded', request: 1, entries: page(300, AUDIT_PAGE) }, { type: 'older' }, { type: 'failed', request: 2, code: 'network', message: 'The hub cannot be reached.' });
    expect(s.load).toEqual({ status: 'failed', older: true, code: 'network', message: 'The hub cannot be reached.' });
    expect(s.entries).toHaveLength(AUDIT_PAGE);
    s = stepAuditLog(s, { type: 'retry' });
    expect(auditRequest(s)).toEqual({ request: 3, query: { limit: AUDIT_PAGE, before: 201, action: undefined } });
    expect(stepAuditLog(s, { type: 'failed', request: 2, code: 'x', message: 'stale' })).toBe(s);
  });

  it('nothing to request once ready', () => {
    expect(auditRequest(run(initialAuditLog(), { type: 'loaded', request: 1, entries: [] }))).toBeNull();
  });
});
