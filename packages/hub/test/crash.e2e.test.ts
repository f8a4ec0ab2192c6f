// Durability under SIGKILL: a client posts 2,000 messages while the hub is killed with -9 and
// restarted several times; it retries every unacknowledged push with the same client id. At the end
// every acknowledged message is stored exactly once, with the seq it was acknowledged with, in order.

import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Channel } from 'phoenix';
import { Store } from '../src/store/store.js';
import { connect, PushError, settle } from './phx.js';
import { cleanupDir, seed, startHubProcess, type HubProcess, type Seeded } from './hub-process.js';

const TOTAL = 2000;
const WINDOW = 32;
const KILLS = 4;

let seeded: Seeded;
let hub: HubProcess;

beforeAll(async () => {
  seeded = await seed(['alice']);
  hub = await startHubProcess(seeded.dataDir);
});
afterAll(async () => {
  await hub.stop();
  cleanupDir(seeded.dataDir);
});

it('every acknowledged message survives SIGKILLs exactly once, in seq order', async () => {
  const socket = connect(hub.url, seeded.tokens.alice!, { reconnectMs: 20 });
  const ch: Channel = socket.channel('channel:acme/agents', {});
  ch.join();
  const acked = new Map<number, { seq: number; message_id: string }>();
  let retries = 0;
  let ackWaiter: { n: number; resolve: () => void } | null = null;
  const whenAcked = (n: number) =>
    acked.size >= n ? Promise.resolve() : new Promise<void>((resolve) => (ackWaiter = { n, resolve }));

  const send = async (i: number): Promise<void> => {
    for (;;) {
      try {
        const r = (await settle(ch.push('post_message', { client_id: `crash-${i}`, body: `message ${i}` }, 1000))) as { seq: number; message_id: string };
        acked.set(i, r);
        if (ackWaiter && acked.size >= ackWaiter.n) ackWaiter.resolve();
        return;
      } catch (err) {
        if (!(err instanceof PushError) || err.code !== 'timeout') throw err;
        retries++;
      }
    }
  };

  let nextIndex = 0;
  const worker = async () => {
    while (nextIndex < TOTAL) await send(nextIndex++);
  };
  const sending = Promise.all(Array.from({ length: WINDOW }, worker));

  const port = hub.port;
  for (let k = 1; k <= KILLS; k++) {
    // Kill once another slice of the messages has been acknowledged, then restart on the same port.
    await whenAcked((k * TOTAL) / (KILLS + 1));
    await hub.kill();
    hub = await startHubProcess(seeded.dataDir, { port });
  }
  await sending;
  socket.disconnect();
  await hub.stop();

  expect(acked.size).toBe(TOTAL);
  expect(retries).toBeGreaterThan(0);
  const store = await Store.open({ kind: 'sqlite', dataDir: seeded.dataDir });
  try {
    const channel = (await store.channelByRef({ workspace: 'acme', channel: 'agents' }))!;
    const events = await store.eventsSince(channel.id, 0, 100_000);
    const messages = events.flatMap((e) => (e.type === 'message' ? [e.payload.message] : []));
    expect(events.map((e) => e.payload.seq)).toEqual(events.map((_, i) => i + 1));
    const byClient = new Map<string, number>();
    for (const m of messages) byClient.set(m.client_id!, (byClient.get(m.client_id!) ?? 0) + 1);
    expect(messages).toHaveLength(TOTAL);
    expect([...byClient.values()].every((n) => n === 1)).toBe(true);
    for (const [i, r] of acked) {
      const stored = messages.find((m) => m.client_id === `crash-${i}`);
      expect(stored).toMatchObject({ id: r.message_id, seq: r.seq, body: `message ${i}` });
    }
  } finally {
    await store.close();
  }
}, 120_000);
