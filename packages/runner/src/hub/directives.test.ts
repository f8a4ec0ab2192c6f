import { describe, expect, it } from 'vitest';
import { DIRECTIVE_NAMES, parseDirective } from './directives.js';

describe('runner directives', () => {
  it('are the protocol table', () => {
    expect(DIRECTIVE_NAMES).toEqual(['tunnel_open']);
  });

  it('parse a valid tunnel_open and refuse a malformed one with the issues', () => {
    const payload = { stream_id: 'abcdefgh12', preview_id: 'p1234567', port: 5173, secret: 's'.repeat(43) };
    expect(parseDirective('tunnel_open', payload)).toEqual({ ok: true, directive: { type: 'tunnel_open', payload } });
    const bad = parseDirective('tunnel_open', { ...payload, port: 70000, preview_id: 'UPPER' });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.issues).toMatch(/port/);
    // A secret goes into a request header: anything but base64url is refused before a dial.
    const injected = parseDirective('tunnel_open', { ...payload, secret: `${'s'.repeat(20)}\r\nX-Evil: 1` });
    expect(injected.ok).toBe(false);
    expect(!injected.ok && injected.issues).toMatch(/secret/);
  });
});
