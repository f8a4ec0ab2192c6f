// Sign-in codes behave alike on SQLite and PostgreSQL: exchanged once, refused when used, expired
// or unknown (each said apart), and swept a day after they expire.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { postgresFixture, sqliteFixture } from '../../test/stores.js';
import type { Store, User } from './store.js';

const T0 = new Date('2026-11-25T10:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const MIN = 60_000;

describe.each([sqliteFixture, postgresFixture])('sign-in codes: $name', (fixture) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let alice: User;

  beforeEach(async () => {
    ({ store, cleanup } = await fixture.open());
    alice = await store.createUser({ name: 'alice', passwordHash: null, admin: false });
  });
  afterEach(async () => cleanup());

  it('exchanges a code once, before it expires; says why it refuses afterwards', async () => {
    await store.createSignInCode({ codeHash: 'h1', userId: alice.id, next: '/c/acme/agents', expiresAt: at(10 * MIN) }, T0);
    await store.createSignInCode({ codeHash: 'h2', userId: alice.id, next: null, expiresAt: at(10 * MIN) }, T0);
    expect(await store.exchangeSignInCode('h1', at(MIN))).toEqual({ ok: true, userId: alice.id, next: '/c/acme/agents' });
    expect(await store.exchangeSignInCode('h1', at(2 * MIN))).toEqual({ ok: false, reason: 'used' });
    expect(await store.exchangeSignInCode('h2', at(10 * MIN))).toEqual({ ok: false, reason: 'expired' });
    expect(await store.exchangeSignInCode('nope', at(MIN))).toEqual({ ok: false, reason: 'unknown' });
  });

  it('lets exactly one of two concurrent exchanges win', async () => {
    await store.createSignInCode({ codeHash: 'race', userId: alice.id, next: null, expiresAt: at(10 * MIN) }, T0);
    const results = await Promise.all([store.exchangeSignInCode('race', at(MIN)), store.exchangeSignInCode('race', at(MIN))]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok)).toEqual([{ ok: false, reason: 'used' }]);
  });

  it('forgets codes a day after they expired, when the next one is created', async () => {
    await store.createSignInCode({ codeHash: 'old', userId: alice.id, next: null, expiresAt: at(10 * MIN) }, T0);
    await store.createSignInCode({ codeHash: 'new', userId: alice.id, next: null, expiresAt: at(25 * 60 * MIN) }, at(24 * 60 * MIN + 11 * MIN));
    expect(await store.exchangeSignInCode('old', at(24 * 60 * MIN + 12 * MIN))).toEqual({ ok: false, reason: 'unknown' });
    expect(await store.exchangeSignInCode('new', at(24 * 60 * MIN + 12 * MIN))).toMatchObject({ ok: true });
  });
});
