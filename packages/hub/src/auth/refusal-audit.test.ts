import { describe, expect, it } from 'vitest';
import { RefusalAudit } from './refusal-audit.js';

describe('RefusalAudit', () => {
  it('writes the first refusal at once and the rest of its window as one counted row', () => {
    let now = 0;
    const audit = new RefusalAudit(1000, { now: () => now });
    const d = { name: 'alice', address: '127.0.0.1' };
    expect(audit.refused('login_refused', d)).toEqual([{ actor: null, action: 'login_refused', detail: { ...d, count: 1 } }]);
    expect(audit.refused('login_refused', d)).toEqual([]);
    expect(audit.refused('login_refused', d)).toEqual([]);
    expect(audit.refused('login_refused', { ...d, name: 'bob' })).toHaveLength(1);
    now = 999;
    expect(audit.due()).toEqual([]);
    now = 1000;
    expect(audit.refused('login_refused', d)).toEqual([
      { actor: null, action: 'login_refused', detail: { ...d, count: 2, window_ms: 1000 } },
      { actor: null, action: 'login_refused', detail: { ...d, count: 1 } },
    ]);
    audit.refused('login_refused', d);
    expect(audit.drain()).toEqual([{ actor: null, action: 'login_refused', detail: { ...d, count: 1, window_ms: 1000 } }]);
    expect(audit.drain()).toEqual([]);
  });
});
