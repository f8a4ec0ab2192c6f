// Inbound parsing and dedup with plain values.

import { describe, expect, it } from 'vitest';
import { InboundFeed } from './inbound.js';

const state = (seq: number) => ({ seq, message_id: 'm1', thread_id: 't1', state: { state: 'queued' } });

describe('InboundFeed', () => {
  it('delivers each seq once, in order, and drops repeats from an overlapping replay', () => {
    const feed = new InboundFeed(4);
    expect(feed.accept('state', state(5))).toEqual({ type: 'deliver', event: { type: 'state', payload: state(5) }, gap: 0 });
    expect(feed.accept('state', state(6))).toMatchObject({ type: 'deliver', gap: 0 });
    expect(feed.accept('state', state(5))).toEqual({ type: 'repeat', seq: 5 });
    expect(feed.accept('state', state(4))).toEqual({ type: 'repeat', seq: 4 });
    expect(feed.accept('state', state(9))).toMatchObject({ type: 'deliver', gap: 2 });
    expect(feed.lastDelivered).toBe(9);
  });

  it('a fresh runner starts at the head of its first join; later joins do not move it back', () => {
    const feed = new InboundFeed(undefined);
    expect(feed.lastDelivered).toBeUndefined();
    feed.joined(12);
    expect(feed.accept('state', state(12))).toEqual({ type: 'repeat', seq: 12 });
    feed.accept('state', state(13));
    feed.joined(20);
    expect(feed.lastDelivered).toBe(13);
  });

  it('rejects a payload that does not match the event schema, without advancing', () => {
    const feed = new InboundFeed(1);
    expect(feed.accept('append', { seq: 2, text: 'x' })).toMatchObject({ type: 'invalid', name: 'append', issues: expect.stringContaining('message_id') });
    expect(feed.lastDelivered).toBe(1);
  });
});
