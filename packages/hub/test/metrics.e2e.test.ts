// An operable hub (issue: ship it): GET /readyz, GET /metrics in Prometheus text with the figures
// moving as sockets join, push and are refused, and who may scrape: loopback only without
// --metrics-token; with it, the token or an admin, from anywhere; every answer names its request id.
// Against the real hub process (`pilothouse hub`); startHub itself refuses a token anyone could guess.

import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub } from '../src/hub.js';
import { cleanupDir, seed, startHubProcess, type HubProcess, type Seeded } from './hub-process.js';
import { connect, join, push } from './phx.js';

let seeded: Seeded;
let open: HubProcess;
let guarded: HubProcess;
const TOKEN = 'metrics-s3cret-for-the-test';

beforeAll(async () => {
  seeded = await seed();
  [open, guarded] = await Promise.all([
    startHubProcess(seeded.dataDir, { args: ['--trust-proxy'] }),
    // A second process on the same SQLite file would fight over it: the guarded hub gets its own store.
    seed().then((s) => startHubProcess(s.dataDir, { args: ['--metrics-token', TOKEN, '--trust-proxy'] })),
  ]);
});
afterAll(async () => {
  await Promise.all([open?.stop(), guarded?.stop()]);
  cleanupDir(seeded.dataDir);
});

/** The value of one sample line (`name{labels} value`), or null when it is not there. */
function sample(text: string, series: string): number | null {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? null : Number(line.slice(series.length + 1));
}

const metrics = async (hub: HubProcess, headers: Record<string, string> = {}) => {
  const res = await fetch(`${hub.url}/metrics`, { headers });
  return { status: res.status, type: res.headers.get('content-type'), body: await res.text(), id: res.headers.get('x-request-id') };
};

describe('readyz and metrics', () => {
  it('answers /readyz while the store answers', async () => {
    const res = await fetch(`${open.url}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });

  it('counts joins, pushes by event, refusals by code, store commits; gauges sockets and runners', async () => {
    const before = await metrics(open);
    expect(before.status).toBe(200);
    expect(before.type).toContain('text/plain');
    expect(sample(before.body, 'pilothouse_sockets_open')).toBe(0);
    const socket = connect(open.url, seeded.tokens.alice!);
    const ch = socket.channel('channel:acme/agents', {});
    await join(ch);
    await push(ch, 'post_message', { client_id: 'm-1', body: 'hello' });
    await push(ch, 'post_message', { client_id: 'm-2', body: '' }).catch(() => undefined); // invalid_payload
    await push(ch, 'no_such_event', {}).catch(() => undefined); // unknown_event
    const after = await metrics(open);
    expect(sample(after.body, 'pilothouse_sockets_open')).toBe(1);
    expect(sample(after.body, 'pilothouse_joins_total')).toBe(1);
    expect(sample(after.body, 'pilothouse_pushes_total{event="post_message"}')).toBe(2);
    // An event name a client made up is not a label of its own.
    expect(sample(after.body, 'pilothouse_pushes_total{event="unknown"}')).toBe(1);
    expect(after.body).not.toContain('no_such_event');
    expect(sample(after.body, 'pilothouse_errors_total{code="invalid_payload"}')).toBe(1);
    expect(sample(after.body, 'pilothouse_errors_total{code="unknown_event"}')).toBe(1);
    expect(sample(after.body, 'pilothouse_store_commit_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(sample(after.body, 'pilothouse_store_writes_total')).toBeGreaterThanOrEqual(1);
    for (const gauge of ['pilothouse_runners_online', 'pilothouse_previews_open', 'pilothouse_notifications_queued', 'pilothouse_machines_online', 'pilothouse_fanout_backlog_bytes']) {
      expect([gauge, sample(after.body, gauge)]).toEqual([gauge, 0]);
    }
    expect(sample(after.body, 'pilothouse_fanout_subscribers')).toBe(1);
    // Without --retain-event-payloads nothing is pruned; the counter is there from the start.
    expect(sample(after.body, 'pilothouse_pruned_event_payloads_total')).toBe(0);
    socket.disconnect();
  });

  it('without --metrics-token answers only loopback clients', async () => {
    expect((await metrics(open)).status).toBe(200);
    // The proxy in front says the client is elsewhere.
    const outside = await metrics(open, { 'x-forwarded-for': '203.0.113.7' });
    expect(outside.status).toBe(403);
    expect(JSON.parse(outside.body)).toMatchObject({ code: 'forbidden' });
    // Through a proxy on this machine that the hub does not trust: still not this machine's own request.
    const blind = await fetch(`${open.url.replace('127.0.0.1', 'localhost')}/metrics`, { headers: { 'x-forwarded-for': '127.0.0.1' } });
    expect(blind.status).toBe(403);
    // An admin's own token may look from anywhere.
    expect((await metrics(open, { 'x-forwarded-for': '203.0.113.7', authorization: `Bearer ${seeded.tokens.alice!}` })).status).toBe(200);
  });

  it('with --metrics-token needs it (or an admin), from anywhere, loopback included', async () => {
    const none = await metrics(guarded);
    expect(none.status).toBe(401);
    expect(JSON.parse(none.body)).toMatchObject({ code: 'unauthorized' });
    expect((await metrics(guarded, { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await metrics(guarded, { authorization: `Bearer ${TOKEN}`, 'x-forwarded-for': '203.0.113.7' })).status).toBe(200);
  });

  it('names every answer with a request id of its own', async () => {
    const [a, b] = await Promise.all([fetch(`${open.url}/healthz`), fetch(`${open.url}/api/me`)]);
    const ids = [a.headers.get('x-request-id'), b.headers.get('x-request-id')];
    expect(ids.every((id) => id !== null && /^[0-9a-f-]{36}$/.test(id))).toBe(true);
    expect(ids[0]).not.toBe(ids[1]);
  });
});

describe('a scrape token anyone could guess', () => {
  it('is refused by startHub before it opens the store', async () => {
    const dataDir = joinPath(tmpdir(), `ph-metrics-token-${randomUUID()}`);
    const start = (metricsToken: string) => startHub({ host: '127.0.0.1', port: 0, store: { kind: 'sqlite', dataDir }, logger: pino({ level: 'silent' }), webRoot: null, metricsToken });
    await expect(start('')).rejects.toThrow(/^metricsToken is empty, which would let anyone scrape \/metrics: use at least 16 random characters/);
    await expect(start('metrics-s3cret')).rejects.toThrow(/^metricsToken has 14 characters, too few to resist guessing: /);
    expect(existsSync(dataDir)).toBe(false);
  });
});
