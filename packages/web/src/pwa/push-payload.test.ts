import { describe, expect, it } from 'vitest';
import { alertFromPush, clickTarget, decideResult } from './push-payload.js';

const prompt = {
  id: 'n1',
  kind: 'approval_requested',
  title: 'Approval needed: npm test',
  body: 'alice’s session in acme/agents',
  url: 'https://hub.example/c/acme/agents/t/t1',
  tag: 'prompt:r1',
  actions: [
    { action: 'approve', title: 'Approve' },
    { action: 'deny', title: 'Deny' },
  ],
  codes: { approve: 'code-approve', deny: 'code-deny' },
};

describe('push payload', () => {
  it('a prompt becomes an alert with its actions, kept until answered', () => {
    expect(alertFromPush(prompt)).toEqual({
      title: 'Approval needed: npm test',
      options: {
        body: 'alice’s session in acme/agents',
        tag: 'prompt:r1',
        data: { url: prompt.url, codes: prompt.codes },
        actions: prompt.actions,
        requireInteraction: true,
      },
    });
  });

  it('an update has no actions and goes away by itself; actions without codes are left off', () => {
    const a = alertFromPush({ ...prompt, kind: 'turn_finished', tag: 'turn_finished:n1', codes: undefined });
    expect(a.options).toEqual({ body: prompt.body, tag: 'turn_finished:n1', data: { url: prompt.url, codes: {} }, requireInteraction: false });
  });

  it('a payload that is not an object still shows something', () => {
    expect(alertFromPush(null)).toEqual({ title: 'Pilothouse', options: { body: 'Something needs your attention.', data: { url: '/', codes: {} } } });
  });

  it('a click on an action decides with its code; elsewhere it opens the thread', () => {
    const data = { url: prompt.url, codes: prompt.codes };
    expect(clickTarget('approve', data)).toEqual({ type: 'decide', code: 'code-approve', choice: 'approve' });
    expect(clickTarget('deny', data)).toEqual({ type: 'decide', code: 'code-deny', choice: 'deny' });
    expect(clickTarget('', data)).toEqual({ type: 'open', url: prompt.url });
    expect(clickTarget('approve', { url: '/x' })).toEqual({ type: 'none' });
  });

  it('says how the decision went: the choice, or the hub’s message', () => {
    expect(decideResult(true, 'approve', { seq: 1 })).toBe('Approved');
    expect(decideResult(true, 'deny', {})).toBe('Denied');
    expect(decideResult(false, 'approve', { code: 'code_used', message: 'This code was already used.' })).toBe('This code was already used.');
    expect(decideResult(false, 'approve', null)).toBe('The hub could not be reached; open the thread to decide.');
  });
});
