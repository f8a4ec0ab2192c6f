// Sign-in backoff under a spray (issue 11, finding 8): an attacker who cannot guess faster must not
// get the backoff reset by making the limiter forget it, nor dodge the per-address limit by
// walking the addresses of one IPv6 network. A real hub with a trusted proxy (X-Forwarded-For
// stands for the many addresses of a real attacker), its key cap made small so the spray is short.

import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type RunningHub } from '../src/hub.js';
import { cleanupDir, seed, type Seeded } from './hub-process.js';

let seeded: Seeded;
let hub: RunningHub;

beforeAll(async () => {
  seeded = await seed(['alice', 'bob']);
  hub = await startHub({
    host: '127.0.0.1',
    port: 0,
    store: { kind: 'sqlite', dataDir: seeded.dataDir },
    logger: pino({ level: 'silent' }),
    webRoot: null,
    trustProxy: true,
    signIn: { limits: { maxKeys: 40, baseDelayMs: 60_000 } },
  });
});
afterAll(async () => {
  await hub.close();
  cleanupDir(seeded.dataDir);
});

const login = (name: string, password: string, from: string) =>
  fetch(`${hub.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': from }, body: JSON.stringify({ name, password }) });

describe('sign-in backoff under a spray', () => {
  it('a user name in backoff stays in backoff while an attacker sprays more names than the limiter keeps', async () => {
    for (let i = 0; i < 6; i++) expect((await login('alice', 'wrong', `10.9.0.${i}`)).status).toBe(401);
    expect((await login('alice', 'wrong', '10.9.1.1')).status).toBe(429);
    // 60 names from 60 addresses: 120 keys, three times what the limiter keeps.
    for (let i = 0; i < 60; i++) expect((await login(`spray${i}`, 'wrong', `10.8.${i}.1`)).status).toBe(401);
    expect((await login('alice', 'wrong', '10.9.2.1')).status).toBe(429);
  });

  it('the addresses of one IPv6 /64 are one address', async () => {
    const statuses: number[] = [];
    for (let i = 1; i <= 30 && statuses.at(-1) !== 429; i++) statuses.push((await login(`v6user${i}`, 'wrong', `2001:db8:0:7::${i.toString(16)}`)).status);
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.length).toBeLessThanOrEqual(22);
    // Another /64 is another address.
    expect((await login('bob', 'pw', '2001:db8:0:8::1')).status).toBe(200);
  });
});
