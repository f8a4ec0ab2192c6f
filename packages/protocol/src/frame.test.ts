import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, replyFrame } from './frame.js';
import { PilothouseError, toPilothouseError } from './errors.js';
import { parseTopic, parseChannelRef } from './refs.js';
import { ChannelPushes } from './pushes.js';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err instanceof PilothouseError ? { code: err.code, details: err.details } : err;
  }
  return null;
};

describe('Phoenix V2 frames', () => {
  it('round-trips the five-element array', () => {
    const frame = { joinRef: '1', ref: '2', topic: 'channel:acme/agents', event: 'post_message', payload: { a: [1] } };
    const text = encodeFrame(frame);
    expect(text).toBe('["1","2","channel:acme/agents","post_message",{"a":[1]}]');
    expect(decodeFrame(text)).toEqual(frame);
    expect(encodeFrame(replyFrame(frame, 'ok', { seq: 1 }))).toBe('["1","2","channel:acme/agents","phx_reply",{"status":"ok","response":{"seq":1}}]');
  });

  it('refuses bad JSON, wrong arity and wrong element types, salvaging what it can', () => {
    expect(codeOf(() => decodeFrame('{'))).toMatchObject({ code: 'malformed_frame' });
    expect(codeOf(() => decodeFrame('{"a":1}'))).toMatchObject({ code: 'malformed_frame' });
    expect(codeOf(() => decodeFrame('["1","7","t"]'))).toEqual({ code: 'malformed_frame', details: { joinRef: '1', ref: '7', topic: 't' } });
    expect(codeOf(() => decodeFrame('[1,"7","t","e",{}]'))).toMatchObject({ code: 'malformed_frame', details: { ref: '7' } });
    expect(codeOf(() => decodeFrame('[null,null,"t",5,{}]'))).toMatchObject({ code: 'malformed_frame' });
  });

  it('unknown errors become internal without leaking their text', () => {
    const e = toPilothouseError(new Error('secret'));
    expect(e.toBody()).toEqual({ code: 'internal', message: 'Internal error.' });
  });
});

describe('names and topics', () => {
  it('parses channel topics and refuses anything else', () => {
    expect(parseTopic('channel:acme/agents')).toEqual({ type: 'channel', ref: { workspace: 'acme', channel: 'agents' } });
    expect(parseTopic('channel:Acme/agents')).toBeNull();
    expect(parseTopic('channel:acme/agents/x')).toBeNull();
    expect(parseTopic('room:lobby')).toBeNull();
    expect(parseChannelRef('a/b')).toEqual({ workspace: 'a', channel: 'b' });
  });
});

describe('push schemas', () => {
  it('reject unknown fields and wrong types', () => {
    expect(ChannelPushes.post_message.payload.safeParse({ client_id: 'c', body: 'hi' }).success).toBe(true);
    expect(ChannelPushes.post_message.payload.safeParse({ client_id: 'c', body: 'hi', extra: 1 }).success).toBe(false);
    expect(ChannelPushes.append.payload.safeParse({ item_key: 'k', offset: -1, text: 'x' }).success).toBe(false);
    expect(ChannelPushes.control.payload.safeParse({ client_id: 'c', thread_id: 't', action: { type: 'interrupt' } }).success).toBe(true);
    expect(ChannelPushes.control.payload.safeParse({ client_id: 'c', thread_id: 't', action: { type: 'nope' } }).success).toBe(false);
  });

  it('refuse keys a store cannot keep exactly (NUL, lone surrogates); bodies may hold anything', () => {
    for (const bad of ['a\0b', '\uD800', 'x\uDC00']) {
      expect(ChannelPushes.append.payload.safeParse({ item_key: bad, offset: 0, text: 'x' }).success).toBe(false);
      expect(ChannelPushes.post_message.payload.safeParse({ client_id: bad, body: 'hi' }).success).toBe(false);
    }
    expect(ChannelPushes.append.payload.safeParse({ item_key: 'k😀', offset: 0, text: 'a\0\uD800' }).success).toBe(true);
  });
});
