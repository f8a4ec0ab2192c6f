import { describe, expect, it } from 'vitest';
import { CREDENTIAL_LOG_PATHS, redactDeep, redactSecrets } from './redact.js';

const TOKEN = `ph_${'a1B2-_'.repeat(7)}x`;

describe('redactSecrets', () => {
  it.each([
    [`/api/audit?token=${TOKEN}&limit=5`, '/api/audit?token=[redacted]&limit=5'],
    ['/socket/websocket?vsn=2.0.0&token=abc', '/socket/websocket?vsn=2.0.0&token=[redacted]'],
    ['/api/sign-in?code=Zm9vYmFyYmF6cXV4cXV1eA', '/api/sign-in?code=[redacted]'],
    ['Authorization: Bearer abc.def', 'Authorization: Bearer [redacted]'],
    ['phoenix, base64url.bearer.phx.cGhfYWJj', 'phoenix, base64url.bearer.phx.[redacted]'],
    ['ph_session=s3cret; other=1', 'ph_session=[redacted]; other=1'],
    ['pilothouse run --hub http://h --token ph_x --channel a/b', 'pilothouse run --hub http://h --token [redacted] --channel a/b'],
    ['pilothouse run --token=abc', 'pilothouse run --token=[redacted]'],
    ['PILOTHOUSE_TOKEN=abc node x', 'PILOTHOUSE_TOKEN=[redacted] node x'],
    [`the hub refused ${TOKEN}.`, 'the hub refused ph_[redacted].'],
    ['GET /api/me 200 tokenless', 'GET /api/me 200 tokenless'],
    // The name as the hub's URL parser reads it: percent-encoded, any case.
    ['/api/audit?tok%65n=wrongsecret&limit=5', '/api/audit?tok%65n=[redacted]&limit=5'],
    ['/api/sign-in?%63ode=abc', '/api/sign-in?%63ode=[redacted]'],
    ['/x?Token=abc&next=%2F', '/x?Token=[redacted]&next=%2F'],
    ['/x?a=%ZZ&token=abc', '/x?a=%ZZ&token=[redacted]'],
  ])('%s', (input, output) => {
    expect(redactSecrets(input)).toBe(output);
  });
});

describe('redactDeep', () => {
  it('walks plain objects, arrays and errors, and leaves other objects alone', () => {
    class Req {
      url = '/x?token=1';
    }
    const req = new Req();
    const err = Object.assign(new Error(`refused ${TOKEN}`), { code: 'E' });
    const out = redactDeep({ url: '/a?token=1', n: 3, list: ['--token t'], nested: { err }, req }) as Record<string, unknown>;
    expect(out).toMatchObject({ url: '/a?token=[redacted]', n: 3, list: ['--token [redacted]'], nested: { err: { type: 'Error', message: 'refused ph_[redacted]', code: 'E' } } });
    expect(out.req).toBe(req);
  });

  it('names the credential headers as pino redact paths', () => {
    expect(CREDENTIAL_LOG_PATHS).toContain('req.headers.authorization');
    expect(CREDENTIAL_LOG_PATHS).toContain('headers["sec-websocket-protocol"]');
  });
});
