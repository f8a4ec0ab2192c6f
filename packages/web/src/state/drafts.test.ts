import { describe, expect, it } from 'vitest';
import { afterSend, MAX_DRAFT_CHARS, MAX_DRAFTS, parseDrafts, putDraft } from './drafts.js';

describe('afterSend', () => {
  it('removes only the sent prefix and keeps what was typed after Enter', () => {
    expect(afterSend('First message', 'First message')).toBe('');
    expect(afterSend('First message and a second thought', 'First message')).toBe('and a second thought');
    expect(afterSend('First message\n\nnext one', 'First message')).toBe('next one');
  });
  it('keeps everything when the sent text was edited before the acknowledgement', () => {
    expect(afterSend('Frist message', 'First message')).toBe('Frist message');
    expect(afterSend('', 'First message')).toBe('');
  });
});

describe('drafts', () => {
  it('sets, replaces and removes a thread draft', () => {
    const a = putDraft({}, 'acme/agents/t1', 'half a thought', 1);
    expect(a).toEqual({ 'acme/agents/t1': { text: 'half a thought', at: 1 } });
    const b = putDraft(a, 'acme/agents/new', 'new thread', 2);
    expect(putDraft(b, 'acme/agents/t1', 'whole thought', 3)).toEqual({
      'acme/agents/new': { text: 'new thread', at: 2 },
      'acme/agents/t1': { text: 'whole thought', at: 3 },
    });
    expect(putDraft(b, 'acme/agents/t1', '  \n', 3)).toEqual({ 'acme/agents/new': { text: 'new thread', at: 2 } });
  });
  it('keeps the most recent drafts and a bounded length', () => {
    let d = {};
    for (let i = 0; i < MAX_DRAFTS + 5; i++) d = putDraft(d, `k${i}`, `t${i}`, i);
    expect(Object.keys(d)).toHaveLength(MAX_DRAFTS);
    expect(Object.keys(d)).not.toContain('k4');
    expect(Object.keys(d)).toContain('k5');
    expect(putDraft({}, 'k', 'x'.repeat(MAX_DRAFT_CHARS + 10), 1).k!.text).toHaveLength(MAX_DRAFT_CHARS);
  });
  it('reads what does not parse as no drafts', () => {
    expect(parseDrafts(null)).toEqual({});
    expect(parseDrafts('not json')).toEqual({});
    expect(parseDrafts('{"k":{"text":1}}')).toEqual({});
    expect(parseDrafts('{"k":{"text":"a","at":1}}')).toEqual({ k: { text: 'a', at: 1 } });
  });
});
