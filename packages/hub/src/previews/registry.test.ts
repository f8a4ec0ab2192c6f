import { describe, expect, it } from 'vitest';
import type { Subscription } from '../socket/types.js';
import { PreviewRegistry, type OpenInput } from './registry.js';

function sub(name: string): Subscription & { closed: boolean } {
  return { socketId: name, topic: 'channel:acme/agents', joinRef: '1', closed: false, push() {}, sendRaw() {}, drained: () => Promise.resolve() };
}

const input = (over: Partial<OpenInput> = {}): OpenInput => ({
  previewId: 'preview1',
  channelId: 'c1',
  threadId: 't1',
  ownerUserId: 'alice',
  runnerId: 'r1',
  instanceId: 'i1',
  port: 5173,
  sub: sub('s1'),
  ...over,
});

describe('preview registry', () => {
  it('opens idempotently, re-binds to a newer socket, goes offline when its socket leaves', () => {
    const reg = new PreviewRegistry();
    const s1 = sub('s1');
    expect(reg.lookup('preview1')).toEqual({ status: 'unknown' });
    expect(reg.open(input({ sub: s1 }))).toMatchObject({ created: true, reset: false, evicted: [] });
    expect(reg.lookup('preview1')).toMatchObject({ status: 'open', preview: { port: 5173, sub: s1 } });
    expect(reg.socketLeft(s1).map((p) => p.previewId)).toEqual(['preview1']);
    expect(reg.lookup('preview1')).toMatchObject({ status: 'offline', preview: { sub: null } });
    const s2 = sub('s2');
    expect(reg.open(input({ sub: s2, instanceId: 'i2' }))).toMatchObject({ created: false, reset: false });
    expect(reg.lookup('preview1')).toMatchObject({ status: 'open', preview: { sub: s2, instanceId: 'i2' } });
    // a socket that closed without a leave yet counts as offline
    s2.closed = true;
    expect(reg.lookup('preview1').status).toBe('offline');
    // a late leave of the old socket changes nothing
    expect(reg.socketLeft(s1)).toEqual([]);
    expect(reg.open(input({ port: 3000 }))).toMatchObject({ reset: true });
  });

  it('another user may neither open nor close an id that is not theirs, open or closed', () => {
    const reg = new PreviewRegistry();
    reg.open(input());
    expect(() => reg.open(input({ ownerUserId: 'mallory' }))).toThrow(expect.objectContaining({ code: 'forbidden' }));
    expect(() => reg.close('preview1', 'revoked', 'mallory')).toThrow(expect.objectContaining({ code: 'forbidden' }));
    expect(reg.close('preview1', 'revoked', 'alice')).toMatchObject({ previewId: 'preview1' });
    expect(reg.lookup('preview1')).toEqual({ status: 'closed', reason: 'revoked' });
    expect(reg.close('preview1', 'revoked', 'alice')).toBeNull();
    expect(() => reg.open(input({ ownerUserId: 'mallory' }))).toThrow(expect.objectContaining({ code: 'forbidden' }));
    // the owner may open it again
    expect(reg.open(input()).created).toBe(true);
  });

  it('is bounded per runner and in total (oldest evicted with a tombstone); tombstones are bounded', () => {
    const reg = new PreviewRegistry({ perRunner: 2, total: 3, tombstones: 2 });
    reg.open(input({ previewId: 'a0000000' }));
    reg.open(input({ previewId: 'b0000000' }));
    expect(reg.open(input({ previewId: 'c0000000' })).evicted.map((p) => p.previewId)).toEqual(['a0000000']);
    expect(reg.lookup('a0000000')).toEqual({ status: 'closed', reason: 'evicted' });
    reg.open(input({ previewId: 'd0000000', runnerId: 'r2' }));
    expect(reg.open(input({ previewId: 'e0000000', runnerId: 'r3' })).evicted.map((p) => p.previewId)).toEqual(['b0000000']);
    expect(reg.size).toBe(3);
    reg.close('c0000000', 'revoked', 'alice');
    expect(reg.lookup('a0000000')).toEqual({ status: 'unknown' }); // its tombstone gave way
    expect(reg.lookup('c0000000').status).toBe('closed');
  });
});
