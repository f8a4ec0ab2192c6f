// A graceful stop (SIGTERM, as systemd and docker send it): the hub stops taking sockets, answers or
// drops what was in flight, finishes the writes it started, and exits 0. Every push that got an ok
// reply is in the store afterwards with the seq it was acknowledged with; nothing is half written.

import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Channel } from 'phoenix';
import { Store } from '../src/store/store.js';
import { connect, join, settle } from './phx.js';
import { cleanupDir, seed, startHubProcess, type HubProcess, type Seeded } from './hub-process.js';

const TOTAL = 400;

let seeded: Seeded;
let hub: HubProcess;

beforeAll(async () => {
  seeded = await seed(['alice']);
  hub = await startHubProcess(seeded.dataDir);
});
afterAll(() => cleanupDir(seeded.dataDir));

it('SIGTERM mid-stream: exits 0, and every acknowledged write is stored with its seq', async () => {
  const socket = connect(hub.url, seeded.tokens.alice!, { reconnectMs: 60_000 });
  const ch: Channel = socket.channel('channel:acme/agents', {});
  await join(ch);
  const acked = new Map<string, number>();
  let refused = 0;
  let twentyAcked!: () => void;
  const twenty = new Promise<void>((r) => (twentyAcked = r));
  const pushes = Array.from({ length: TOTAL }, (_, i) =>
    settle(ch.push('post_message', { client_id: `g-${i}`, body: `message ${i}` }, 10_000)).then(
      (r) => {
        acked.set(`g-${i}`, (r as { seq: number }).seq);
        if (acked.size === 20) twentyAcked();
      },
      () => refused++,
    ),
  );
  // Stop once the hub has answered a few: the rest are in flight, queued or not yet read.
  await twenty;
  const exited = new Promise<number | null>((r) => hub.child.once('exit', (code) => r(code)));
  hub.child.kill('SIGTERM');
  expect(await exited).toBe(0);
  await Promise.all(pushes);
  socket.disconnect();

  expect(acked.size + refused).toBe(TOTAL);
  expect(acked.size).toBeGreaterThanOrEqual(20);
  const store = await Store.open({ kind: 'sqlite', dataDir: seeded.dataDir });
  try {
    const channel = (await store.channelByRef({ workspace: 'acme', channel: 'agents' }))!;
    const events = await store.eventsSince(channel.id, 0, 10_000, 100_000_000);
    const stored = new Map(events.filter((e) => e.type === 'message').map((e) => [(e.payload as { message: { client_id: string } }).message.client_id, (e.payload as { seq: number }).seq]));
    for (const [clientId, seq] of acked) expect([clientId, stored.get(clientId)]).toEqual([clientId, seq]);
    // Each stored once: seqs are unique and gap-free.
    const seqs = events.map((e) => (e.payload as { seq: number }).seq);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
  } finally {
    await store.close();
  }
});
