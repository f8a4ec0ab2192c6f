// Web Push sender (RFC 8030): VAPID keys (RFC 8292), the JSON the hub's service worker receives,
// and one encrypted POST (RFC 8291, aes128gcm) to a browser's push service, answered as an Attempt.
//
// createPushSender is the worker's Media.push: urgency from the kind, Topic from the tag.
// web-push builds the request (VAPID JWT, encryption, headers) and this module sends it with fetch:
// web-push's own sendNotification always speaks TLS (https.request), so it cannot reach a plain
// http://127.0.0.1 push service in tests, and its timeout only covers an idle socket.

import { createHash, createPublicKey } from 'node:crypto';
import webpush from 'web-push';
import { PROMPT_KINDS } from '@pilothouse/protocol';
import type { Attempt, NotificationContent } from '../delivery.js';

/** What the service worker's `push` event reads (`event.data.json()`). */
export interface PushPayload {
  readonly id: string;
  readonly kind: NotificationContent['kind'];
  readonly title: string;
  readonly body: string;
  readonly url: string;
  readonly tag: string;
  readonly channel: string;
  readonly thread_id: string;
  readonly request_id: string | null;
  readonly actions: readonly { readonly action: 'approve' | 'deny'; readonly title: string }[];
  /** The single-use decision code per choice, posted by the service worker to `POST /api/decide`. */
  readonly codes: { readonly approve?: string; readonly deny?: string };
  readonly created_at: string;
}

/** A browser's push subscription, as `PushSubscription.toJSON()` gives it (keys in base64url). */
export interface PushSubscriptionTarget {
  readonly endpoint: string;
  /** The browser's ECDH P-256 public key, uncompressed (65 bytes). */
  readonly p256dh: string;
  /** The browser's 16-byte authentication secret. */
  readonly auth: string;
}

/** The hub's VAPID identity (RFC 8292): a P-256 key pair in base64url. */
export interface VapidKeys {
  readonly publicKey: string;
  readonly privateKey: string;
}

export interface SendPushOptions {
  /** `subject` is a `mailto:` or `https:` URL the push service may contact. */
  readonly vapid: VapidKeys & { readonly subject: string };
  /** How long the push service keeps an undelivered message (default a day: an older alert is stale). */
  readonly ttlSeconds?: number;
  /** The content's tag: hashed into the Topic header, so a newer alert replaces an undelivered one. */
  readonly topic?: string;
  readonly urgency?: 'high' | 'normal';
  /** The whole exchange, response included (default 10 s). */
  readonly timeoutMs?: number;
}

/** pushPayload stays within this many bytes: push services cap bodies at about 4 KB after encryption. */
export const PUSH_PAYLOAD_MAX_BYTES = 3000;
/** RFC 8291 §4: a 4096-octet body is 86 octets of header, 16 of tag and 1 delimiter around the plaintext. */
const PUSH_PLAINTEXT_MAX_BYTES = 4096 - 86 - 16 - 1;
/** Over budget, the title keeps at least this much before the body gives up the rest. */
const TITLE_KEEP_BYTES = 256;
const ELLIPSIS = '…';
const DEFAULT_TTL_SECONDS = 86_400;
const DEFAULT_TIMEOUT_MS = 10_000;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** Plain http is accepted only on the loopback interface, for tests against a fake push service. */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** A fresh VAPID key pair (base64url: 65-byte uncompressed public key, 32-byte private key). */
export function generateVapidKeys(): VapidKeys {
  const { publicKey, privateKey } = webpush.generateVAPIDKeys();
  return { publicKey, privateKey };
}

/**
 * The JSON the service worker receives, at most PUSH_PAYLOAD_MAX_BYTES of UTF-8. Over budget the
 * body, then the title, are clipped with an ellipsis; identifiers, the url and the codes are never cut.
 */
export function pushPayload(content: NotificationContent): string {
  const codes: { approve?: string; deny?: string } = {};
  for (const action of content.actions) codes[action.id] = action.code;
  const build = (title: string, body: string): PushPayload => ({
    id: content.id,
    kind: content.kind,
    title,
    body,
    url: content.url,
    tag: content.tag,
    channel: content.channel,
    thread_id: content.thread_id,
    request_id: content.request_id,
    actions: content.actions.map((a) => ({ action: a.id, title: a.label })),
    codes,
    created_at: content.created_at,
  });
  const whole = JSON.stringify(build(content.title, content.body));
  if (Buffer.byteLength(whole) <= PUSH_PAYLOAD_MAX_BYTES) return whole;
  const room = PUSH_PAYLOAD_MAX_BYTES - Buffer.byteLength(JSON.stringify(build('', '')));
  const title = clip(content.title, Math.min(room, Math.max(TITLE_KEEP_BYTES, room - jsonBytes(content.body))));
  return JSON.stringify(build(title, clip(content.body, room - jsonBytes(title))));
}

/** The Topic header for a tag: 32 base64url characters of its SHA-256 (RFC 8030 §5.4 allows 32). */
export function pushTopic(tag: string): string {
  return createHash('sha256').update(tag).digest('base64url').slice(0, 32);
}

/** Why a subscription cannot be sent to (null when it can); the same rule serves the subscribe route. */
export function checkPushSubscription(target: PushSubscriptionTarget): string | null {
  if (!URL.canParse(target.endpoint)) return 'endpoint is not a URL';
  const url = new URL(target.endpoint);
  const loopbackHttp = url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol !== 'https:' && !loopbackHttp) return 'endpoint is not an https URL';
  if (url.username !== '' || url.password !== '') return 'endpoint carries credentials';
  const p256dh = base64url(target.p256dh);
  if (p256dh?.length !== 65 || p256dh[0] !== 0x04) return 'p256dh is not an uncompressed P-256 public key (65 bytes, base64url)';
  if (!onP256(p256dh)) return 'p256dh is not a point on P-256';
  if (base64url(target.auth)?.length !== 16) return 'auth is not a 16-byte secret (base64url)';
  return null;
}

/** One attempt at a push message: never throws; what the push service answered, as an Attempt. */
export async function sendPush(target: PushSubscriptionTarget, payload: string, opts: SendPushOptions): Promise<Attempt> {
  const invalid = checkPushSubscription(target);
  if (invalid !== null) return { outcome: 'failed', code: 'push_subscription_invalid', message: invalid };
  const size = Buffer.byteLength(payload);
  if (size > PUSH_PLAINTEXT_MAX_BYTES) {
    return { outcome: 'failed', code: 'push_payload_too_large', message: `payload is ${size} bytes, over ${PUSH_PLAINTEXT_MAX_BYTES}` };
  }
  let request: webpush.RequestDetails;
  try {
    request = webpush.generateRequestDetails({ endpoint: target.endpoint, keys: { p256dh: target.p256dh, auth: target.auth } }, payload, {
      vapidDetails: { subject: opts.vapid.subject, publicKey: opts.vapid.publicKey, privateKey: opts.vapid.privateKey },
      contentEncoding: 'aes128gcm',
      TTL: opts.ttlSeconds ?? DEFAULT_TTL_SECONDS,
      urgency: opts.urgency ?? 'normal',
      topic: opts.topic ? pushTopic(opts.topic) : undefined,
    });
  } catch (err) {
    // The subscription was checked above: what is left is our own configuration (VAPID keys, subject, TTL).
    return { outcome: 'failed', code: 'push_config_invalid', message: errorText(err) };
  }
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let response: Response;
  try {
    response = await fetch(request.endpoint, {
      method: 'POST',
      headers: requestHeaders(request.headers),
      body: request.body === null ? null : new Uint8Array(request.body),
      // The endpoint comes from a browser: never follow it elsewhere.
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    return { outcome: 'retry', code: 'push_unreachable', message: unreachableText(err, timeoutMs) };
  }
  const detail = await response.text().then(oneLine, () => '');
  return attemptFor(response.status, response.headers.get('retry-after'), detail, Date.now());
}

export interface PushSenderOptions {
  /** The hub's VAPID identity; `subject` is a `mailto:` or `https:` URL the push service may contact. */
  readonly vapid: { readonly subject: string; readonly publicKey: string; readonly privateKey: string };
  /** How long the push service keeps an undelivered message (default 24 h). */
  readonly ttlSeconds?: number;
  /** The whole exchange, response included (default 10 s). */
  readonly timeoutMs?: number;
}

/**
 * The worker's `Media.push`: pushPayload(content) to one subscription, `Urgency: high` for prompts
 * (PROMPT_KINDS: delivered at once even to a device saving power),
 * the Topic hashed from content.tag (a newer alert replaces an undelivered one). Never throws.
 */
export function createPushSender(opts: PushSenderOptions): (sub: PushSubscriptionTarget, content: NotificationContent) => Promise<Attempt> {
  return async (sub, content) => {
    try {
      return await sendPush(sub, pushPayload(content), {
        vapid: opts.vapid,
        topic: content.tag,
        urgency: PROMPT_KINDS.has(content.kind) ? 'high' : 'normal',
        ...(opts.ttlSeconds !== undefined ? { ttlSeconds: opts.ttlSeconds } : {}),
        ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
      });
    } catch (err) {
      // sendPush answers every failure of the medium; this is a bug, told as one worth retrying.
      return { outcome: 'retry', code: 'push_internal', message: errorText(err) };
    }
  };
}

/** The push service's answer as an Attempt (RFC 8030 §5, and what FCM, Mozilla and Apple answer). */
function attemptFor(status: number, retryAfter: string | null, detail: string, nowMs: number): Attempt {
  const message = `push service answered ${status}${detail === '' ? '' : `: ${detail}`}`;
  if (status >= 200 && status <= 299) return { outcome: 'sent', status };
  if (status === 404 || status === 410) return { outcome: 'gone', code: 'push_subscription_gone', message };
  if (status === 429 || status >= 500) {
    const code = `push_status_${status}`;
    const retryAfterMs = parseRetryAfter(retryAfter, nowMs);
    return retryAfterMs === undefined ? { outcome: 'retry', code, message } : { outcome: 'retry', code, message, retryAfterMs };
  }
  if (status === 413) return { outcome: 'failed', code: 'push_payload_too_large', message };
  return { outcome: 'failed', code: 'push_rejected', message };
}

/** Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP-date, as milliseconds from now. */
function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** web-push's headers as fetch headers; fetch sets Content-Length from the body itself. */
function requestHeaders(headers: webpush.Headers): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() !== 'content-length') out[name] = String(value);
  }
  return out;
}

/** The JSON-encoded size of a string, without its quotes. */
function jsonBytes(text: string): number {
  return Buffer.byteLength(JSON.stringify(text)) - 2;
}

/** The longest prefix (whole code points) plus an ellipsis whose JSON encoding fits maxBytes. */
function clip(text: string, maxBytes: number): string {
  if (jsonBytes(text) <= maxBytes) return text;
  const points = Array.from(text);
  const cut = (n: number) => points.slice(0, n).join('').trimEnd() + ELLIPSIS;
  // The largest n whose cut fits (the encoded size grows with n): binary search.
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (jsonBytes(cut(mid)) <= maxBytes) lo = mid;
    else hi = mid - 1;
  }
  return jsonBytes(cut(lo)) <= maxBytes ? cut(lo) : '';
}

function base64url(value: string): Buffer | null {
  const bare = value.replace(/=+$/, '');
  return BASE64URL.test(bare) ? Buffer.from(bare, 'base64url') : null;
}

function onP256(point: Buffer): boolean {
  const jwk = { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url') };
  try {
    createPublicKey({ key: jwk, format: 'jwk' });
    return true;
  } catch {
    return false;
  }
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 200);
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** fetch's failures: a TimeoutError from the signal, or "fetch failed" with the socket error as cause. */
function unreachableText(err: unknown, timeoutMs: number): string {
  if (err instanceof DOMException && err.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  const cause = err instanceof Error ? err.cause : undefined;
  const code = typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string' ? cause.code : undefined;
  return `push service unreachable: ${code ?? errorText(err)}`;
}
