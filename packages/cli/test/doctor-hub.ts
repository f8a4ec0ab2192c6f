// Test support for the doctor tests: a real hub on port 0 over a scratch SQLite store, with one
// user (alice) and her token; and a port nothing listens on.

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { digest, newToken, startHub, Store } from '@pilothouse/hub';

export interface DoctorHub {
  readonly url: string;
  readonly token: string;
  /** alice's token scoped `member`: accepted by the hub, refused by `runner_register`. */
  readonly memberToken: string;
  close(): Promise<void>;
}

export async function startDoctorHub(): Promise<DoctorHub> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ph-doctor-hub-'));
  const seeding = await Store.open({ kind: 'sqlite', dataDir });
  const alice = await seeding.createUser({ name: 'alice', passwordHash: null, admin: false });
  const token = newToken();
  await seeding.createToken({ userId: alice.id, tokenHash: digest(token), label: null });
  const memberToken = newToken();
  await seeding.createToken({ userId: alice.id, tokenHash: digest(memberToken), label: 'scripts', scope: 'member' });
  await seeding.close();
  const hub = await startHub({ host: '127.0.0.1', port: 0, store: { kind: 'sqlite', dataDir }, logger: pino({ level: 'silent' }), webRoot: null });
  return {
    url: hub.url,
    token,
    memberToken,
    close: async () => {
      await hub.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A URL on 127.0.0.1 whose port was free a moment ago (connections are refused). */
export async function closedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
