import { describe, expect, it } from 'vitest';
import { auditActor, auditOutcome, detailSummary, isRefused, repeatLabel } from './audit-entry.js';

describe('auditOutcome', () => {
  it('marks a refusal with its code', () => {
    expect(auditOutcome({ action: 'control_refused', detail: { thread_id: 't1', action: { type: 'interrupt' }, code: 'sender_not_allowed' } })).toEqual({ type: 'refused', code: 'sender_not_allowed' });
    expect(auditOutcome({ action: 'join_refused', detail: { code: 'not_member' } })).toEqual({ type: 'refused', code: 'not_member' });
  });

  it('marks a refusal without a code by its reason, or as refused', () => {
    expect(auditOutcome({ action: 'sign_in_link_refused', detail: { reason: 'expired', address: '::1', count: 1 } })).toEqual({ type: 'refused', code: 'expired' });
    expect(auditOutcome({ action: 'login_refused', detail: { name: 'bob', address: '::1', count: 1 } })).toEqual({ type: 'refused', code: 'refused' });
    expect(auditOutcome({ action: 'sign_in_rate_limited', detail: { address: '::1', count: 3 } })).toEqual({ type: 'refused', code: 'rate_limited' });
  });

  it('an entry with a detail code is refused whatever its action', () => {
    expect(isRefused({ action: 'something_new', detail: { code: 'forbidden' } })).toBe(true);
  });

  it('a recorded action is done', () => {
    expect(auditOutcome({ action: 'control', detail: { thread_id: 't1', action: { type: 'interrupt' }, control_id: 'c1' } })).toEqual({ type: 'done' });
    expect(isRefused({ action: 'title_set', detail: { code: 42 } })).toBe(false);
  });
});

describe('auditActor', () => {
  it('names the actor, or the hub when there is none', () => {
    expect(auditActor({ actor_name: 'bob' })).toBe('bob');
    expect(auditActor({ actor_name: null })).toBe('hub');
  });
});

describe('repeatLabel', () => {
  it('counts the repeats of a coalesced refusal (limits/audit-coalesce.ts)', () => {
    expect(repeatLabel({ code: 'not_member', repeated: 41, window_ms: 60_000, channels: ['acme/a'] })).toBe('41 more within 60 s');
  });

  it('counts a sign-in window (auth/refusal-audit.ts); the first refusal alone is no count', () => {
    expect(repeatLabel({ name: 'bob', count: 7, window_ms: 60_000 })).toBe('×7 within 60 s');
    expect(repeatLabel({ name: 'bob', count: 1 })).toBeNull();
    expect(repeatLabel({ count: 3, window_ms: 1500 })).toBe('×3 within 1500 ms');
  });

  it('a single event has no count', () => {
    expect(repeatLabel({ code: 'not_member' })).toBeNull();
    expect(repeatLabel({ repeated: 'x', count: -2 })).toBeNull();
  });
});

describe('detailSummary', () => {
  it('shows the rest of the detail on one line, control actions by their type', () => {
    expect(detailSummary({ thread_id: 't1', action: { type: 'interrupt' }, code: 'sender_not_allowed' })).toBe('thread_id t1 · action interrupt');
    expect(detailSummary({ code: 'not_member', repeated: 2, window_ms: 60_000, channels: ['acme/a', 'acme/b'] })).toBe('channels acme/a, acme/b');
    expect(detailSummary({ channels: [], nested: { a: 1 }, gone: null })).toBe('');
  });

  it('cuts long values', () => {
    expect(detailSummary({ title: 'x'.repeat(100) })).toBe(`title ${'x'.repeat(59)}…`);
  });
});
