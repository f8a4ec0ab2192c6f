// PgNotifier on a real PostgreSQL: a burst of messages goes out one query at a time (no pg
// "already executing a query" warning), coalesced per key so what waits stays bounded, and each
// key's last word is what a listening hub hears last; close() sends what waits before it resolves.

import pg from 'pg';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { PG_URL } from '../../test/stores.js';
import { PgNotifier } from './pg-notifier.js';

let sender: pg.Client;
let listener: pg.Client;
const channel = `ph_notifier_test_${process.pid}`;
const heard: string[] = [];
const warnings: string[] = [];
const onWarning = (w: Error) => warnings.push(w.message);

beforeEach(async () => {
  heard.length = 0;
  warnings.length = 0;
  sender = new pg.Client({ connectionString: PG_URL });
  listener = new pg.Client({ connectionString: PG_URL });
  await Promise.all([sender.connect(), listener.connect()]);
  listener.on('notification', (msg) => heard.push(msg.payload ?? ''));
  await listener.query(`LISTEN ${channel}`);
  process.on('warning', onWarning);
});

afterEach(async () => {
  process.off('warning', onWarning);
  await Promise.all([sender.end(), listener.end()]);
});

/** Resolves once the listener heard `payload` (a round trip on the listener flushes what PostgreSQL sent before it). */
async function heardAll(payloads: readonly string[]): Promise<void> {
  for (;;) {
    await listener.query('SELECT 1');
    if (payloads.every((p) => heard.includes(p))) return;
  }
}

it('sends a burst one query at a time, coalesced per key; each key ends on its last word', async () => {
  const errors: unknown[] = [];
  const notifier = new PgNotifier(sender, { channel, onError: (err) => errors.push(err) });
  const keys = ['a', 'b', 'c'];
  for (let i = 0; i < 600; i++) notifier.notify(keys[i % 3]!, `${keys[i % 3]}:${i}`);
  // At most one message per key waits, whatever was sent.
  expect(notifier.waiting).toBeLessThanOrEqual(keys.length);
  await notifier.close();
  await heardAll(['a:597', 'b:598', 'c:599']);
  for (const key of keys) expect(heard.filter((p) => p.startsWith(`${key}:`)).at(-1)).toBe(`${key}:${597 + keys.indexOf(key)}`);
  // Coalesced: far fewer NOTIFYs than calls, and never two queries at once on the client.
  expect(heard.length).toBeLessThan(600);
  expect(warnings.filter((w) => w.includes('already executing a query'))).toEqual([]);
  expect(errors).toEqual([]);
});

it('merges a waiting message with a newer one as told (the feed keeps the highest seq)', async () => {
  const seq = (p: string) => Number(p.split(':')[1]);
  const notifier = new PgNotifier(sender, { channel, onError: () => undefined, merge: (waiting, next) => (seq(next) > seq(waiting) ? next : waiting) });
  notifier.notify('x', 'x:1');
  // The first went straight out; these three wait together, and the highest stays.
  notifier.notify('x', 'x:9');
  notifier.notify('x', 'x:4');
  notifier.notify('x', 'x:7');
  await notifier.close();
  await heardAll(['x:9']);
  expect(heard).toEqual(['x:1', 'x:9']);
});

it('takes nothing more once closed', async () => {
  const notifier = new PgNotifier(sender, { channel, onError: () => undefined });
  notifier.notify('k', 'k:1');
  await notifier.close();
  notifier.notify('k', 'k:2');
  expect(notifier.waiting).toBe(0);
  await heardAll(['k:1']);
  expect(heard).toEqual(['k:1']);
});
