// `npm run bench` part `login` (BENCH_ONLY=login): how long a refused `POST /api/login` takes for an
// existing user with a wrong password and for a name that does not exist, interleaved, against the
// real hub. Equal-time refusals (one scrypt each, auth/login.ts) make the two medians the same; the
// issue measured 32.7 ms against 1.2 ms before. Backoff is raised out of the way for the run.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { hashPassword, startHub, Store } from '@pilothouse/hub';
import { round } from './procs.js';

const ROUNDS = 25;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function loginBench(line: (s?: string) => void): Promise<{ knownMs: number; unknownMs: number; rounds: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ph-bench-login-'));
  const store = await Store.open({ kind: 'sqlite', dataDir });
  await store.createUser({ name: 'alice', passwordHash: await hashPassword('right'), admin: false });
  await store.close();
  const hub = await startHub({
    host: '127.0.0.1', port: 0, store: { kind: 'sqlite', dataDir }, logger: pino({ level: 'silent' }), webRoot: null,
    signIn: { limits: { userFreeFailures: 10_000, addressFreeFailures: 10_000 } },
  });
  const refuse = async (name: string) => {
    const t = performance.now();
    const res = await fetch(`${hub.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, password: 'wrong' }) });
    await res.arrayBuffer();
    if (res.status !== 401) throw new Error(`login bench: expected 401, got ${res.status}`);
    return performance.now() - t;
  };
  try {
    await refuse('alice'); // warm-up: the store
    await refuse('nobody'); // and the dummy hash, made at its first need
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      known.push(await refuse('alice'));
      unknown.push(await refuse(`nobody${i}`));
    }
    const result = { knownMs: round(median(known), 1), unknownMs: round(median(unknown), 1), rounds: ROUNDS };
    line(`login refusal, median of ${ROUNDS}: existing user ${result.knownMs} ms, unknown user ${result.unknownMs} ms`);
    return result;
  } finally {
    await hub.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
