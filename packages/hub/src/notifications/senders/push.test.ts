// The push sender against a fake push service that checks VAPID and decrypts each message itself.

import { createPrivateKey, sign } from 'node:crypto';
import { createServer, type Socket } from 'node:net';
import webpush from 'web-push';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakePushService, type FakePushService, type FakeSubscription } from '../../../test/fake-push-service.js';
import type { NotificationContent } from '../delivery.js';
import { createPushSender, generateVapidKeys, pushPayload, pushTopic, sendPush, PUSH_PAYLOAD_MAX_BYTES } from './push.js';

const keys = generateVapidKeys();
const vapid = { ...keys, subject: 'mailto:hub@example.com' };

const content: NotificationContent = {
  id: 'n_1',
  kind: 'approval_requested',
  title: 'Approval needed: npm test',
  body: 'Codex wants to run `npm test` in acme/web.',
  url: 'https://hub.example.com/acme/web/t/th_1?request=rq_1',
  channel: 'acme/web',
  thread_id: 'th_1',
  message_id: 'm_1',
  request_id: 'rq_1',
  tag: 'approval:rq_1',
  actions: [
    { id: 'approve', label: 'Approve', code: 'A'.repeat(43) },
    { id: 'deny', label: 'Deny', code: 'D'.repeat(43) },
  ],
  created_at: '2025-01-02T03:04:05.000Z',
};

let fake: FakePushService;
beforeAll(async () => {
  fake = await startFakePushService();
});
afterAll(async () => {
  await fake.close();
});

describe('pushPayload', () => {
  it('is the JSON the service worker reads', () => {
    expect(JSON.parse(pushPayload(content))).toEqual({
      id: 'n_1',
      kind: 'approval_requested',
      title: 'Approval needed: npm test',
      body: 'Codex wants to run `npm test` in acme/web.',
      url: 'https://hub.example.com/acme/web/t/th_1?request=rq_1',
      tag: 'approval:rq_1',
      channel: 'acme/web',
      thread_id: 'th_1',
      request_id: 'rq_1',
      actions: [
        { action: 'approve', title: 'Approve' },
        { action: 'deny', title: 'Deny' },
      ],
      codes: { approve: 'A'.repeat(43), deny: 'D'.repeat(43) },
      created_at: '2025-01-02T03:04:05.000Z',
    });
  });

  it('clips a body that escapes heavily and a long title on code points, keeping the codes', () => {
    const body = '"\n😀é\u0001'.repeat(4000);
    const title = '✔'.repeat(2000);
    const payload = pushPayload({ ...content, title, body });
    expect(Buffer.byteLength(payload)).toBeLessThanOrEqual(PUSH_PAYLOAD_MAX_BYTES);
    expect(Buffer.from(payload).toString('utf8')).toBe(payload); // no lone surrogate
    const parsed = JSON.parse(payload);
    expect(parsed.title).toMatch(/^✔+…$/);
    expect(parsed.body.endsWith('…')).toBe(true);
    expect(body.startsWith(parsed.body.slice(0, -1))).toBe(true);
    expect(parsed.body.length).toBeGreaterThan(100);
    expect(parsed.codes).toEqual({ approve: 'A'.repeat(43), deny: 'D'.repeat(43) });
  });
});

describe('sendPush', () => {
  it('delivers a message the subscriber decrypts to exactly pushPayload(content)', async () => {
    const sub = fake.subscribe({ applicationServerKey: keys.publicKey });
    const payload = pushPayload(content);
    const attempt = await sendPush(sub, payload, { vapid, topic: content.tag, urgency: 'high', ttlSeconds: 600 });
    expect(attempt).toEqual({ outcome: 'sent', status: 201 });
    const got = await fake.next(sub.id);
    expect(got).toMatchObject({ id: sub.id, plaintext: payload, urgency: 'high', ttl: 600, topic: pushTopic(content.tag) });
    expect(got.json).toEqual(JSON.parse(payload));
    expect(got.topic).toMatch(/^[A-Za-z0-9_-]{1,32}$/);
    expect(pushTopic('approval:rq_2')).not.toBe(got.topic);
  });

  it('sends no Topic header without a tag', async () => {
    const sub = fake.subscribe();
    expect(await sendPush(sub, '{}', { vapid })).toEqual({ outcome: 'sent', status: 201 });
    expect(await fake.next(sub.id)).toMatchObject({ id: sub.id, topic: null, urgency: 'normal', json: {} });
  });

  it('clips a 20 KB body below the limit; the message still decrypts with its codes intact', async () => {
    const sub = fake.subscribe();
    const payload = pushPayload({ ...content, body: 'line of output\n'.repeat(1400) });
    expect(Buffer.byteLength(payload)).toBeLessThanOrEqual(PUSH_PAYLOAD_MAX_BYTES);
    expect(await sendPush(sub, payload, { vapid })).toEqual({ outcome: 'sent', status: 201 });
    const got = await fake.next(sub.id);
    expect(got.plaintext).toBe(payload);
    expect(got.json).toMatchObject({ title: content.title, codes: { approve: 'A'.repeat(43), deny: 'D'.repeat(43) } });
    expect((got.json as { body: string }).body).toMatch(/^(line of output\n)+line of out[a-z ]*…$/);
  });

  it('is refused (403, failed) when signed with another VAPID key than the subscription was made with', async () => {
    const sub = fake.subscribe({ applicationServerKey: keys.publicKey });
    const attempt = await sendPush(sub, '{}', { vapid: { ...generateVapidKeys(), subject: vapid.subject } });
    expect(attempt).toMatchObject({ outcome: 'failed', code: 'push_rejected' });
    expect(fake.requests.at(-1)).toEqual({ id: sub.id, status: 403, reason: 'k is not the key this subscription was made with' });
  });

  it('is refused (403, failed) when the JWT is signed by a key other than k', async () => {
    const sub = fake.subscribe();
    const forged = { ...vapid, privateKey: generateVapidKeys().privateKey };
    const attempt = await sendPush(sub, '{}', { vapid: forged });
    expect(attempt).toMatchObject({ outcome: 'failed', code: 'push_rejected' });
    expect(attempt).toHaveProperty('message', expect.stringContaining('403'));
    expect(fake.requests.at(-1)).toEqual({ id: sub.id, status: 403, reason: 'JWT signature does not verify against k' });
  });

  it.each([
    [404, 'gone', 'push_subscription_gone'],
    [410, 'gone', 'push_subscription_gone'],
    [500, 'retry', 'push_status_500'],
    [503, 'retry', 'push_status_503'],
    [400, 'failed', 'push_rejected'],
    [401, 'failed', 'push_rejected'],
    [403, 'failed', 'push_rejected'],
    [413, 'failed', 'push_payload_too_large'],
  ])('answers %i as %s (%s)', async (status, outcome, code) => {
    const sub = fake.subscribe();
    fake.setStatus(sub.id, status);
    const attempt = await sendPush(sub, '{}', { vapid });
    expect(attempt).toEqual({ outcome, code, message: `push service answered ${status}: as the test asked` });
  });

  it('reads Retry-After on 429 (seconds) and 503 (an HTTP date); failNext fails one message only', async () => {
    const sub = fake.subscribe();
    fake.failNext(sub.id, 429, { 'Retry-After': '7' });
    expect(await sendPush(sub, '{}', { vapid })).toMatchObject({ outcome: 'retry', code: 'push_status_429', retryAfterMs: 7000 });
    fake.failNext(sub.id, 503, { 'Retry-After': new Date(Date.now() + 60_000).toUTCString() });
    const later = await sendPush(sub, '{}', { vapid });
    expect(later).toMatchObject({ outcome: 'retry', code: 'push_status_503' });
    expect(later).toHaveProperty('retryAfterMs', expect.any(Number));
    const ms = (later as { retryAfterMs: number }).retryAfterMs;
    expect(ms).toBeGreaterThan(55_000);
    expect(ms).toBeLessThanOrEqual(60_000);
    expect(await sendPush(sub, '{}', { vapid })).toEqual({ outcome: 'sent', status: 201 });
  });

  it('retries (push_unreachable) when nothing listens on the port', async () => {
    const gone = await startFakePushService();
    const sub = gone.subscribe();
    await gone.close();
    expect(await sendPush(sub, '{}', { vapid })).toEqual({ outcome: 'retry', code: 'push_unreachable', message: 'push service unreachable: ECONNREFUSED' });
  });

  it('retries (push_unreachable) when the push service does not answer in time', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((s) => sockets.add(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address() as { port: number };
      const sub = { ...fake.subscribe(), endpoint: `http://127.0.0.1:${port}/push/x` };
      expect(await sendPush(sub, '{}', { vapid, timeoutMs: 200 })).toEqual({ outcome: 'retry', code: 'push_unreachable', message: 'no answer within 200 ms' });
      expect(sockets.size).toBe(1);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it.each<[string, (s: FakeSubscription) => FakeSubscription]>([
    ['auth of 15 bytes', (s) => ({ ...s, auth: Buffer.alloc(15, 1).toString('base64url') })],
    ['auth of 17 bytes (web-push would send it)', (s) => ({ ...s, auth: Buffer.alloc(17, 1).toString('base64url') })],
    ['p256dh of 64 bytes', (s) => ({ ...s, p256dh: Buffer.from(s.p256dh, 'base64url').subarray(1).toString('base64url') })],
    ['p256dh off the curve', (s) => ({ ...s, p256dh: Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 1)]).toString('base64url') })],
    ['p256dh in standard base64', (s) => ({ ...s, p256dh: `+/${s.p256dh.slice(2)}` })],
    ['an http endpoint off loopback', (s) => ({ ...s, endpoint: s.endpoint.replace('127.0.0.1', 'push.example.com') })],
    ['an endpoint that is no URL', (s) => ({ ...s, endpoint: 'push service' })],
  ])('fails %s as push_subscription_invalid, with no request made', async (_, spoil) => {
    const before = fake.requests.length;
    const attempt = await sendPush(spoil(fake.subscribe()), '{}', { vapid });
    expect(attempt).toMatchObject({ outcome: 'failed', code: 'push_subscription_invalid' });
    expect(fake.requests.length).toBe(before);
  });

  it('fails a payload too large to encrypt in one record, and a bad VAPID subject, with no request made', async () => {
    const before = fake.requests.length;
    const sub = fake.subscribe();
    expect(await sendPush(sub, 'x'.repeat(4000), { vapid })).toMatchObject({ outcome: 'failed', code: 'push_payload_too_large' });
    expect(await sendPush(sub, '{}', { vapid: { ...vapid, subject: 'http://hub.example.com' } })).toMatchObject({ outcome: 'failed', code: 'push_config_invalid' });
    expect(fake.requests.length).toBe(before);
  });
});

describe('createPushSender (the worker\'s Media.push)', () => {
  const send = createPushSender({ vapid });
  /** The worker's view of a subscription: the fake's, without its id. */
  const target = (s: FakeSubscription) => ({ endpoint: s.endpoint, p256dh: s.keys.p256dh, auth: s.keys.auth });

  it('delivers pushPayload(content), codes included, with Urgency high, a url-safe Topic and a day\'s TTL', async () => {
    const sub = fake.subscribe({ applicationServerKey: keys.publicKey });
    expect(await send(target(sub), content)).toEqual({ outcome: 'sent', status: 201 });
    const got = await fake.next(sub.id);
    expect(got.endpoint).toBe(sub.endpoint);
    expect(got.payload).toEqual(JSON.parse(pushPayload(content)));
    expect(got.payload).toMatchObject({ codes: { approve: 'A'.repeat(43), deny: 'D'.repeat(43) }, actions: [{ action: 'approve', title: 'Approve' }, { action: 'deny', title: 'Deny' }] });
    expect(got).toMatchObject({ urgency: 'high', ttl: 86_400, topic: pushTopic(content.tag) });
    expect(got.topic).toMatch(/^[A-Za-z0-9_-]{1,32}$/);
    expect(got.headers['content-encoding']).toBe('aes128gcm');
  });

  it.each(['preview_requested', 'approval_expiring'] as const)('sends %s with Urgency high', async (kind) => {
    const sub = fake.subscribe();
    expect(await send(target(sub), { ...content, kind })).toEqual({ outcome: 'sent', status: 201 });
    expect(await fake.next(sub.id)).toMatchObject({ urgency: 'high', payload: { kind } });
  });

  it('sends a turn that finished with Urgency normal, no codes, the given TTL, and a Topic per tag', async () => {
    const sub = fake.subscribe();
    const quiet = createPushSender({ vapid, ttlSeconds: 300 });
    const done = { ...content, kind: 'turn_finished' as const, tag: 'turn:m_1', actions: [], request_id: null };
    expect(await quiet(target(sub), done)).toEqual({ outcome: 'sent', status: 201 });
    const got = await fake.next(sub.id);
    expect(got).toMatchObject({ urgency: 'normal', ttl: 300, payload: { kind: 'turn_finished', codes: {}, actions: [], request_id: null } });
    expect(got.topic).toMatch(/^[A-Za-z0-9_-]{1,32}$/);
    expect(got.topic).not.toBe(pushTopic(content.tag));
  });

  it('clips a 20 KB body below 3,000 bytes; the message decrypts with its url and codes intact', async () => {
    const sub = fake.subscribe();
    const body = 'x'.repeat(20_000);
    expect(await send(target(sub), { ...content, body })).toEqual({ outcome: 'sent', status: 201 });
    const got = await fake.next(sub.id);
    expect(Buffer.byteLength(got.plaintext)).toBeLessThanOrEqual(PUSH_PAYLOAD_MAX_BYTES);
    expect(Buffer.byteLength(got.plaintext)).toBeGreaterThan(PUSH_PAYLOAD_MAX_BYTES - 10);
    expect(got.payload).toMatchObject({ title: content.title, url: content.url, codes: { approve: 'A'.repeat(43), deny: 'D'.repeat(43) } });
    expect((got.payload as { body: string }).body).toMatch(/^x+…$/);
  });

  it('is refused by the push service (403) when the JWT is signed by another key than k, and reports failed', async () => {
    const sub = fake.subscribe();
    const forged = createPushSender({ vapid: { ...vapid, privateKey: generateVapidKeys().privateKey } });
    const before = fake.received.length;
    expect(await forged(target(sub), content)).toMatchObject({ outcome: 'failed', code: 'push_rejected', message: expect.stringContaining('403') });
    expect(fake.requests.at(-1)).toEqual({ id: sub.id, status: 403, reason: 'JWT signature does not verify against k' });
    expect(fake.received.length).toBe(before);
  });

  it.each<[number, Record<string, string>, object]>([
    [410, {}, { outcome: 'gone', code: 'push_subscription_gone' }],
    [404, {}, { outcome: 'gone', code: 'push_subscription_gone' }],
    [500, {}, { outcome: 'retry', code: 'push_status_500' }],
    [429, { 'Retry-After': '7' }, { outcome: 'retry', code: 'push_status_429', retryAfterMs: 7000 }],
    [413, {}, { outcome: 'failed', code: 'push_payload_too_large' }],
    [400, {}, { outcome: 'failed', code: 'push_rejected' }],
  ])('answers a push service that says %i as %o', async (status, headers, expected) => {
    const sub = fake.subscribe();
    fake.respond(sub.id, status, headers);
    const attempt = await send(target(sub), content);
    expect(attempt).toMatchObject(expected);
    if (!('retryAfterMs' in expected)) expect(attempt).not.toHaveProperty('retryAfterMs');
    expect(fake.requests.at(-1)).toMatchObject({ id: sub.id, status });
  });

  it('retries (push_unreachable) when nothing listens on the port', async () => {
    const gone = await startFakePushService();
    const sub = gone.subscribe();
    await gone.close();
    expect(await send(target(sub), content)).toMatchObject({ outcome: 'retry', code: 'push_unreachable' });
  });

  it.each<[string, (t: ReturnType<typeof target>) => ReturnType<typeof target>]>([
    ['p256dh of 33 bytes (compressed)', (t) => ({ ...t, p256dh: Buffer.concat([Buffer.from([2]), Buffer.alloc(32, 1)]).toString('base64url') })],
    ['p256dh not starting 0x04', (t) => ({ ...t, p256dh: Buffer.concat([Buffer.from([5]), Buffer.from(t.p256dh, 'base64url').subarray(1)]).toString('base64url') })],
    ['auth of 8 bytes', (t) => ({ ...t, auth: Buffer.alloc(8, 1).toString('base64url') })],
    ['no auth', (t) => ({ ...t, auth: '' })],
  ])('fails %s as push_subscription_invalid; nothing reaches the push service', async (_, spoil) => {
    const before = fake.requests.length;
    expect(await send(spoil(target(fake.subscribe())), content)).toMatchObject({ outcome: 'failed', code: 'push_subscription_invalid' });
    expect(fake.requests.length).toBe(before);
  });
});

describe('the fake push service', () => {
  const nowS = () => Math.floor(Date.now() / 1000);
  /** A valid request from web-push, then the test's changes: headers replaced (null: removed), body spoiled. */
  async function post(sub: FakeSubscription, change: { headers?: Record<string, string | null>; spoil?: (b: Buffer) => void } = {}) {
    const details = webpush.generateRequestDetails({ endpoint: sub.endpoint, keys: { p256dh: sub.p256dh, auth: sub.auth } }, '{"a":1}', {
      vapidDetails: vapid,
      contentEncoding: 'aes128gcm',
    });
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...details.headers, ...change.headers })) if (v !== null && k !== 'Content-Length') headers[k] = String(v);
    const body = Buffer.from(details.body);
    change.spoil?.(body);
    const res = await fetch(sub.endpoint, { method: 'POST', headers, body });
    return { status: res.status, reason: await res.text() };
  }
  /** `vapid t=…, k=…` signed with keys.privateKey over the given header and claims. */
  function authorization(claims: object, header: object = { typ: 'JWT', alg: 'ES256' }): string {
    const pub = Buffer.from(keys.publicKey, 'base64url');
    const jwk = { kty: 'EC', crv: 'P-256', d: keys.privateKey, x: pub.subarray(1, 33).toString('base64url'), y: pub.subarray(33).toString('base64url') };
    const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const input = `${enc(header)}.${enc(claims)}`;
    const sig = sign('sha256', Buffer.from(input), { key: createPrivateKey({ key: jwk, format: 'jwk' }), dsaEncoding: 'ieee-p1363' });
    return `vapid t=${input}.${sig.toString('base64url')}, k=${keys.publicKey}`;
  }
  const good = () => ({ aud: fake.url, exp: nowS() + 3600, sub: 'mailto:hub@example.com' });

  it.each<[string, () => Parameters<typeof post>[1], number, RegExp]>([
    ['web-push as is', () => ({}), 201, /^$/],
    ['our own valid JWT', () => ({ headers: { Authorization: authorization(good()) } }), 201, /^$/],
    ['no Authorization', () => ({ headers: { Authorization: null } }), 401, /^no vapid Authorization$/],
    ['alg none', () => ({ headers: { Authorization: authorization(good(), { alg: 'none' }) } }), 401, /^JWT header or claims malformed$/],
    ['aud another origin', () => ({ headers: { Authorization: authorization({ ...good(), aud: 'https://fcm.googleapis.com' }) } }), 403, /^aud is not http:\/\/127\.0\.0\.1:\d+$/],
    ['an expired JWT', () => ({ headers: { Authorization: authorization({ ...good(), exp: nowS() - 1 }) } }), 403, /^JWT expired$/],
    ['exp 25 hours ahead', () => ({ headers: { Authorization: authorization({ ...good(), exp: nowS() + 25 * 3600 }) } }), 403, /^exp more than 24 hours ahead$/],
    ['an http: sub', () => ({ headers: { Authorization: authorization({ ...good(), sub: 'http://hub.example.com' }) } }), 403, /^sub is not a mailto: or https: URL$/],
    ['Content-Encoding aesgcm', () => ({ headers: { 'Content-Encoding': 'aesgcm' } }), 400, /^Content-Encoding must be aes128gcm$/],
    ['no TTL', () => ({ headers: { TTL: null } }), 400, /^TTL header missing or not a number$/],
    ['a flipped ciphertext bit', () => ({ spoil: (b) => void (b[100] = b[100]! ^ 1) }), 400, /^cannot decrypt: Unsupported state or unable to authenticate data$/],
  ])('answers %s with %i', async (_, change, status, reason) => {
    const sub = fake.subscribe();
    const before = fake.received.length;
    const res = await post(sub, change());
    expect(res).toEqual({ status, reason: expect.stringMatching(reason) });
    expect(fake.received.length).toBe(before + (status === 201 ? 1 : 0));
    if (status === 201) expect(fake.received.at(-1)).toMatchObject({ id: sub.id, json: { a: 1 } });
  });
});
