import { describe, expect, it } from 'vitest';
import { AuditCoalescer, type AuditEntry } from './audit-coalesce.js';

describe('AuditCoalescer', () => {
  it('writes the first refusal, counts repeats in the window, writes them as one row when it ends', async () => {
    let now = 0;
    const rows: AuditEntry[] = [];
    const c = new AuditCoalescer(async (e) => void rows.push(e), { now: () => now }, 1000);
    const mallory = { id: 'u1', name: 'mallory' };
    for (let i = 0; i < 100; i++) await c.record({ actor: mallory, action: 'join_refused', channel: `acme/x${i % 3}`, detail: { code: 'channel_not_found' } });
    await c.record({ actor: mallory, action: 'join_refused', channel: 'acme/p', detail: { code: 'not_member' } });
    expect(rows).toHaveLength(2);
    await c.flush();
    expect(rows).toHaveLength(2);
    now = 1000;
    await c.flush();
    expect(rows).toEqual([
      { actor: mallory, action: 'join_refused', channel: 'acme/x0', detail: { code: 'channel_not_found' } },
      { actor: mallory, action: 'join_refused', channel: 'acme/p', detail: { code: 'not_member' } },
      {
        actor: mallory,
        action: 'join_refused',
        channel: 'acme/x0',
        detail: { code: 'channel_not_found', repeated: 99, window_ms: 1000, channels: ['acme/x1', 'acme/x2', 'acme/x0'] },
      },
    ]);
  });

  it('a refusal after the window starts a new one and writes the old count first', async () => {
    let now = 0;
    const rows: AuditEntry[] = [];
    const c = new AuditCoalescer(async (e) => void rows.push(e), { now: () => now }, 1000);
    const e: AuditEntry = { actor: null, action: 'control_refused', detail: { code: 'sender_not_allowed' } };
    await c.record(e);
    await c.record(e);
    now = 5000;
    await c.record(e);
    expect(rows.map((r) => r.detail?.repeated ?? 0)).toEqual([0, 1, 0]);
  });
});
