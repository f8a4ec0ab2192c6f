import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { UserWithSecret } from '../store/identity.js';
import { createLogin } from './login.js';
import { createSignInGuard } from './sign-in-guard.js';

const alice = { id: 'u1', name: 'alice', admin: false, passwordHash: 'alice-hash' } as UserWithSecret;

function world() {
  const verified: string[] = [];
  const audit: unknown[] = [];
  const store = { userByName: async (name: string) => (name === 'alice' ? alice : undefined), audit: async (row: unknown) => void audit.push(row) };
  const guard = createSignInGuard({ store: store as never, logger: pino({ level: 'silent' }), limits: { userFreeFailures: 2, addressFreeFailures: 100 } });
  const login = createLogin({
    store,
    guard,
    dummyHash: Promise.resolve('dummy-hash'),
    verify: async (password, stored) => (verified.push(stored), stored === 'alice-hash' && password === 'pw'),
  });
  return { login, guard, verified, audit };
}

describe('createLogin', () => {
  it('checks one hash for an unknown name (the dummy) as for a known one, and refuses both alike', async () => {
    const { login, guard, verified } = world();
    const refusals = await Promise.all([
      login({ name: 'alice', password: 'wrong', address: 'a' }).catch((e: unknown) => e),
      login({ name: 'nobody', password: 'wrong', address: 'b' }).catch((e: unknown) => e),
    ]);
    expect(verified).toEqual(['alice-hash', 'dummy-hash']);
    expect(refusals.map((e) => (e as { toBody(): unknown }).toBody())).toEqual([
      { code: 'unauthorized', message: 'Wrong user name or password.' },
      { code: 'unauthorized', message: 'Wrong user name or password.' },
    ]);
    expect(await login({ name: 'alice', password: 'pw', address: 'a' })).toBe(alice);
    await guard.close();
  });

  it('backs off a name after its free failures without checking any hash', async () => {
    const { login, guard, verified, audit } = world();
    for (let i = 0; i < 3; i++) await login({ name: 'alice', password: 'x', address: 'a' }).catch(() => undefined);
    verified.length = 0;
    const err = await login({ name: 'alice', password: 'pw', address: 'z' }).catch((e: unknown) => e);
    expect((err as { toBody(): unknown }).toBody()).toEqual({ code: 'rate_limited', message: 'Too many failed sign-ins; retry in 1 s.', details: { retry_after_ms: 1000 } });
    expect(verified).toEqual([]);
    await guard.close();
    expect(audit).toEqual([
      { actor: null, action: 'login_refused', detail: { name: 'alice', address: 'a', count: 1 } },
      { actor: null, action: 'sign_in_rate_limited', detail: { name: 'alice', address: 'z', count: 1 } },
      { actor: null, action: 'login_refused', detail: { name: 'alice', address: 'a', count: 2, window_ms: 60_000 } },
    ]);
  });
});
