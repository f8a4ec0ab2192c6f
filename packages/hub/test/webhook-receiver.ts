// A webhook receiver for tests: a real HTTP server on 127.0.0.1 that checks each delivery's
// signature the way a careful receiver would, records what arrived, dedupes on
// Pilothouse-Delivery, and answers as told (a status, a hang, a redirect).

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySignature } from '../src/notifications/senders/webhook.js';

/** One request the receiver got. */
export interface Received {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The body parsed, or null when it is not JSON. */
  json: unknown;
  /** Whether `Pilothouse-Signature` verified with the receiver's secret. */
  valid: boolean;
  /** Whether an earlier request carried the same Pilothouse-Delivery. */
  duplicate: boolean;
}

type Answer = { kind: 'status'; status: number; headers: Record<string, string> } | { kind: 'hang' };

/** A running receiver. */
export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Every request, in order. */
  readonly received: readonly Received[];
  /** Distinct Pilothouse-Delivery ids seen. */
  readonly unique: number;
  /** The next request not yet taken by `next()` (waits for it). */
  next(): Promise<Received>;
  /** Answer the next `times` requests with this status (default: 200). */
  respondWith(status: number, headers?: Record<string, string>, times?: number): void;
  /** Never answer the next request (its connection is held until close). */
  hang(): void;
  /** Answer the next request with 302 to `location`. */
  redirect(location: string): void;
  close(): Promise<void>;
}

/** Starts a receiver that verifies signatures with `secret`. */
export async function startWebhookReceiver(secret: string, opts: { nowSeconds?: () => number } = {}): Promise<WebhookReceiver> {
  const received: Received[] = [];
  const deliveries = new Set<string>();
  const answers: Answer[] = [];
  const waiters: ((r: Received) => void)[] = [];
  let taken = 0;
  const nowSeconds = opts.nowSeconds ?? (() => Math.floor(Date.now() / 1000));

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown = null;
      try {
        json = JSON.parse(body);
      } catch {
        json = null;
      }
      const sig = req.headers['pilothouse-signature'];
      const valid = typeof sig === 'string' && verifySignature(secret, sig, body, { nowSeconds: nowSeconds() });
      const delivery = req.headers['pilothouse-delivery'];
      const id = typeof delivery === 'string' ? delivery : '';
      const duplicate = deliveries.has(id);
      deliveries.add(id);
      const r: Received = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, json, valid, duplicate };
      received.push(r);
      const waiter = waiters.shift();
      if (waiter) {
        taken += 1;
        waiter(r);
      }
      const answer = answers.shift() ?? { kind: 'status', status: 200, headers: {} };
      if (answer.kind === 'hang') return;
      res.writeHead(answer.status, { 'Content-Type': 'text/plain', ...answer.headers });
      res.end(answer.status < 300 ? 'ok' : `answer ${answer.status}`);
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    get unique() {
      return [...deliveries].filter((d) => d !== '').length;
    },
    next() {
      const ready = received[taken];
      if (ready) {
        taken += 1;
        return Promise.resolve(ready);
      }
      return new Promise((ok) => waiters.push(ok));
    },
    respondWith(status, headers = {}, times = 1) {
      for (let i = 0; i < times; i++) answers.push({ kind: 'status', status, headers });
    },
    hang() {
      answers.push({ kind: 'hang' });
    },
    redirect(location) {
      answers.push({ kind: 'status', status: 302, headers: { Location: location } });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}
