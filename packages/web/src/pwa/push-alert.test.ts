import { describe, expect, it } from 'vitest';
import { alertFor, decidedNotice, tapOf } from './push-alert.js';

const approval = {
  id: 'n1', kind: 'approval_requested', title: 'Approval needed: npm test', body: 'run the tests', url: 'https://hub/c/acme/agents/t/t1', tag: 'prompt:r1',
  actions: [{ action: 'approve', title: 'Approve' }, { action: 'deny', title: 'Deny' }], codes: { approve: 'code-a', deny: 'code-d' },
};

describe('push alerts in the service worker', () => {
  it('a prompt stays until answered, re-alerts under its tag, and offers each answer that has a code', () => {
    const a = alertFor({ ...approval, codes: { approve: 'code-a' } })!;
    expect(a.title).toBe('Approval needed: npm test');
    expect(a.options).toMatchObject({ tag: 'prompt:r1', requireInteraction: true, renotify: true, actions: [{ action: 'approve', title: 'Approve' }] });
    expect(alertFor({ ...approval, kind: 'turn_finished', actions: [], codes: {} })!.options).toMatchObject({ requireInteraction: false, renotify: false, actions: [] });
    expect(alertFor('not json we know')).toBeNull();
    expect(alertFor({ title: 'x' })).toBeNull();
  });
  it('a tap on an answer posts its code; elsewhere opens the thread', () => {
    const { data } = alertFor(approval)!.options;
    expect(tapOf('deny', data)).toEqual({ type: 'decide', code: 'code-d', action: 'deny' });
    expect(tapOf('', data)).toEqual({ type: 'open', url: 'https://hub/c/acme/agents/t/t1' });
    expect(tapOf('approve', null)).toBeNull();
  });
  it("says what became of the answer, with the hub's own message on a refusal", () => {
    expect(decidedNotice('approve', 200, {})).toEqual({ title: 'Approved', body: 'Your answer was sent to the session.' });
    expect(decidedNotice('approve', 409, { code: 'prompt_settled', message: 'This prompt was already decided, withdrawn or expired.' })).toEqual({ title: 'Not decided', body: 'This prompt was already decided, withdrawn or expired.' });
    expect(decidedNotice('deny', 500, null)).toEqual({ title: 'Not decided', body: 'The hub answered 500.' });
  });
});
