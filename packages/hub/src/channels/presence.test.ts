import { describe, expect, it } from 'vitest';
import { MAX_WATCHERS_PER_CHANNEL, TYPING_TTL_MS, type ThreadPresence } from '@pilothouse/protocol';
import { PresenceTracker, REMOTE_TTL_MS, SHARE_EVERY_MS, presenceStep, threadPresence, type ChannelPresence } from './presence.js';
import { sharedPayload } from './pg-presence.js';

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

describe('presence across hubs', () => {
  it('merges what other hubs share, shares its own, and drops a view not refreshed in time', () => {
    let now = 0;
    const published: ThreadPresence[] = [];
    const shared: ThreadPresence[] = [];
    const t = new PresenceTracker({ now: () => now, publish: (_c, p) => published.push(p), share: (_c, p) => shared.push(p) });
    t.apply('c1', { type: 'watch', socketId: 's1', actor: ALICE, threadId: 't1' });
    expect(shared).toEqual([{ thread_id: 't1', watching: [ALICE], typing: [] }]);
    t.remoteView('hub-2', 'c1', { thread_id: 't1', watching: [BOB, ALICE], typing: [BOB] });
    expect(published.at(-1)).toEqual({ thread_id: 't1', watching: [ALICE, BOB], typing: [BOB] });
    expect(t.view('c1', 't1')).toEqual({ thread_id: 't1', watching: [ALICE, BOB], typing: [BOB] });
    // The same view again changes nothing.
    const n = published.length;
    t.remoteView('hub-2', 'c1', { thread_id: 't1', watching: [BOB, ALICE], typing: [BOB] });
    expect(published).toHaveLength(n);
    // This hub shares its views again every SHARE_EVERY_MS, so the others keep them.
    now = SHARE_EVERY_MS;
    t.sweep();
    expect(shared.at(-1)).toEqual({ thread_id: 't1', watching: [ALICE], typing: [] });
    // hub-2 went quiet: its watchers go.
    now = REMOTE_TTL_MS + 1;
    t.sweep();
    expect(published.at(-1)).toEqual({ thread_id: 't1', watching: [ALICE], typing: [] });
  });

  it('cuts a shared view until it fits a NOTIFY payload', () => {
    const many = Array.from({ length: 200 }, (_, i) => ({ user_id: `u-${i}-${'x'.repeat(60)}`, name: `person ${i} ${'y'.repeat(40)}` }));
    const text = sharedPayload('hub', 'c1', { thread_id: 't1', watching: many, typing: many });
    expect(Buffer.byteLength(text)).toBeLessThan(8000);
    const parsed = JSON.parse(text) as { v: ThreadPresence };
    expect(parsed.v.watching.length).toBeGreaterThan(10);
    expect(parsed.v.watching).toEqual(many.slice(0, parsed.v.watching.length));
  });
});
