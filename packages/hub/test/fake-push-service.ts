// Test support: a fake Web Push service (RFC 8030) on 127.0.0.1 that checks what a real one checks
// (the VAPID JWT of RFC 8292 against its key, the aes128gcm headers) and decrypts each message
// itself with node:crypto (RFC 8291 over RFC 8188), independently of web-push and http_ece, so a
// test asserts on what a browser would read.

import { createDecipheriv, createECDH, createPublicKey, hkdfSync, randomBytes, verify, type ECDH, type KeyObject } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';

/** A browser-like subscription: what the browser hands the hub (keys in base64url), plus the fake's id. */
export interface FakeSubscription {
  readonly id: string;
  readonly endpoint: string;
  readonly p256dh: string;
  readonly auth: string;
  /** The same keys as `PushSubscription.toJSON()` nests them. */
  readonly keys: { readonly p256dh: string; readonly auth: string };
}

/** A message the fake accepted (201), decrypted. */
export interface Received {
  /** The subscription it was sent to. */
  readonly id: string;
  /** The endpoint it was posted to. */
  readonly endpoint: string;
  readonly headers: IncomingHttpHeaders;
  /** The plaintext as UTF-8, and parsed as JSON (undefined when it is not JSON). */
  readonly plaintext: string;
  readonly json: unknown;
  /** The same as `json`: what the service worker's `event.data.json()` gives. */
  readonly payload: unknown;
  readonly topic: string | null;
  readonly urgency: string | null;
  readonly ttl: number;
}

/** Every POST the fake answered, accepted or not, in arrival order. */
export interface Answered {
  readonly id: string | null;
  readonly status: number;
  readonly reason: string;
}

export interface FakePushService {
  /** `http://127.0.0.1:<port>`: the origin a VAPID JWT's `aud` must name. */
  readonly url: string;
  endpoint(id: string): string;
  /** A new subscription; with `applicationServerKey`, only messages signed by that VAPID key are accepted. */
  subscribe(opts?: { applicationServerKey?: string }): FakeSubscription;
  readonly received: Received[];
  readonly requests: Answered[];
  /**
   * The next accepted message (to subscription `id`, when given) not yet taken by next(), in arrival
   * order; waits for one if none is left.
   */
  next(id?: string): Promise<Received>;
  /** The next POST to `id` is answered `status` (with `headers`), before any check. */
  failNext(id: string, status: number, headers?: OutgoingHttpHeaders): void;
  /** Every POST to `id` is answered `status` until cleared with null. */
  setStatus(id: string, status: number | null, headers?: OutgoingHttpHeaders): void;
  /** From now on every POST to `id` is answered `status` (e.g. 410, 500, 429 with Retry-After): setStatus. */
  respond(id: string, status: number, headers?: OutgoingHttpHeaders): void;
  /** Stops listening, drops connections, and rejects waiting next() calls. */
  close(): Promise<void>;
}

interface Subscriber {
  readonly ecdh: ECDH;
  readonly publicKey: Buffer;
  readonly auth: Buffer;
  readonly applicationServerKey: Buffer | null;
}

interface Override {
  readonly status: number;
  readonly headers: OutgoingHttpHeaders;
}

type Verdict = { readonly ok: true; readonly received: Received } | { readonly ok: false; readonly status: number; readonly reason: string; readonly headers?: OutgoingHttpHeaders };

/** RFC 8291 §4: a push service need not accept more than 4096 octets of body. */
const MAX_BODY = 4096;
/** RFC 8292 §2: a JWT's `exp` is at most 24 hours ahead. */
const MAX_EXP_SECONDS = 24 * 60 * 60;
const JwtHeader = z.object({ alg: z.literal('ES256') });
const JwtClaims = z.object({ aud: z.string(), exp: z.number().int(), sub: z.string() });

/** Starts the fake on 127.0.0.1, port 0. */
export async function startFakePushService(): Promise<FakePushService> {
  const subscribers = new Map<string, Subscriber>();
  const once = new Map<string, Override[]>();
  const sticky = new Map<string, Override>();
  const received: Received[] = [];
  const requests: Answered[] = [];
  const untaken: Received[] = [];
  const waiters: { id: string | undefined; resolve: (r: Received) => void; reject: (e: Error) => void }[] = [];
  const wants = (id: string | undefined, r: Received) => id === undefined || id === r.id;
  let url = '';

  const answer = (id: string | null, method: string, headers: IncomingHttpHeaders, body: Buffer): Verdict => {
    if (method !== 'POST') return { ok: false, status: 405, reason: 'POST only' };
    if (id === null) return { ok: false, status: 404, reason: 'not a push endpoint' };
    const override = once.get(id)?.shift() ?? sticky.get(id);
    if (override) return { ok: false, status: override.status, reason: 'as the test asked', headers: override.headers };
    const sub = subscribers.get(id);
    if (!sub) return { ok: false, status: 404, reason: 'no such subscription' };
    const refused = checkVapid(headers.authorization, url, sub.applicationServerKey);
    if (refused) return { ok: false, ...refused };
    if (single(headers, 'content-encoding') !== 'aes128gcm') return { ok: false, status: 400, reason: 'Content-Encoding must be aes128gcm' };
    const ttl = single(headers, 'ttl');
    if (ttl === null || !/^\d+$/.test(ttl)) return { ok: false, status: 400, reason: 'TTL header missing or not a number' };
    const urgency = single(headers, 'urgency');
    if (urgency !== null && !['very-low', 'low', 'normal', 'high'].includes(urgency)) return { ok: false, status: 400, reason: 'bad Urgency' };
    const topic = single(headers, 'topic');
    if (topic !== null && !/^[A-Za-z0-9_-]{1,32}$/.test(topic)) return { ok: false, status: 400, reason: 'bad Topic' };
    if (body.length > MAX_BODY) return { ok: false, status: 413, reason: `body is ${body.length} bytes` };
    let plain: Buffer;
    try {
      plain = decrypt(body, sub);
    } catch (err) {
      return { ok: false, status: 400, reason: `cannot decrypt: ${err instanceof Error ? err.message : String(err)}` };
    }
    const plaintext = plain.toString('utf8');
    const json = parseJson(plaintext);
    return { ok: true, received: { id, endpoint: `${url}/push/${id}`, headers, plaintext, json, payload: json, topic, urgency, ttl: Number(ttl) } };
  };

  const deliver = (r: Received) => {
    received.push(r);
    const waiter = waiters.findIndex((w) => wants(w.id, r));
    if (waiter === -1) untaken.push(r);
    else waiters.splice(waiter, 1)[0]?.resolve(r);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const id = /^\/push\/([A-Za-z0-9_-]+)$/.exec(req.url ?? '')?.[1] ?? null;
      const verdict = answer(id, req.method ?? '', req.headers, Buffer.concat(chunks));
      if (verdict.ok) {
        requests.push({ id, status: 201, reason: 'accepted' });
        deliver(verdict.received);
        res.writeHead(201, { Location: `${url}/message/${randomBytes(8).toString('base64url')}` }).end();
      } else {
        requests.push({ id, status: verdict.status, reason: verdict.reason });
        res.writeHead(verdict.status, { 'Content-Type': 'text/plain', ...verdict.headers }).end(verdict.reason);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    endpoint: (id) => `${url}/push/${id}`,
    subscribe(opts = {}) {
      const ecdh = createECDH('prime256v1');
      const publicKey = ecdh.generateKeys();
      const auth = randomBytes(16);
      const id = randomBytes(12).toString('base64url');
      const appKey = opts.applicationServerKey === undefined ? null : Buffer.from(opts.applicationServerKey, 'base64url');
      subscribers.set(id, { ecdh, publicKey, auth, applicationServerKey: appKey });
      const keys = { p256dh: publicKey.toString('base64url'), auth: auth.toString('base64url') };
      return { id, endpoint: `${url}/push/${id}`, ...keys, keys };
    },
    received,
    requests,
    next(id) {
      const ready = untaken.findIndex((r) => wants(id, r));
      if (ready !== -1) return Promise.resolve(untaken.splice(ready, 1)[0]!);
      return new Promise((resolve, reject) => waiters.push({ id, resolve, reject }));
    },
    failNext(id, status, headers = {}) {
      once.set(id, [...(once.get(id) ?? []), { status, headers }]);
    },
    setStatus(id, status, headers = {}) {
      if (status === null) sticky.delete(id);
      else sticky.set(id, { status, headers });
    },
    respond(id, status, headers = {}) {
      sticky.set(id, { status, headers });
    },
    async close() {
      for (const w of waiters.splice(0)) w.reject(new Error('the fake push service closed'));
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}

/**
 * RFC 8292 §3: `Authorization: vapid t=<JWT>, k=<P-256 public key>`. Malformed → 401; a JWT that
 * does not verify against k, or k other than the subscription's key, or bad claims → 403.
 */
function checkVapid(header: string | undefined, audience: string, expectedKey: Buffer | null): { status: number; reason: string } | null {
  const params = new Map<string, string>();
  const scheme = /^vapid\s+(.*)$/i.exec(header ?? '');
  if (!scheme) return { status: 401, reason: 'no vapid Authorization' };
  for (const part of (scheme[1] ?? '').split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) params.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const [head, claims, signature, extra] = (params.get('t') ?? '').split('.');
  const k = Buffer.from(params.get('k') ?? '', 'base64url');
  if (head === undefined || claims === undefined || signature === undefined || extra !== undefined) return { status: 401, reason: 't is not a JWT' };
  const key = p256PublicKey(k);
  if (!key) return { status: 401, reason: 'k is not a P-256 public key' };
  const jwtHeader = JwtHeader.safeParse(parseJson(Buffer.from(head, 'base64url').toString('utf8')));
  const jwtClaims = JwtClaims.safeParse(parseJson(Buffer.from(claims, 'base64url').toString('utf8')));
  if (!jwtHeader.success || !jwtClaims.success) return { status: 401, reason: 'JWT header or claims malformed' };
  if (expectedKey && !expectedKey.equals(k)) return { status: 403, reason: 'k is not the key this subscription was made with' };
  // JWS ES256 (RFC 7518 §3.4): the signature is r || s, 64 bytes.
  const sig = Buffer.from(signature, 'base64url');
  if (!verify('sha256', Buffer.from(`${head}.${claims}`), { key, dsaEncoding: 'ieee-p1363' }, sig)) {
    return { status: 403, reason: 'JWT signature does not verify against k' };
  }
  const { aud, exp, sub } = jwtClaims.data;
  if (aud !== audience) return { status: 403, reason: `aud is not ${audience}` };
  const now = Math.floor(Date.now() / 1000);
  if (exp <= now) return { status: 403, reason: 'JWT expired' };
  if (exp > now + MAX_EXP_SECONDS) return { status: 403, reason: 'exp more than 24 hours ahead' };
  const subject = URL.canParse(sub) ? new URL(sub).protocol : '';
  if (subject !== 'mailto:' && subject !== 'https:') return { status: 403, reason: 'sub is not a mailto: or https: URL' };
  return null;
}

/**
 * RFC 8291 §3.4 key derivation, then one RFC 8188 aes128gcm record. Body: salt (16) | rs (4) |
 * idlen (1) | keyid = the sender's ephemeral public key (65) | the record (ciphertext and 16-byte tag).
 */
function decrypt(body: Buffer, sub: Subscriber): Buffer {
  if (body.length < 21) throw new Error('body shorter than the aes128gcm header');
  const salt = body.subarray(0, 16);
  const rs = body.readUInt32BE(16);
  const idlen = body[20];
  if (idlen !== 65) throw new Error(`keyid is ${idlen} bytes, not a 65-byte P-256 key (RFC 8291 §4)`);
  const senderKey = body.subarray(21, 86);
  const record = body.subarray(86);
  if (rs < 18) throw new Error(`rs ${rs} is under 18`);
  if (record.length > rs) throw new Error('more than one record (RFC 8291 §4 allows one)');
  if (record.length < 17) throw new Error('record shorter than a tag and a delimiter');
  // ecdh_secret = ECDH(ua_private, as_public); IKM = HKDF(salt=auth_secret, ecdh_secret,
  // "WebPush: info" || 0x00 || ua_public || as_public, 32).
  const ecdhSecret = sub.ecdh.computeSecret(senderKey);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), sub.publicKey, senderKey]);
  const ikm = Buffer.from(hkdfSync('sha256', ecdhSecret, sub.auth, keyInfo, 32));
  // RFC 8188 §2.2, §2.3: CEK and NONCE from HKDF(salt, IKM) with their info strings.
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(record.subarray(record.length - 16));
  const padded = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
  // RFC 8188 §2: data || delimiter || zeros; the last (here the only) record's delimiter is 0x02.
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (padded[end] !== 0x02) throw new Error('the record does not end with the 0x02 delimiter');
  return padded.subarray(0, end);
}

function p256PublicKey(raw: Buffer): KeyObject | null {
  if (raw.length !== 65 || raw[0] !== 0x04) return null;
  const jwk = { kty: 'EC', crv: 'P-256', x: raw.subarray(1, 33).toString('base64url'), y: raw.subarray(33).toString('base64url') };
  try {
    return createPublicKey({ key: jwk, format: 'jwk' });
  } catch {
    return null;
  }
}

function single(headers: IncomingHttpHeaders, name: string): string | null {
  const value = headers[name];
  return typeof value === 'string' ? value : null;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
