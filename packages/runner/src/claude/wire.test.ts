import { describe, expect, it } from 'vitest';
import { encodeLine, parseLine } from './wire.js';

describe('stream-json lines', () => {
  it('parses what Claude writes, ignores types it does not handle, and reports malformed lines', () => {
    expect(parseLine('{"type":"control_cancel_request","request_id":"r1"}')).toEqual({ type: 'control_cancel_request', request_id: 'r1' });
    expect(parseLine('{"type":"rate_limit_event","rate_limit_info":{}}')).toEqual({ type: 'ignored', kind: 'rate_limit_event' });
    expect(parseLine('not json')).toEqual({ type: 'malformed', reason: 'not JSON' });
    expect(parseLine('[1]')).toEqual({ type: 'malformed', reason: 'no type' });
    expect(parseLine('{"type":"result"}')).toMatchObject({ type: 'malformed' });
  });

  it('writes one JSON line per message, as the Agent SDK does', () => {
    expect(encodeLine({ type: 'user', text: 'hello' })).toBe('{"type":"user","message":{"role":"user","content":"hello"},"parent_tool_use_id":null,"session_id":""}\n');
    expect(encodeLine({ type: 'control_request', requestId: 'x', subtype: 'interrupt' })).toBe('{"type":"control_request","request_id":"x","request":{"subtype":"interrupt"}}\n');
    expect(JSON.parse(encodeLine({ type: 'permission', requestId: 'r', result: { behavior: 'deny', message: 'no' } }))).toEqual({
      type: 'control_response',
      response: { subtype: 'success', request_id: 'r', response: { behavior: 'deny', message: 'no' } },
    });
    expect(JSON.parse(encodeLine({ type: 'control_error', requestId: 'r', error: 'nope' }))).toEqual({ type: 'control_response', response: { subtype: 'error', request_id: 'r', error: 'nope' } });
  });
});
