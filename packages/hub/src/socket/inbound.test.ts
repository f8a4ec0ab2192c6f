// The inbound edge as a pure function: bytes in, a frame or an addressed error out.

import { describe, expect, it } from 'vitest';
import { readInbound, salvageHeader } from './inbound.js';

const text = (s: string) => Buffer.from(s, 'utf8');

describe('readInbound', () => {
  it('decodes a Phoenix V2 text frame', () => {
    expect(readInbound(text('["1","2","echo:a","echo",{"a":1}]'), false, 1024)).toEqual({
      type: 'frame',
      frame: { joinRef: '1', ref: '2', topic: 'echo:a', event: 'echo', payload: { a: 1 } },
    });
  });

  it('addresses a malformed frame with whatever decodeFrame salvaged', () => {
    const res = readInbound(text('["1",2,"echo:a","echo",{}]'), false, 1024);
    expect(res).toMatchObject({
      type: 'invalid',
      error: { code: 'malformed_frame' },
      address: { joinRef: '1', ref: null, topic: 'echo:a', event: null },
    });
  });

  it('addresses unparsable JSON to topic "phoenix" with null refs', () => {
    expect(readInbound(text('[nope'), false, 1024)).toMatchObject({
      type: 'invalid',
      error: { code: 'malformed_frame' },
      address: { joinRef: null, ref: null, topic: 'phoenix', event: null },
    });
  });

  it('refuses binary frames without looking at them', () => {
    expect(readInbound(text('["1","2","echo:a","echo",{}]'), true, 1024)).toMatchObject({
      type: 'invalid',
      error: { code: 'malformed_frame' },
      address: { topic: 'phoenix', ref: null },
    });
  });

  it('measures the limit in bytes, not characters', () => {
    const frame = text(`[null,"1","t","e","${'é'.repeat(10)}"]`); // 20 bytes of payload text, 10 characters
    expect([frame.length, frame.toString().length]).toEqual([41, 31]);
    expect(readInbound(frame, false, 41).type).toBe('frame');
    expect(readInbound(frame, false, 40)).toMatchObject({
      type: 'invalid',
      error: { code: 'frame_too_large', message: 'The frame has 41 bytes; the limit is 40.' },
      address: { joinRef: null, ref: '1', topic: 't', event: 'e' },
    });
  });
});

describe('salvageHeader', () => {
  it('reads the refs, topic and event from the start of a frame', () => {
    expect(salvageHeader(' [ "1" , null, "echo:\\"q\\"", "ev", {"big":')).toEqual({
      joinRef: '1',
      ref: null,
      topic: 'echo:"q"',
      event: 'ev',
    });
  });

  it('gives up cleanly on anything else', () => {
    const unaddressed = { joinRef: null, ref: null, topic: 'phoenix', event: null };
    expect(salvageHeader('{"not":"an array"}')).toEqual(unaddressed);
    expect(salvageHeader('["1","2",3,"e",')).toEqual(unaddressed);
    expect(salvageHeader('["1","2","topic-cut-o')).toEqual(unaddressed);
    expect(salvageHeader('["\\q","2","t","e",')).toEqual({ joinRef: null, ref: '2', topic: 't', event: 'e' });
  });
});
