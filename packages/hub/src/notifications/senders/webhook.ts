// The webhook medium: a signed JSON (or Slack-shaped) POST to a channel's webhook URL. The URL
// is the one thing on the hub an admin types that makes the hub open a connection, so it is
// guarded: the hub never calls itself, never a private/loopback/link-local address (unless the
// webhook was explicitly allowed to; webhook-target.ts), connects to exactly the address it
// checked (no DNS rebinding between check and connect), never follows a redirect, reads a bounded
// answer and gives up after a deadline. Bodies and signatures: webhook-body.ts. Receivers verify `Pilothouse-Signature` (HMAC-SHA256 over
// "<timestamp>.<body>") and dedupe on `Pilothouse-Delivery` (a send may be repeated once).

import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import type { Attempt, NotificationContent } from '../delivery.js';
import { isIP } from 'node:net';
import { sign, webhookBody } from './webhook-body.js';
import { bare, isRefusedAddress, pointsAtHub, portOf, validateWebhookUrl } from './webhook-target.js';

export { sign, verifySignature, webhookBody } from './webhook-body.js';
export { isRefusedAddress, MAX_WEBHOOK_URL_LENGTH, validateWebhookUrl } from './webhook-target.js';

/** The hook the worker hands the sender (a row of `webhooks`). */
export interface WebhookTarget {
  id: string;
  url: string;
  secret: string;
  format: 'json' | 'slack';
  allowPrivate: boolean;
}

/** The sender's signature, as `Media.webhook` expects it. */
export type WebhookSend = (hook: WebhookTarget, content: NotificationContent, deliveryId: string) => Promise<Attempt>;


export interface WebhookSenderOptions {
  /** The hub's own origins (public URL, listen addresses): never called, whatever the hook allows. */
  hubOrigins: readonly string[];
  /** This machine's addresses, for a hub listening on 0.0.0.0 or :: (default: the network interfaces'). */
  localAddresses?: () => readonly string[];
  /** Deadline for the whole exchange, resolving the name to reading the answer (default 10 s). */
  timeoutMs?: number;
  /** Most of an answer's body read before the connection is dropped (default 64 KB). */
  maxResponseBytes?: number;
  /** Host name to addresses (default: `dns.lookup` with `all`). */
  resolve?: (host: string) => Promise<string[]>;
  /** Clock for the signature's timestamp (ms). */
  now?: () => number;
}

async function defaultResolve(host: string): Promise<string[]> {
  const all = await dnsLookup(host, { all: true, verbatim: true });
  return all.map((a) => a.address);
}

/** Delay a `Retry-After` asks for (seconds or an HTTP date), capped at a day; undefined if absent or unreadable. */
function retryAfterMs(value: string | string[] | undefined, now: number): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === '') return undefined;
  const day = 24 * 3600_000;
  if (/^\s*\d+\s*$/.test(v)) return Math.min(Number(v) * 1000, day);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.min(Math.max(0, at - now), day);
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

const TIMED_OUT = Symbol('timed out');

/** `p`'s value, or TIMED_OUT when it takes longer than `ms` (a rejection passes through). */
async function within<T>(p: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<typeof TIMED_OUT>((ok) => (timer = setTimeout(() => ok(TIMED_OUT), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

function snippet(chunks: Buffer[]): string {
  const text = Buffer.concat(chunks).toString('utf8').replace(/\s+/g, ' ').trim();
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

function outcomeOf(status: number, headers: http.IncomingHttpHeaders, chunks: Buffer[], now: number): Attempt {
  if (status >= 200 && status < 300) return { outcome: 'sent', status };
  const said = snippet(chunks);
  const tail = said === '' ? '' : `: ${said}`;
  if (status >= 300 && status < 400) {
    return { outcome: 'failed', code: 'webhook_redirected', message: `The webhook answered ${status}, redirecting to ${headers.location ?? '(no Location)'}; webhooks do not follow redirects, so use the final URL.` };
  }
  const code = `webhook_status_${status}`;
  if (status === 408 || status === 429 || status >= 500) {
    const after = retryAfterMs(headers['retry-after'], now);
    return { outcome: 'retry', code, message: `The webhook answered ${status}${tail}`, ...(after !== undefined ? { retryAfterMs: after } : {}) };
  }
  return { outcome: 'failed', code, message: `The webhook answered ${status}${tail}` };
}

/**
 * The webhook medium (`Media.webhook`): checks the target's addresses, then POSTs the signed
 * body to exactly the checked address. Never throws; every outcome is an Attempt.
 */
export function createWebhookSender(opts: WebhookSenderOptions): WebhookSend {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const maxBytes = opts.maxResponseBytes ?? 64 * 1024;
  const resolve = opts.resolve ?? defaultResolve;
  const now = opts.now ?? Date.now;

  return async (hook, content, deliveryId) => {
    const started = performance.now();
    const timedOut = (u: URL): Attempt => ({ outcome: 'retry', code: 'webhook_timeout', message: `The webhook at ${u.origin} did not answer within ${timeoutMs} ms.` });
    let u: URL;
    try {
      u = new URL(hook.url);
    } catch {
      return { outcome: 'failed', code: 'webhook_bad_url', message: `The webhook URL is not valid: ${hook.url}` };
    }
    const invalid = validateWebhookUrl(hook.url, opts);
    if (invalid !== null) {
      return pointsAtHub(u, opts)
        ? { outcome: 'failed', code: 'webhook_points_at_hub', message: `The webhook URL ${u.origin} is this hub itself; the hub never calls itself.` }
        : { outcome: 'failed', code: 'webhook_bad_url', message: invalid };
    }

    const host = bare(u.hostname);
    let addresses: string[];
    if (isIP(host) !== 0) addresses = [host];
    else {
      let found: string[] | typeof TIMED_OUT;
      try {
        found = await within(resolve(host), timeoutMs);
      } catch (err) {
        return { outcome: 'retry', code: 'webhook_unresolved', message: `Could not resolve ${host}: ${messageOf(err)}` };
      }
      if (found === TIMED_OUT) return timedOut(u);
      addresses = found.filter((a) => isIP(bare(a)) !== 0).map(bare);
      if (addresses.length === 0) return { outcome: 'retry', code: 'webhook_unresolved', message: `${host} resolved to no address.` };
    }
    for (const a of addresses) {
      if (pointsAtHub(u, opts, a)) {
        return { outcome: 'failed', code: 'webhook_points_at_hub', message: `The webhook URL ${u.origin} reaches this hub itself (${a}); the hub never calls itself.` };
      }
    }
    if (!hook.allowPrivate) {
      const bad = addresses.find(isRefusedAddress);
      if (bad !== undefined) {
        return {
          outcome: 'failed',
          code: 'webhook_address_refused',
          message: `The webhook host ${host} has the address ${bad}, which is loopback, private, link-local or otherwise not public; an admin can allow private addresses for this webhook.`,
        };
      }
    }
    const address = addresses[0]!;
    const family = isIP(address);

    const body = JSON.stringify(webhookBody(content, hook.format));
    const ts = Math.floor(now() / 1000);
    const headers: http.OutgoingHttpHeaders = {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(body),
      'User-Agent': 'Pilothouse-Webhook/1',
      'Pilothouse-Signature': sign(hook.secret, ts, body),
      'Pilothouse-Delivery': deliveryId,
      'Pilothouse-Event': content.kind,
    };
    // Connect to the address checked above, whatever DNS says by now; Host and SNI stay the name.
    const pinned = (_h: string, o: { all?: boolean }, cb: (...args: unknown[]) => void): void => {
      if (o.all) cb(null, [{ address, family }]);
      else cb(null, address, family);
    };
    const requestOptions: https.RequestOptions = {
      method: 'POST',
      protocol: u.protocol,
      hostname: u.hostname,
      port: portOf(u),
      path: `${u.pathname}${u.search}`,
      headers,
      agent: false,
      lookup: pinned as unknown as https.RequestOptions['lookup'],
      ...(u.protocol === 'https:' && isIP(host) === 0 ? { servername: host } : {}),
    };

    const remainingMs = Math.max(0, timeoutMs - (performance.now() - started));
    return new Promise<Attempt>((settle) => {
      let done = false;
      let status: number | null = null;
      let resHeaders: http.IncomingHttpHeaders = {};
      const chunks: Buffer[] = [];
      const finish = (a: Attempt): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        req.destroy();
        settle(a);
      };
      const answered = (): void => finish(outcomeOf(status!, resHeaders, chunks, now()));
      const timer = setTimeout(() => {
        // Headers in hand: the answer counts even if its body never ends.
        if (status !== null) answered();
        else finish(timedOut(u));
      }, remainingMs);

      let req: http.ClientRequest;
      try {
        req = (u.protocol === 'https:' ? https : http).request(requestOptions, (res) => {
          status = res.statusCode ?? 0;
          resHeaders = res.headers;
          let read = 0;
          res.on('data', (chunk: Buffer) => {
            if (read < maxBytes) chunks.push(chunk.subarray(0, maxBytes - read));
            read += chunk.length;
            if (read >= maxBytes) answered();
          });
          res.on('end', answered);
          res.on('error', answered);
          res.on('aborted', answered);
        });
      } catch (err) {
        clearTimeout(timer);
        settle({ outcome: 'failed', code: 'webhook_bad_url', message: `Could not send to ${u.origin}: ${messageOf(err)}` });
        return;
      }
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (done) return;
        if (status !== null) return answered();
        const what = err.code ?? err.message;
        finish({ outcome: 'retry', code: 'webhook_unreachable', message: `Could not reach the webhook at ${u.origin} (${address}): ${what}` });
      });
      req.end(body);
    });
  };
}
