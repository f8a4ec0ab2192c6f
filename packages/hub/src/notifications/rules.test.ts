// The pure rules of notifications: mentions, reminders, quiet hours, routing and digests.

import { describe, expect, it } from 'vitest';
import { defaultPrefs } from '@pilothouse/protocol';
import { mentionsIn, reminderAt, deriveTriggers, mayNotify, EXPIRY_LEAD_MS } from './triggers.js';
import { quietUntil, readPrefs, routeFor } from './routing.js';
import { DIGEST_MIN, planSends } from './digest.js';
import type { StoredContent } from './delivery.js';

describe('mentions', () => {
  it('finds @names at word starts, lower-cased and unique; not in e-mail addresses', () => {
    expect(mentionsIn('@Dave and @dave, cc (@bob). mail carol@example.com @x.y.')).toEqual(['dave', 'bob', 'x.y']);
    expect(mentionsIn('no one here')).toEqual([]);
  });
});

describe('reminders before an approval expires', () => {
  const t0 = Date.parse('2026-12-05T10:00:00Z');
  it('a minute before a long deadline, a quarter of the window before a short one, none for a very short one', () => {
    expect(reminderAt(t0, '2026-12-05T10:10:00Z')).toBe(new Date(Date.parse('2026-12-05T10:10:00Z') - EXPIRY_LEAD_MS).toISOString());
    expect(reminderAt(t0, '2026-12-05T10:02:00Z')).toBe('2026-12-05T10:01:30.000Z');
    expect(reminderAt(t0, '2026-12-05T10:00:20Z')).toBeNull();
    expect(reminderAt(t0, null)).toBeNull();
    expect(reminderAt(t0, 'soon')).toBeNull();
  });
});

describe('quiet hours', () => {
  const quiet = { start: '22:00', end: '07:00', tz: 'Europe/Berlin' };
  it('holds an overnight window until its end in the person\'s time zone', () => {
    // 23:30 in Berlin (UTC+1 in December) → 07:00 Berlin = 06:00 UTC.
    expect(quietUntil(quiet, new Date('2026-12-05T22:30:00Z'))?.toISOString()).toBe('2026-12-06T06:00:00.000Z');
    expect(quietUntil(quiet, new Date('2026-12-06T05:59:00Z'))?.toISOString()).toBe('2026-12-06T06:00:00.000Z');
    expect(quietUntil(quiet, new Date('2026-12-06T06:00:00Z'))).toBeNull();
    expect(quietUntil(quiet, new Date('2026-12-05T12:00:00Z'))).toBeNull();
    expect(quietUntil(null, new Date())).toBeNull();
  });
  it('a daytime window too', () => {
    expect(quietUntil({ start: '12:00', end: '13:00', tz: 'UTC' }, new Date('2026-12-05T12:15:30Z'))?.toISOString()).toBe('2026-12-05T13:00:00.000Z');
  });
});

describe('routing', () => {
  it('email only with an address; a stored value missing fields falls back to the defaults', () => {
    const prefs = { ...defaultPrefs(), email: 'dave@example.com' };
    expect(routeFor(prefs, 'approval_requested')).toEqual({ page: true, push: true, email: 'dave@example.com' });
    expect(routeFor(prefs, 'turn_finished')).toEqual({ page: true, push: true, email: null });
    expect(routeFor(defaultPrefs(), 'approval_requested').email).toBeNull();
    expect(readPrefs('{"digest":false}')).toEqual({ ...defaultPrefs(), digest: false });
    expect(readPrefs('{"email":"not an address"}')).toEqual(defaultPrefs());
  });
});

describe('triggers', () => {
  const approval = { request_id: 'r1', kind: 'command' as const, summary: 'rm -rf build', choices: [{ id: 'approve', label: 'Approve' }, { id: 'cancel', label: 'Cancel' }], allowed: [{ name: 'dave' }], detail: { expires_at: '2026-12-05T10:10:00Z' } };
  it('an approval asks its deciders, offers only the answers it has, and schedules its reminder', () => {
    const d = deriveTriggers({ type: 'state', payload: { seq: 9, message_id: 'm1', thread_id: 't1', state: { state: 'processing', approval } } }, { message: null, running: null, run: 0 }, Date.parse('2026-12-05T10:00:00Z'));
    expect(d.triggers.map((t) => [t.kind, t.key, t.prompt?.actions, t.visibleAt])).toEqual([
      ['approval_requested', 'prompt:r1', ['approve'], null],
      ['approval_expiring', 'expiring:r1', ['approve'], '2026-12-05T10:09:00.000Z'],
    ]);
    expect(d.settles).toEqual([{ messageId: 'm1', openRequest: 'r1' }]);
  });
  it('a chat command\'s answer is not a finished turn; appends are never looked at', () => {
    const message = { id: 'm2', thread_id: 't1', kind: 'text' as const, body: '/pilothouse retry', runner_id: null, author: { user_id: 'u', name: 'bob' }, meta: null };
    const d = deriveTriggers({ type: 'state', payload: { seq: 10, message_id: 'm2', thread_id: 't1', state: { state: 'processed' } } }, { message, running: null, run: 0 }, 0);
    expect(d.triggers).toEqual([]);
    expect(mayNotify({ type: 'append', payload: { seq: 1, message_id: 'm', thread_id: 't', item_key: 'k', offset: 0, text: '@dave' } })).toBe(false);
  });
});

describe('turn outcomes', () => {
  const message = { id: 'm3', thread_id: 't1', kind: 'text' as const, body: 'run the tests', runner_id: null, author: { user_id: 'u', name: 'bob' }, meta: null };
  const failed = (seq: number, run: number) =>
    deriveTriggers({ type: 'state', payload: { seq, message_id: 'm3', thread_id: 't1', state: { state: 'failed', reason: 'boom' } } }, { message, running: null, run }, 0).triggers.map((t) => t.key);
  it('one alert per outcome of a run: the same run failing again is the same alert, a retry that fails again is a new one', () => {
    expect(failed(20, 12)).toEqual(['turn:m3:failed:12']);
    expect(failed(21, 12)).toEqual(failed(20, 12));
    expect(failed(30, 25)).toEqual(['turn:m3:failed:25']);
  });
});

describe('digest', () => {
  const content = (i: number, kind: StoredContent['kind'] = 'turn_finished'): StoredContent => ({
    id: `n${i}`, kind, title: `Turn finished: task ${i}`, body: '', path: '/c/a/b/t/x', channel: 'acme/agents', thread_id: 'x', message_id: null, request_id: null, tag: `t${i}`, actions: [], prompt: null, created_at: `2026-12-05T10:00:0${i}Z`,
  });
  const row = (i: number, target = 's1', kind: StoredContent['kind'] = 'turn_finished') => ({ id: `d${i}`, medium: 'push', target, parsed: content(i, kind) });
  it(`${DIGEST_MIN} updates to one browser become one message; prompts and other browsers stay apart`, () => {
    const rows = [row(1), row(2), row(3), row(4, 's1', 'approval_requested'), row(5, 's2')];
    const sends = planSends(rows, () => true);
    expect(sends.map((s) => [s.content.title, s.rows.map((r) => r.id)])).toEqual([
      ['Turn finished: task 4', ['d4']],
      ['3 updates in acme/agents', ['d1', 'd2', 'd3']],
      ['Turn finished: task 5', ['d5']],
    ]);
    expect(sends[1]!.content.body).toBe('• Turn finished: task 1\n• Turn finished: task 2\n• Turn finished: task 3');
  });
  it('no digest for a person who turned it off, nor below the threshold', () => {
    expect(planSends([row(1), row(2), row(3)], () => false)).toHaveLength(3);
    expect(planSends([row(1), row(2)], () => true)).toHaveLength(2);
  });
});
