import { describe, expect, it } from 'vitest';
import { channelStep, emptyChannel, runnersOf, type ChannelInput } from './channel.js';
import { ALICE, ev, msg, runner } from '../../test/state-fixtures.js';

const joined = (head_seq: number, runners = [runner()]): ChannelInput => ({
  type: 'joined',
  reply: { head_seq, channel: { id: 'c1', workspace: 'acme', name: 'agents' }, runners, user: ALICE },
});
const run = (inputs: ChannelInput[]) => inputs.reduce(channelStep, emptyChannel);

describe('channel state', () => {
  it('starts the cursor at the head, advances it per event, and keeps it across a rejoin', () => {
    const s = run([joined(5), { type: 'event', event: ev.message(msg('a', 6)) }, joined(9)]);
    expect(s.seq).toBe(6);
    expect(s.join).toEqual({ status: 'joined', user: ALICE });
    expect(s.gap).toBe(false);
  });

  it('upserts presence by runner id, skips replays and flags a skipped seq', () => {
    const s = run([
      joined(5),
      { type: 'event', event: ev.presence(6, runner({ status: 'working' })) },
      { type: 'event', event: ev.presence(6, runner({ status: 'idle' })) }, // a repeat
      { type: 'event', event: ev.presence(7, runner({ runner_id: 'r2', updated_at: '2026-11-25T11:00:00.000Z' })) },
    ]);
    expect(runnersOf(s).map((r) => [r.runner_id, r.status])).toEqual([
      ['r2', 'idle'],
      ['r1', 'working'],
    ]);
    const gap = channelStep(s, { type: 'event', event: ev.message(msg('z', 9)) });
    expect(gap).toMatchObject({ seq: 9, gap: true });
    expect(channelStep(gap, { type: 'resynced' }).gap).toBe(false);
  });

  it('records a refused join with its code', () => {
    expect(run([{ type: 'refused', code: 'not_member', message: 'alice is not a member' }]).join).toEqual({
      status: 'refused',
      code: 'not_member',
      message: 'alice is not a member',
    });
  });
});
