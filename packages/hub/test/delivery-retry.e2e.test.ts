// An admin sends a failed delivery again, against a real hub on SQLite and on PostgreSQL: a
// webhook whose receiver answers 500 fails after the (shortened) retry schedule; the receiver is
// fixed, `POST /api/admin/deliveries/ID/retry` puts it back to pending with its attempts reset, the
// worker sends it at once under the same delivery id, and it reads as sent; the retry is on the
// record. Members may not retry; an unknown id and a delivery that is not failed are refused with
// their own codes.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as pathJoin } from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'phoenix';
import { startHub, type RunningHub } from '../src/hub.js';
import { connect, join, push } from './phx.js';
import { seedStore } from './hub-process.js';
import { PG_URL } from './stores.js';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.js';

interface DeliveryView {
  id: string;
  medium: string;
  target: string;
  status: string;
  attempts: number;
  next_at: string;
  last_code: string | null;
  last_error: string | null;
  kind: string;
  title: string;
}

describe.each(['sqlite', 'postgres'] as const)('retrying a failed delivery (%s)', (KIND) => {
  const schema = `ph_retry_${randomBytes(5).toString('hex')}`;
  let hub: RunningHub;
  let dataDir: string;
  let tokens: Record<string, string>;
  let receiver: WebhookReceiver;
  let socket: Socket;
  let hookId: string;

  async function api(who: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
    const res = await fetch(`${hub.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${tokens[who]!}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  }

  /** Asks the hub until `pred` holds for this hook's deliveries of `status` (each answer awaited: no timers). */
  async function hookDeliveries(status: string, pred: (d: DeliveryView[]) => boolean): Promise<DeliveryView[]> {
    for (let i = 0; i < 5000; i++) {
      const r = await api('alice', 'GET', `/api/admin/deliveries?status=${status}`);
      const mine = (r.json.deliveries as DeliveryView[]).filter((d) => d.medium === 'webhook' && d.target === hookId);
      if (pred(mine)) return mine;
    }
    throw new Error(`no ${status} delivery as expected`);
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(pathJoin(tmpdir(), 'ph-retry-'));
    const store = KIND === 'sqlite' ? { kind: 'sqlite' as const, dataDir } : { kind: 'postgres' as const, url: PG_URL, schema };
    hub = await startHub({
      host: '127.0.0.1',
      port: 0,
      store,
      logger: pino({ level: 'silent' }),
      webRoot: null,
      rateLimits: null,
      // Two attempts 20 ms apart, then failed: the full schedule (8 over hours) is the worker's own test.
      notifications: { push: false, pollMs: 20, retry: { maxAttempts: 2, firstDelayMs: 20 } },
    });
    ({ tokens } = await seedStore(hub.store, ['alice', 'bob', 'dave']));
    receiver = await startWebhookReceiver('set-below');
    socket = connect(hub.url, tokens.bob!);
  });

  afterAll(async () => {
    socket.disconnect();
    await hub.close();
    await receiver.close();
    rmSync(dataDir, { recursive: true, force: true });
    if (KIND !== 'postgres') return;
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    await client.query(`drop schema if exists ${schema} cascade`);
    await client.end();
  });

  it('a webhook answered 500 twice fails; retried after the receiver is fixed, it is sent under the same id', async () => {
    const added = await api('alice', 'POST', '/api/channels/acme/agents/webhooks', { url: `${receiver.url}/hook`, kinds: ['mention'], allow_private: true });
    expect(added.status).toBe(200);
    hookId = added.json.id as string;
    receiver.respondWith(500, {}, 2);

    const ch = socket.channel('channel:acme/agents', {});
    await join(ch);
    await push(ch, 'post_message', { client_id: 'retry-1', body: '@dave the deploy is stuck' });

    const [failed] = await hookDeliveries('failed', (d) => d.length === 1);
    expect(failed).toMatchObject({ status: 'failed', attempts: 2, last_code: 'webhook_status_500', kind: 'mention', title: 'bob mentioned you' });
    expect(failed!.last_error).toMatch(/^gave up after 2 attempts: /);
    expect(receiver.received.length).toBe(2);
    const deliveryId = receiver.received[0]!.headers['pilothouse-delivery'];
    expect(deliveryId).toBe(failed!.id);

    // The receiver now answers 200 (its default once the two 500s are spent).
    const retried = await api('alice', 'POST', `/api/admin/deliveries/${failed!.id}/retry`);
    expect(retried.status).toBe(200);
    expect(retried.json.delivery).toMatchObject({ id: failed!.id, status: 'pending', attempts: 0, last_code: null, last_error: null, kind: 'mention', title: 'bob mentioned you' });

    // The first two were the 500s; the third is the retry.
    await receiver.next();
    await receiver.next();
    const third = await receiver.next();
    expect(third.headers['pilothouse-delivery']).toBe(deliveryId);
    const [sent] = await hookDeliveries('sent', (d) => d.length === 1);
    expect(sent).toMatchObject({ id: failed!.id, status: 'sent', attempts: 1, last_code: null });
    expect(await hookDeliveries('failed', () => true)).toEqual([]);

    const audit = await api('alice', 'GET', '/api/audit?action=delivery_retried');
    expect(audit.json.entries).toMatchObject([
      { action: 'delivery_retried', actor_name: 'alice', channel: 'acme/agents', detail: { id: failed!.id, medium: 'webhook', target: hookId, attempts: 2, last_code: 'webhook_status_500' } },
    ]);

    // Sent is sent: a second retry would send it twice.
    const again = await api('alice', 'POST', `/api/admin/deliveries/${failed!.id}/retry`);
    expect(again).toEqual({ status: 409, json: { code: 'delivery_not_failed', message: 'The delivery is sent; only a failed delivery can be retried.' } });
    expect(receiver.unique).toBe(1);
  });

  it('an unknown id is delivery_not_found; a member may not retry', async () => {
    expect(await api('alice', 'POST', '/api/admin/deliveries/no-such-delivery/retry')).toEqual({ status: 404, json: { code: 'delivery_not_found', message: 'No delivery no-such-delivery.' } });
    const [sent] = await hookDeliveries('sent', (d) => d.length === 1);
    const refused = await api('bob', 'POST', `/api/admin/deliveries/${sent!.id}/retry`);
    expect(refused).toEqual({ status: 403, json: { code: 'forbidden', message: 'Only admins manage webhooks and read deliveries.' } });
    const audit = await api('alice', 'GET', '/api/audit?action=delivery_retried');
    expect((audit.json.entries as unknown[]).length).toBe(1);
  });
});
