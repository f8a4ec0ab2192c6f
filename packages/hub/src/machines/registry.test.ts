import { describe, expect, it } from 'vitest';
import type { MachineInfo, MachinePresence } from '@pilothouse/protocol';
import type { Subscription } from '../socket/types.js';
import { MAX_PENDING_PER_MACHINE, MachineRegistry } from './registry.js';

function sub(id: string) {
  const pushed: { event: string; payload: { request_id: string } }[] = [];
  const s: Subscription & { pushed: typeof pushed; closed: boolean } = {
    socketId: id,
    topic: 'channel:acme/agents',
    joinRef: '1',
    closed: false,
    pushed,
    push: (event, payload) => pushed.push({ event, payload: payload as { request_id: string } }),
    sendRaw: () => undefined,
    drained: () => Promise.resolve(),
  };
  return s;
}
const info: MachineInfo = {
  name: 'devbox',
  os: 'linux',
  daemon_version: '0.1.0',
  folders: [],
  agents: [],
  limits: { may_start: [], max_sessions: 1, sandboxes: ['workspace-write'], approval_policies: ['on-request'], port_base: 41000 },
  sessions: [],
};
const alice = { user_id: 'u-alice', name: 'alice' };

describe('MachineRegistry', () => {
  it('forwards a request to the daemon and resolves with its reply; an error reply keeps its code', async () => {
    const published: MachinePresence[][] = [];
    const reg = new MachineRegistry({ publish: (_c, list) => published.push(list) });
    const s = sub('s1');
    reg.report('c1', alice, s, info);
    expect(published.at(-1)?.map((m) => [m.name, m.online])).toEqual([['devbox', true]]);
    const answer = reg.request('c1', 'u-alice', 'DevBox', alice, { op: 'changes', session_id: 'x-1' });
    const sent = s.pushed[0]!;
    expect(sent.event).toBe('machine_request');
    reg.reply('c1', s, { request_id: sent.payload.request_id, ok: true, result: { fine: 1 } });
    await expect(answer).resolves.toEqual({ fine: 1 });
    const refused = reg.request('c1', 'u-alice', 'devbox', alice, { op: 'changes', session_id: 'x-1' });
    reg.reply('c1', s, { request_id: s.pushed[1]!.payload.request_id, ok: false, error: { code: 'base_dirty', message: 'dirty' } });
    await expect(refused).rejects.toMatchObject({ code: 'base_dirty', message: 'dirty' });
    // A code the protocol does not know is not passed on as such.
    const odd = reg.request('c1', 'u-alice', 'devbox', alice, { op: 'changes', session_id: 'x-1' });
    reg.reply('c1', s, { request_id: s.pushed[2]!.payload.request_id, ok: false, error: { code: 'made_up', message: 'odd' } });
    await expect(odd).rejects.toMatchObject({ code: 'internal' });
  });

  it('fails what waits when the daemon leaves, and refuses at once while it is offline', async () => {
    const published: MachinePresence[][] = [];
    const reg = new MachineRegistry({ publish: (_c, list) => published.push(list) });
    const s = sub('s1');
    reg.report('c1', alice, s, info);
    const waiting = reg.request('c1', 'u-alice', 'devbox', alice, { op: 'changes', session_id: 'x-1' });
    reg.left('c1', s);
    await expect(waiting).rejects.toMatchObject({ code: 'machine_offline' });
    expect(published.at(-1)?.map((m) => m.online)).toEqual([false]);
    await expect(reg.request('c1', 'u-alice', 'devbox', alice, { op: 'changes', session_id: 'x-1' })).rejects.toMatchObject({ code: 'machine_offline' });
    await expect(reg.request('c1', 'u-alice', 'other', alice, { op: 'changes', session_id: 'x-1' })).rejects.toMatchObject({ code: 'machine_not_found' });
    // A reply from a socket that is not the machine's answers nothing.
    const again = sub('s2');
    reg.report('c1', alice, again, info);
    const p = reg.request('c1', 'u-alice', 'devbox', alice, { op: 'changes', session_id: 'x-1' });
    reg.reply('c1', s, { request_id: again.pushed[0]!.payload.request_id, ok: true, result: 'forged' });
    reg.reply('c1', again, { request_id: again.pushed[0]!.payload.request_id, ok: true, result: 'real' });
    await expect(p).resolves.toBe('real');
  });

  it('bounds what a machine holds: requests waiting, and how long each waits', async () => {
    const reg = new MachineRegistry({ publish: () => undefined, timeouts: { changes: 30 } });
    const s = sub('s1');
    reg.report('c1', alice, s, info);
    const waiting = Array.from({ length: MAX_PENDING_PER_MACHINE }, () => reg.request('c1', 'u-alice', 'devbox', alice, { op: 'changes', session_id: 'x-1' }));
    await expect(reg.request('c1', 'u-alice', 'devbox', alice, { op: 'changes', session_id: 'x-1' })).rejects.toMatchObject({ code: 'rate_limited' });
    for (const w of waiting) await expect(w).rejects.toMatchObject({ code: 'machine_timeout' });
  });
});
