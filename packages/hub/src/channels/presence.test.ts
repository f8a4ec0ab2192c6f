import { describe, expect, it } from 'vitest';
import { MAX_WATCHERS_PER_CHANNEL, TYPING_TTL_MS, type ThreadPresence } from '@pilothouse/protocol';
import { PresenceTracker, presenceStep, threadPresence, type ChannelPresence } from './presence.js';

const ALICE = { user_id: 'u-a', name: 'alice' };
const BOB = { user_id: 'u-b', name: 'bob' };

describe('presenceStep', () => {
  it('a watch, a second tab of the same person, a move and a leave: each person once per thread', () => {
    let s: ChannelPresence = {};
    const step = (input: Parameters<typeof presenceStep>[1], now = 0) => {
      const r = presenceStep(s, input, now);
      if (r.type !== 'ok') throw new Error(r.code);
      s = r.state;
      return r.changed;
    };
    expect(step({ type: 'watch', socketId: 's1', actor: ALICE, threadId: 't1' })).toEqual(['t1']);
    expect(step({ type: 'watch', socketId: 's2', actor: ALICE, threadId: 't1' })).toEqual([]);
    expect(step({ type: 'watch', socketId: 's3', actor: BOB, threadId: 't1' })).toEqual(['t1']);
    expect(threadPresence(s, 't1', 0)).toEqual({ thread_id: 't1', watching: [ALICE, BOB], typing: [] });
    expect(step({ type: 'watch', socketId: 's3', actor: BOB, threadId: 't2' })).toEqual(['t1', 't2']);
    expect(step({ type: 'left', socketId: 's1' })).toEqual([]);
    expect(step({ type: 'watch', socketId: 's2', actor: ALICE, threadId: null })).toEqual(['t1']);
    expect(s).toEqual({ s3: { actor: BOB, threadId: 't2', typingUntil: null } });
  });

  it('typing implies watching, stops on request, and expires TYPING_TTL_MS after the last refresh', () => {
    let r = presenceStep({}, { type: 'typing', socketId: 's1', actor: ALICE, threadId: 't1', typing: true }, 1000);
    if (r.type !== 'ok') throw new Error();
    expect(threadPresence(r.state, 't1', 1000)).toEqual({ thread_id: 't1', watching: [ALICE], typing: [ALICE] });
    const refreshed = presenceStep(r.state, { type: 'typing', socketId: 's1', actor: ALICE, threadId: 't1', typing: true }, 3000);
    if (refreshed.type !== 'ok') throw new Error();
    expect(refreshed.changed).toEqual([]);
    r = presenceStep(refreshed.state, { type: 'sweep' }, 3000 + TYPING_TTL_MS - 1);
    expect(r).toMatchObject({ type: 'ok', changed: [] });
    r = presenceStep(refreshed.state, { type: 'sweep' }, 3000 + TYPING_TTL_MS);
    if (r.type !== 'ok') throw new Error();
    expect(r.changed).toEqual(['t1']);
    expect(threadPresence(r.state, 't1', 3000 + TYPING_TTL_MS)).toEqual({ thread_id: 't1', watching: [ALICE], typing: [] });
    const stopped = presenceStep(refreshed.state, { type: 'typing', socketId: 's1', actor: ALICE, threadId: 't1', typing: false }, 3500);
    expect(stopped).toMatchObject({ type: 'ok', changed: ['t1'], state: { s1: { typingUntil: null } } });
  });

  it('tracks at most MAX_WATCHERS_PER_CHANNEL sockets; those already tracked may still move', () => {
    const full: Record<string, { actor: typeof ALICE; threadId: string; typingUntil: null }> = {};
    for (let i = 0; i < MAX_WATCHERS_PER_CHANNEL; i++) full[`s${i}`] = { actor: ALICE, threadId: 't1', typingUntil: null };
    expect(presenceStep(full, { type: 'watch', socketId: 'new', actor: BOB, threadId: 't1' }, 0)).toEqual({ type: 'refused', code: 'presence_full' });
    expect(presenceStep(full, { type: 'typing', socketId: 'new', actor: BOB, threadId: 't1', typing: true }, 0)).toEqual({ type: 'refused', code: 'presence_full' });
    expect(presenceStep(full, { type: 'watch', socketId: 's0', actor: ALICE, threadId: 't2' }, 0)).toMatchObject({ type: 'ok', changed: ['t2'] });
  });
});

describe('PresenceTracker', () => {
  it('publishes each change, expires typing on the sweep and forgets an empty channel', () => {
    let now = 0;
    const published: [string, ThreadPresence][] = [];
    const t = new PresenceTracker({ now: () => now, publish: (c, p) => published.push([c, p]) });
    t.apply('c1', { type: 'typing', socketId: 's1', actor: ALICE, threadId: 't1', typing: true });
    now = TYPING_TTL_MS;
    t.sweep();
    t.apply('c1', { type: 'left', socketId: 's1' });
    expect(published).toEqual([
      ['c1', { thread_id: 't1', watching: [ALICE], typing: [ALICE] }],
      ['c1', { thread_id: 't1', watching: [ALICE], typing: [] }],
      ['c1', { thread_id: 't1', watching: [], typing: [] }],
    ]);
    expect(t.size()).toBe(0);
  });
});
