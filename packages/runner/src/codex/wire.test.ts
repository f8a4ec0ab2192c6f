import { describe, expect, it } from 'vitest';
import { encodeOutbound, parseInbound } from './wire.js';

describe('parseInbound', () => {
  it.each([
    ['a response', '{"id":1,"result":{"ok":true}}', { kind: 'response', id: 1, result: { ok: true } }],
    ['a null result', '{"id":"a","result":null}', { kind: 'response', id: 'a', result: null }],
    [
      'an error response',
      '{"id":2,"error":{"code":-32600,"message":"bad"}}',
      { kind: 'error_response', id: 2, error: { code: -32600, message: 'bad' } },
    ],
    [
      'a server request (id and method; its id may equal one of ours)',
      '{"id":1,"method":"item/fileChange/requestApproval","params":{"itemId":"call_1"}}',
      { kind: 'request', id: 1, method: 'item/fileChange/requestApproval', params: { itemId: 'call_1' } },
    ],
    [
      'a notification with emittedAtMs',
      '{"method":"turn/started","params":{"threadId":"t"},"emittedAtMs":1}',
      { kind: 'notification', method: 'turn/started', params: { threadId: 't' } },
    ],
    ['a notification without params', '{"method":"initialized"}', { kind: 'notification', method: 'initialized', params: undefined }],
  ])('reads %s', (_name, line, expected) => {
    expect(parseInbound(line)).toEqual(expected);
  });

  it.each([
    ['text', 'WARN something', 'not JSON'],
    ['an id without result or error', '{"id":3}', 'a response without result or error'],
    ['neither id nor method', '{"result":1}', 'neither a method nor an id'],
  ])('calls %s malformed', (_name, line, reason) => {
    expect(parseInbound(line)).toEqual({ kind: 'malformed', reason });
  });

  it('calls a wrongly typed envelope malformed with the schema path', () => {
    const parsed = parseInbound('{"id":true,"method":7}');
    expect(parsed.kind).toBe('malformed');
    expect(parsed.kind === 'malformed' && parsed.reason).toMatch(/id/);
  });
});

describe('encodeOutbound', () => {
  it('writes one JSON line without a jsonrpc member', () => {
    expect(encodeOutbound({ id: 1, method: 'initialize', params: { a: 1 } })).toBe('{"id":1,"method":"initialize","params":{"a":1}}\n');
  });
});
