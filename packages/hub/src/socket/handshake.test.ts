// The upgrade rules as plain functions: vsn, subprotocol selection, status per code.

import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { checkVsn, selectProtocol, statusFor } from './handshake.js';

const req = (url: string) => ({ url }) as IncomingMessage;

describe('checkVsn', () => {
  it('accepts vsn=2.0.0 only', () => {
    expect(() => checkVsn(req('/socket/websocket?token=t&vsn=2.0.0'))).not.toThrow();
    expect(() => checkVsn(req('/socket/websocket?vsn=1.0.0'))).toThrow(
      expect.objectContaining({ code: 'bad_request', message: 'Unsupported vsn 1.0.0; the hub speaks 2.0.0.' }),
    );
    expect(() => checkVsn(req('/socket/websocket'))).toThrow(
      expect.objectContaining({ code: 'bad_request', message: 'The query must carry vsn=2.0.0.' }),
    );
  });
});

describe('selectProtocol', () => {
  it('selects "phoenix" when offered and never echoes the token entry', () => {
    expect(selectProtocol(new Set(['phoenix', 'base64url.bearer.phx.dG9r']))).toBe('phoenix');
    expect(selectProtocol(new Set(['base64url.bearer.phx.dG9r']))).toBe(false);
    expect(selectProtocol(new Set())).toBe(false);
  });
});

describe('statusFor', () => {
  it('maps the codes an upgrade is refused with, and everything else to 500', () => {
    expect(statusFor('unauthorized')).toEqual([401, 'Unauthorized']);
    expect(statusFor('bad_request')).toEqual([400, 'Bad Request']);
    expect(statusFor('forbidden')).toEqual([403, 'Forbidden']);
    expect(statusFor('internal')).toEqual([500, 'Internal Server Error']);
    expect(statusFor('not_member')).toEqual([500, 'Internal Server Error']);
  });
});
