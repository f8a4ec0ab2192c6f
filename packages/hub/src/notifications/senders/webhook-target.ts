// Where a webhook may not go: the hub itself, and (unless an admin allowed it for that hook)
// loopback, private, link-local, CGNAT, benchmark, documentation, multicast and reserved
// addresses, in any spelling (IPv4-mapped, NAT64, 6to4). The admin API checks the URL when it is
// saved (validateWebhookUrl); the sender checks every resolved address again at each send.

import { BlockList, isIP } from 'node:net';
import { networkInterfaces } from 'node:os';

/** Longest webhook URL the admin API accepts. */
export const MAX_WEBHOOK_URL_LENGTH = 2048;


const refusedRanges = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network", incl. the unspecified address
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // CGNAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation (TEST-NET-1)
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation (TEST-NET-2)
  ['203.0.113.0', 24], // documentation (TEST-NET-3)
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, incl. broadcast 255.255.255.255
] as const) refusedRanges.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 96], // unspecified, loopback, IPv4-compatible
  ['100::', 64], // discard-only
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const) refusedRanges.addSubnet(net, prefix, 'ipv6');

/** Strips the brackets a URL puts around an IPv6 literal. */
export function bare(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

const v4Of = (hi: string, lo: string): string => {
  const h = parseInt(hi, 16);
  const l = parseInt(lo, 16);
  return `${h >> 8}.${h & 255}.${l >> 8}.${l & 255}`;
};

/**
 * The IPv4 address inside an IPv4-mapped (`::ffff:a.b.c.d`, any spelling), NAT64
 * (`64:ff9b::a.b.c.d`, which a NAT64 gateway turns into that IPv4 address) or 6to4
 * (`2002:AABB:CCDD::/48`, which a relay routes to AABB:CCDD) IPv6 address, else null.
 */
function mappedV4(address: string): string | null {
  let canonical: string;
  try {
    canonical = new URL(`http://[${bare(address)}]/`).hostname; // WHATWG: lower-case, compressed, hex
  } catch {
    return null;
  }
  const m = /^\[(?:::ffff|64:ff9b:):([0-9a-f]{1,4}):([0-9a-f]{1,4})\]$/.exec(canonical);
  if (m) return v4Of(m[1]!, m[2]!);
  const sixToFour = /^\[2002:([0-9a-f]{1,4}):([0-9a-f]{1,4})(?::|\])/.exec(canonical);
  return sixToFour ? v4Of(sixToFour[1]!, sixToFour[2]!) : null;
}

/** Whether an IP address is one a webhook may not reach without `allowPrivate` (loopback, private, link-local, CGNAT, benchmark, documentation, multicast, broadcast, unspecified; mapped, NAT64 and 6to4 forms too). */
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

export function portOf(u: URL): string {
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
export interface HubIdentity {
  readonly hubOrigins: readonly string[];
  readonly localAddresses?: () => readonly string[];
}

/**
 * Whether `u` (or, when given, the address it resolved to) is the hub itself, on one of the
 * hub's ports (whatever the scheme): one of its hosts, a loopback or unspecified address, an
 * address one of its origins names literally, or, when an origin is the unspecified address (the
 * hub listens on every interface), any address of this machine.
 */
export function pointsAtHub(u: URL, hub: HubIdentity, address?: string): boolean {
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
