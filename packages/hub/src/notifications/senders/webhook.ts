// The webhook medium: a signed JSON (or Slack-shaped) POST to a channel's webhook URL. The URL
// is the one thing on the hub an admin types that makes the hub open a connection, so it is
// guarded: the hub never calls itself, never a private/loopback/link-local address (unless the
// webhook was explicitly allowed to), connects to exactly the address it checked (no DNS
// rebinding between check and connect), never follows a redirect, reads a bounded answer and
// gives up after a deadline. Receivers verify `Pilothouse-Signature` (HMAC-SHA256 over
// "<timestamp>.<body>") and dedupe on `Pilothouse-Delivery` (a send may be repeated once).

import { createHmac, timingSafeEqual } from 'node:crypto';
import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Attempt, NotificationContent } from '../delivery.js';

/** Longest webhook URL the admin API accepts. */
export const MAX_WEBHOOK_URL_LENGTH = 2048;

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

// ---------------------------------------------------------------------------------------------
// Addresses

const refusedRanges = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network", incl. the unspecified address
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // CGNAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, incl. broadcast 255.255.255.255
] as const) refusedRanges.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 96], // unspecified, loopback, IPv4-compatible
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const) refusedRanges.addSubnet(net, prefix, 'ipv6');

/** Strips the brackets a URL puts around an IPv6 literal. */
function bare(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** The IPv4 address inside an IPv4-mapped (`::ffff:a.b.c.d`, any spelling) or NAT64 (`64:ff9b::a.b.c.d`) IPv6 address, else null. */
function mappedV4(address: string): string | null {
  let canonical: string;
  try {
    canonical = new URL(`http://[${bare(address)}]/`).hostname; // WHATWG: lower-case, compressed, hex
  } catch {
    return null;
  }
  // IPv4-mapped, or the NAT64 well-known prefix (which a NAT64 gateway turns into that IPv4 address)
  const m = /^\[(?:::ffff|64:ff9b:):([0-9a-f]{1,4}):([0-9a-f]{1,4})\]$/.exec(canonical);
  if (!m) return null;
  const hi = parseInt(m[1]!, 16);
  const lo = parseInt(m[2]!, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** Whether an IP address is one a webhook may not reach without `allowPrivate` (loopback, private, link-local, CGNAT, multicast, broadcast, unspecified; mapped forms too). */
export function isRefusedAddress(address: string): boolean {
  const ip = bare(address);
  const family = isIP(ip);
  if (family === 4) return refusedRanges.check(ip, 'ipv4');
  if (family === 6) {
    const v4 = mappedV4(ip);
    if (v4 !== null) return refusedRanges.check(v4, 'ipv4');
    return refusedRanges.check(ip, 'ipv6');
  }
  return true; // not an address at all: refuse rather than guess
}

/** An IP address in one spelling (no brackets or zone, IPv4-mapped as IPv4, IPv6 compressed), or null if it is none. */
function canonicalIp(address: string): string | null {
  const ip = bare(address).replace(/%.*$/, '');
  if (isIP(ip) === 4) return ip;
  if (isIP(ip) !== 6) return null;
  return mappedV4(ip) ?? bare(new URL(`http://[${ip}]/`).hostname);
}

/** 0.0.0.0/8 or :: (canonical form): where a server listens on every interface. */
function isUnspecified(ip: string): boolean {
  return ip.startsWith('0.') || ip === '::';
}

/**
 * Whether connecting to a (canonical) address reaches this machine whatever its interfaces:
 * loopback, or unspecified (a connect to 0.0.0.0 or :: goes to the local host on Linux and macOS).
 */
function isSelfAddress(ip: string): boolean {
  return ip.startsWith('127.') || ip === '::1' || isUnspecified(ip);
}

/** The addresses of this machine's interfaces (where a hub listening on 0.0.0.0 or :: answers). */
function interfaceAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address));
}

function portOf(u: URL): string {
  return u.port !== '' ? u.port : u.protocol === 'https:' ? '443' : '80';
}

function parseOrigins(hubOrigins: readonly string[]): URL[] {
  const out: URL[] = [];
  for (const o of hubOrigins) {
    try {
      out.push(new URL(o));
    } catch {
      // a malformed configured origin cannot match anything
    }
  }
  return out;
}

/** A host name as compared: lower-case, no brackets, no trailing dot (`hub.example.com.` is the same host). */
function hostKey(host: string): string {
  return bare(host).toLowerCase().replace(/\.+$/, '');
}

/** How the hub is recognised: its origins, and (for one listening on every interface) this machine's addresses. */
interface HubIdentity {
  readonly hubOrigins: readonly string[];
  readonly localAddresses?: () => readonly string[];
}

/**
 * Whether `u` (or, when given, the address it resolved to) is the hub itself, on one of the
 * hub's ports (whatever the scheme): one of its hosts, a loopback or unspecified address, an
 * address one of its origins names literally, or, when an origin is the unspecified address (the
 * hub listens on every interface), any address of this machine.
 */
function pointsAtHub(u: URL, hub: HubIdentity, address?: string): boolean {
  const port = portOf(u);
  const host = hostKey(u.hostname);
  const ips = [canonicalIp(host), address === undefined ? null : canonicalIp(address)].filter((a) => a !== null);
  const self = host === 'localhost' || host.endsWith('.localhost') || ips.some(isSelfAddress);
  let local: Set<string> | undefined;
  const mine = (): Set<string> => (local ??= new Set((hub.localAddresses ?? interfaceAddresses)().map(canonicalIp).filter((a) => a !== null)));
  return parseOrigins(hub.hubOrigins).some((o) => {
    if (portOf(o) !== port) return false;
    const name = hostKey(o.hostname);
    if (name === host || self) return true;
    const ip = canonicalIp(name);
    if (ip === null) return false;
    if (ips.includes(ip)) return true;
    return isUnspecified(ip) && ips.some((a) => mine().has(a));
  });
}

/**
 * The admin API's check of a webhook URL (synchronous; the sender checks the resolved addresses
 * again at every send). Returns what is wrong with it, or null when it may be saved.
 */
export function validateWebhookUrl(url: string, opts: HubIdentity): string | null {
  if (url.length > MAX_WEBHOOK_URL_LENGTH) return `A webhook URL is at most ${MAX_WEBHOOK_URL_LENGTH.toLocaleString('en-US')} characters.`;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'That is not a valid URL.';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'A webhook URL must be http:// or https://.';
  if (u.username !== '' || u.password !== '') return 'A webhook URL must not contain a user name or password; use the signing secret to authenticate the hub.';
  if (u.hostname === '') return 'A webhook URL needs a host.';
  if (pointsAtHub(u, opts)) return 'A webhook URL must not point at this hub.';
  return null;
}

// ---------------------------------------------------------------------------------------------
// Bodies and signatures

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const SLACK_SECTION_MAX = 3000;

/** What a webhook POSTs: the notification's public fields (never its decision codes), or a Slack message. */
export function webhookBody(content: NotificationContent, format: 'json' | 'slack'): Record<string, unknown> {
  if (format === 'slack') {
    const link = `<${slackEscape(content.url).replace(/\|/g, '%7C')}|Open the thread>`;
    const head = `*${slackEscape(content.title)}*\n`;
    const room = SLACK_SECTION_MAX - head.length - link.length - 1;
    let body = slackEscape(content.body);
    if (body.length > room) body = `${body.slice(0, Math.max(0, room - 1))}…`;
    return {
      text: slackEscape(content.title),
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `${head}${body}\n${link}` } }],
    };
  }
  return {
    id: content.id,
    type: content.kind,
    channel: content.channel,
    thread_id: content.thread_id,
    message_id: content.message_id,
    request_id: content.request_id,
    title: content.title,
    body: content.body,
    url: content.url,
    created_at: content.created_at,
  };
}

function mac(secret: string, tsSeconds: number, body: string): string {
  return createHmac('sha256', secret).update(`${tsSeconds}.${body}`).digest('hex');
}

/** The `Pilothouse-Signature` header: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. */
export function sign(secret: string, tsSeconds: number, body: string): string {
  return `t=${tsSeconds},v1=${mac(secret, tsSeconds, body)}`;
}

/**
 * A receiver's check of `Pilothouse-Signature`: well-formed, a timestamp within the tolerance
 * of now (replays of old deliveries fail), and a `v1` matching the body (constant-time).
 */
export function verifySignature(secret: string, header: string, body: string, opts: { nowSeconds: number; toleranceSeconds?: number }): boolean {
  let ts: number | null = null;
  const sigs: string[] = [];
  for (const part of header.split(',')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    const k = part.slice(0, i).trim();
    const v = part.slice(i + 1).trim();
    if (k === 't' && /^\d{1,15}$/.test(v)) ts = Number(v);
    else if (k === 'v1' && /^[0-9a-f]{64}$/i.test(v)) sigs.push(v.toLowerCase());
  }
  if (ts === null || sigs.length === 0) return false;
  if (Math.abs(opts.nowSeconds - ts) > (opts.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(mac(secret, ts, body), 'hex');
  let ok = false;
  for (const s of sigs) ok = timingSafeEqual(expected, Buffer.from(s, 'hex')) || ok;
  return ok;
}

// ---------------------------------------------------------------------------------------------
// The sender

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
