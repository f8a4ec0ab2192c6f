// Delivery survives the hub: a real `pilothouse hub` process, a webhook receiver on localhost that
// answers the first attempt 500, the hub SIGKILLed while the retry waits in its database, a new
// process on the same data: the webhook arrives once more, under the same delivery id, signed,
// and once it was answered 2xx nothing is sent again.

import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Socket } from 'phoenix';
import { verifySignature } from '../src/notifications/senders/webhook.js';
import { connect, join, push } from './phx.js';
import { cleanupDir, seed, startHubProcess, type HubProcess, type Seeded } from './hub-process.js';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.js';

let seeded: Seeded;
let hub: HubProcess;
let receiver: WebhookReceiver;
const sockets: Socket[] = [];

beforeAll(async () => {
  seeded = await seed(['alice', 'bob', 'dave']);
  hub = await startHubProcess(seeded.dataDir);
  receiver = await startWebhookReceiver('not-known-yet');
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await hub.kill();
  await receiver.close();
  cleanupDir(seeded.dataDir);
});

const api = async (path: string, init: { method?: string; body?: unknown } = {}) => {
  const res = await fetch(`${hub.url}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${seeded.tokens.alice!}`, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
};

interface DeliveryView {
  id: string;
  medium: string;
  status: string;
  attempts: number;
  last_code: string | null;
}

/** Asks the hub until `pred` holds for the webhook deliveries of `status` (each answer is awaited: no timers). */
async function deliveriesUntil(status: string, pred: (d: DeliveryView[]) => boolean): Promise<DeliveryView[]> {
  for (let i = 0; i < 2000; i++) {
    const r = await api(`/api/admin/deliveries?status=${status}`);
    const hooks = (r.json.deliveries as DeliveryView[]).filter((d) => d.medium === 'webhook');
    if (pred(hooks)) return hooks;
  }
  throw new Error(`no ${status} webhook delivery as expected`);
}

it('a webhook retried after a 500 is delivered exactly once by the hub that replaced a SIGKILLed one', async () => {
  const added = await api('/api/channels/acme/agents/webhooks', { method: 'POST', body: { url: `${receiver.url}/hook`, kinds: ['mention'], allow_private: true } });
  expect(added.status).toBe(200);
  const secret = added.json.secret as string;
  receiver.respondWith(500);

  const socket = connect(hub.url, seeded.tokens.bob!);
  sockets.push(socket);
  const ch = socket.channel('channel:acme/agents', {});
  await join(ch);
  await push(ch, 'post_message', { client_id: 'durable-1', body: '@dave the deploy is stuck' });

  const first = await receiver.next();
  const deliveryId = first.headers['pilothouse-delivery'];
  expect(typeof deliveryId).toBe('string');
  const waiting = await deliveriesUntil('pending', (d) => d.some((x) => x.id === deliveryId && x.last_code === 'webhook_status_500'));
  expect(waiting.find((x) => x.id === deliveryId)?.attempts).toBe(1);

  socket.disconnect();
  await hub.kill();
  hub = await startHubProcess(seeded.dataDir);

  const second = await receiver.next();
  expect(second.headers['pilothouse-delivery']).toBe(deliveryId);
  expect(verifySignature(secret, String(second.headers['pilothouse-signature']), second.body, { nowSeconds: Math.floor(Date.now() / 1000) })).toBe(true);
  expect(second.json).toMatchObject({ type: 'mention', channel: 'acme/agents', title: 'bob mentioned you' });
  expect(JSON.stringify(second.json)).not.toMatch(/code/);

  await deliveriesUntil('sent', (d) => d.some((x) => x.id === deliveryId));
  expect(receiver.received.map((r) => r.headers['pilothouse-delivery'])).toEqual([deliveryId, deliveryId]);
  expect(receiver.unique).toBe(1);
});
