// The webhook medium against a real receiver: signed deliveries, the SSRF guard (private
// addresses, the hub itself, resolved names), status handling, redirects, timeouts, bodies.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startWebhookReceiver, type WebhookReceiver } from '../../../test/webhook-receiver.js';
import type { NotificationContent } from '../delivery.js';
import type { Media } from '../worker.js';
import { createWebhookSender, isRefusedAddress, sign, validateWebhookUrl, verifySignature, webhookBody, type WebhookTarget } from './webhook.js';

const SECRET = 'whsec_test_secret';
const HUB = 'https://hub.example.com';

const content: NotificationContent = {
  id: 'n_1',
  kind: 'approval_requested',
  title: 'Approval needed: npm test',
  body: 'dave asks to run `npm test` in acme/api',
  url: 'https://hub.example.com/acme/api/t/th_1?prompt=req_1',
  channel: 'acme/api',
  thread_id: 'th_1',
  message_id: 'm_1',
  request_id: 'req_1',
  tag: 'approval:req_1',
  actions: [
    { id: 'approve', label: 'Approve', code: 'SECRETCODEAPPROVE' },
    { id: 'deny', label: 'Deny', code: 'SECRETCODEDENY' },
  ],
  created_at: '2026-12-05T10:00:00.000Z',
};

function hook(url: string, over: Partial<WebhookTarget> = {}): WebhookTarget {
  return { id: 'wh_1', url, secret: SECRET, format: 'json', allowPrivate: true, ...over };
}

let rx: WebhookReceiver;
beforeEach(async () => {
  rx = await startWebhookReceiver(SECRET);
});
afterEach(async () => {
  await rx.close();
});

describe('signatures', () => {
  it('verifies its own signature; a tampered body, a stale or future timestamp, another secret or a mangled header fail', () => {
    const body = '{"a":1}';
    const header = sign(SECRET, 1_000_000, body);
    expect(header).toMatch(/^t=1000000,v1=[0-9a-f]{64}$/);
    expect(verifySignature(SECRET, header, body, { nowSeconds: 1_000_100 })).toBe(true);
    expect(verifySignature(SECRET, header, '{"a":2}', { nowSeconds: 1_000_100 })).toBe(false);
    expect(verifySignature(SECRET, header, body, { nowSeconds: 1_000_301 })).toBe(false);
    expect(verifySignature(SECRET, header, body, { nowSeconds: 999_000 })).toBe(false);
    expect(verifySignature(SECRET, header, body, { nowSeconds: 1_000_500, toleranceSeconds: 600 })).toBe(true);
    expect(verifySignature('other', header, body, { nowSeconds: 1_000_000 })).toBe(false);
    expect(verifySignature(SECRET, header.replace('t=1000000', 't=1000001'), body, { nowSeconds: 1_000_000 })).toBe(false);
    expect(verifySignature(SECRET, 'garbage', body, { nowSeconds: 1_000_000 })).toBe(false);
    expect(verifySignature(SECRET, `${header.slice(0, -2)}`, body, { nowSeconds: 1_000_000 })).toBe(false);
  });
});

describe('delivery', () => {
  it('is the worker\'s webhook medium', () => {
    const media: Pick<Media, 'webhook'> = { webhook: createWebhookSender({ hubOrigins: [HUB] }) };
    expect(typeof media.webhook).toBe('function');
  });

  it('arrives as a signed POST with the delivery id and event, and verifies', async () => {
    const send = createWebhookSender({ hubOrigins: [HUB] });
    const attempt = await send(hook(`${rx.url}/hooks/in?x=1`), content, 'dl_1');
    expect(attempt).toEqual({ outcome: 'sent', status: 200 });
    const got = await rx.next();
    expect(got.method).toBe('POST');
    expect(got.path).toBe('/hooks/in?x=1');
    expect(got.valid).toBe(true);
    expect(got.headers['pilothouse-delivery']).toBe('dl_1');
    expect(got.headers['pilothouse-event']).toBe('approval_requested');
    expect(got.headers['user-agent']).toBe('Pilothouse-Webhook/1');
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.json).toEqual({
      id: 'n_1',
      type: 'approval_requested',
      channel: 'acme/api',
      thread_id: 'th_1',
      message_id: 'm_1',
      request_id: 'req_1',
      title: 'Approval needed: npm test',
      body: 'dave asks to run `npm test` in acme/api',
      url: 'https://hub.example.com/acme/api/t/th_1?prompt=req_1',
      created_at: '2026-12-05T10:00:00.000Z',
    });
    expect(got.body).not.toContain('SECRETCODE');
  });

  it('a repeated send under the same delivery id is recognisable as a duplicate', async () => {
    const send = createWebhookSender({ hubOrigins: [HUB] });
    await send(hook(rx.url), content, 'dl_same');
    await send(hook(rx.url), content, 'dl_same');
    await send(hook(rx.url), content, 'dl_other');
    expect(rx.received).toHaveLength(3);
    expect(rx.received.map((r) => r.duplicate)).toEqual([false, true, false]);
    expect(rx.unique).toBe(2);
  });

  it('connects to the checked address while Host stays the name (no second DNS answer)', async () => {
    const asked: string[] = [];
    const send = createWebhookSender({
      hubOrigins: [HUB],
      resolve: async (h) => {
        asked.push(h);
        return ['127.0.0.1'];
      },
    });
    const attempt = await send(hook(`http://hooks.example.test:${rx.port}/in`), content, 'dl_pin');
    expect(attempt.outcome).toBe('sent');
    expect(asked).toEqual(['hooks.example.test']);
    expect((await rx.next()).headers.host).toBe(`hooks.example.test:${rx.port}`);
  });
});

describe('the address guard', () => {
  it('refuses loopback unless the hook allows private addresses, and sends nothing', async () => {
    const send = createWebhookSender({ hubOrigins: [HUB] });
    const attempt = await send(hook(rx.url, { allowPrivate: false }), content, 'dl_2');
    expect(attempt).toMatchObject({ outcome: 'failed', code: 'webhook_address_refused' });
    expect(attempt.outcome === 'failed' && attempt.message).toContain('127.0.0.1');
    expect(rx.received).toHaveLength(0);
  });

  it('refuses a name resolving to a private address, or to a public and a private one', async () => {
    const to = (addrs: string[]) => createWebhookSender({ hubOrigins: [HUB], resolve: async () => addrs });
    const a = await to(['10.0.0.5'])(hook('https://hooks.example.com/in', { allowPrivate: false }), content, 'dl_3');
    expect(a).toMatchObject({ outcome: 'failed', code: 'webhook_address_refused' });
    expect(a.outcome === 'failed' && a.message).toContain('10.0.0.5');
    const b = await to(['93.184.216.34', '192.168.1.20'])(hook('https://hooks.example.com/in', { allowPrivate: false }), content, 'dl_4');
    expect(b).toMatchObject({ outcome: 'failed', code: 'webhook_address_refused' });
    expect(b.outcome === 'failed' && b.message).toContain('192.168.1.20');
    const c = await to(['::ffff:169.254.169.254'])(hook('https://hooks.example.com/in', { allowPrivate: false }), content, 'dl_5');
    expect(c).toMatchObject({ outcome: 'failed', code: 'webhook_address_refused' });
  });

  it('classifies addresses', () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.0.1', '169.254.169.254', '100.64.0.1', '100.127.255.255', '0.0.0.0', '224.0.0.1', '255.255.255.255', '::', '::1', 'fc00::1', 'fd12::1', 'fe80::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1', '[::1]']) {
      expect(isRefusedAddress(a), a).toBe(true);
    }
    for (const a of ['64:ff9b::10.0.0.1', '64:ff9b::7f00:1']) expect(isRefusedAddress(a), a).toBe(true);
    // Benchmark, documentation and protocol-assignment ranges; 6to4 carrying a private IPv4; IPv6 documentation and discard.
    for (const a of ['198.18.0.1', '198.19.255.254', '192.0.2.7', '198.51.100.1', '203.0.113.9', '192.0.0.8', '2002:7f00:1::', '2002:a00:1::5', '2001:db8::1', '100::1']) {
      expect(isRefusedAddress(a), a).toBe(true);
    }
    for (const a of ['198.20.0.1', '2002:808:808::1', '192.0.3.1']) expect(isRefusedAddress(a), a).toBe(false);
    for (const a of ['93.184.216.34', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700::1111', '::ffff:8.8.8.8']) {
      expect(isRefusedAddress(a), a).toBe(false);
    }
  });

  it('never calls the hub itself, even with private addresses allowed', async () => {
    const send = createWebhookSender({ hubOrigins: [HUB, `http://127.0.0.1:${rx.port}`] });
    for (const url of [`${rx.url}/api/x`, `http://localhost:${rx.port}/api/x`, `http://[::1]:${rx.port}/`, 'https://hub.example.com/api/hook']) {
      expect(await send(hook(url), content, 'dl_6'), url).toMatchObject({ outcome: 'failed', code: 'webhook_points_at_hub' });
    }
    expect(await send(hook('https://hub.example.com./api/hook'), content, 'dl_6b')).toMatchObject({ outcome: 'failed', code: 'webhook_points_at_hub' });
    const viaName = createWebhookSender({ hubOrigins: [`http://127.0.0.1:${rx.port}`], resolve: async () => ['127.0.0.1'] });
    expect(await viaName(hook(`http://sneaky.example.test:${rx.port}/`), content, 'dl_7')).toMatchObject({ outcome: 'failed', code: 'webhook_points_at_hub' });
    const viaLanName = createWebhookSender({ hubOrigins: ['http://10.0.0.2:8080'], resolve: async () => ['10.0.0.2'] });
    expect(await viaLanName(hook('http://lan.example.test:8080/'), content, 'dl_7b')).toMatchObject({ outcome: 'failed', code: 'webhook_points_at_hub' });
    expect(rx.received).toHaveLength(0);
  });

  it('the unspecified address is the hub too (connecting to 0.0.0.0 reaches this machine)', async () => {
    const send = createWebhookSender({ hubOrigins: [`http://127.0.0.1:${rx.port}`] });
    for (const url of [`http://0.0.0.0:${rx.port}/`, `http://[::]:${rx.port}/`, `http://[::ffff:0.0.0.0]:${rx.port}/`]) {
      expect(await send(hook(url), content, 'dl_8a'), url).toMatchObject({ outcome: 'failed', code: 'webhook_points_at_hub' });
    }
    const viaName = createWebhookSender({ hubOrigins: [`http://127.0.0.1:${rx.port}`], resolve: async () => ['0.0.0.0'] });
    expect(await viaName(hook(`http://zero.example.test:${rx.port}/`), content, 'dl_8b')).toMatchObject({ outcome: 'failed', code: 'webhook_points_at_hub' });
    expect(rx.received).toHaveLength(0);
  });

  it('a hub listening on every interface is each of this machine\'s addresses on its port', async () => {
    const opts = { hubOrigins: ['http://0.0.0.0:8080'], localAddresses: () => ['127.0.0.1', '192.168.7.7', 'fe80::1%eth0'] };
    const send = createWebhookSender({ ...opts, resolve: async () => ['192.168.7.7'] });
    expect(await send(hook('http://192.168.7.7:8080/'), content, 'dl_8c')).toMatchObject({ outcome: 'failed', code: 'webhook_points_at_hub' });
    expect(await send(hook('http://box.example.test:8080/'), content, 'dl_8d')).toMatchObject({ outcome: 'failed', code: 'webhook_points_at_hub' });
    expect(await send(hook('http://[fe80::1]:8080/'), content, 'dl_8e')).toMatchObject({ outcome: 'failed', code: 'webhook_points_at_hub' });
    expect(validateWebhookUrl('http://192.168.7.7:8080/', opts)).toMatch(/this hub/);
    expect(validateWebhookUrl('http://192.168.7.8:8080/', opts)).toBeNull();
    expect(validateWebhookUrl('http://192.168.7.7:8081/', opts)).toBeNull();
  });
});

describe('answers', () => {
  const send = () => createWebhookSender({ hubOrigins: [HUB] });

  it('500 is retried', async () => {
    rx.respondWith(500);
    expect(await send()(hook(rx.url), content, 'dl_8')).toMatchObject({ outcome: 'retry', code: 'webhook_status_500' });
  });

  it('503 with Retry-After: 4 is retried after 4 s; 429 and 408 are retried', async () => {
    rx.respondWith(503, { 'Retry-After': '4' });
    expect(await send()(hook(rx.url), content, 'dl_9')).toMatchObject({ outcome: 'retry', code: 'webhook_status_503', retryAfterMs: 4000 });
    rx.respondWith(429);
    expect(await send()(hook(rx.url), content, 'dl_9b')).toMatchObject({ outcome: 'retry', code: 'webhook_status_429' });
    rx.respondWith(408);
    expect(await send()(hook(rx.url), content, 'dl_9c')).toMatchObject({ outcome: 'retry', code: 'webhook_status_408' });
  });

  it('404 fails for good', async () => {
    rx.respondWith(404);
    const a = await send()(hook(rx.url), content, 'dl_10');
    expect(a).toMatchObject({ outcome: 'failed', code: 'webhook_status_404' });
    expect(a.outcome === 'failed' && a.message).toContain('404');
  });

  it('a redirect fails and is not followed', async () => {
    const other = await startWebhookReceiver(SECRET);
    try {
      rx.redirect(`${other.url}/elsewhere`);
      const a = await send()(hook(rx.url), content, 'dl_11');
      expect(a).toMatchObject({ outcome: 'failed', code: 'webhook_redirected' });
      expect(a.outcome === 'failed' && a.message).toContain(`${other.url}/elsewhere`);
      expect(rx.received).toHaveLength(1);
      expect(other.received).toHaveLength(0);
    } finally {
      await other.close();
    }
  });

  it('a server that accepts and never answers times out, to be retried', async () => {
    rx.hang();
    const a = await createWebhookSender({ hubOrigins: [HUB], timeoutMs: 300 })(hook(rx.url), content, 'dl_12');
    expect(a).toMatchObject({ outcome: 'retry', code: 'webhook_timeout' });
    expect(rx.received).toHaveLength(1);
  });

  it('the deadline covers resolving the name too', async () => {
    const stuck = createWebhookSender({ hubOrigins: [HUB], timeoutMs: 300, resolve: () => new Promise<string[]>(() => {}) });
    expect(await stuck(hook('https://hooks.example.com/in'), content, 'dl_12b')).toMatchObject({ outcome: 'retry', code: 'webhook_timeout' });
   }, 5_000);

  it('reads at most maxResponseBytes of an endless answer, then drops the connection', async () => {
    let dropped!: () => void;
    const wasDropped = new Promise<void>((ok) => (dropped = ok));
    const endless = http.createServer((req, res) => {
      req.resume();
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      const chunk = Buffer.alloc(16 * 1024, 'x');
      const pump = (): void => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      res.on('close', dropped);
      pump();
    });
    await new Promise<void>((ok) => endless.listen(0, '127.0.0.1', ok));
    try {
      const port = (endless.address() as AddressInfo).port;
      const a = await createWebhookSender({ hubOrigins: [HUB], maxResponseBytes: 1024, timeoutMs: 30_000 })(hook(`http://127.0.0.1:${port}/`), content, 'dl_big');
      expect(a).toMatchObject({ outcome: 'retry', code: 'webhook_status_500' });
      expect(a.outcome === 'retry' && a.message.length).toBeLessThan(300);
      await wasDropped;
    } finally {
      endless.closeAllConnections();
      await new Promise<void>((ok) => endless.close(() => ok()));
    }
  }, 5_000);

  it('a refused connection is retried as unreachable', async () => {
    const gone = await startWebhookReceiver(SECRET);
    const url = gone.url;
    await gone.close();
    expect(await send()(hook(url), content, 'dl_13')).toMatchObject({ outcome: 'retry', code: 'webhook_unreachable' });
  });
});

describe('bodies', () => {
  it('slack: a section with the escaped title, body and link; never the codes', () => {
    const c = { ...content, title: 'Fix <b> & co', body: 'a > b && c < d', url: 'https://hub.example.com/t/1?a=1&b=2' };
    const b = webhookBody(c, 'slack');
    expect(b).toEqual({
      text: 'Fix &lt;b&gt; &amp; co',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*Fix &lt;b&gt; &amp; co*\na &gt; b &amp;&amp; c &lt; d\n<https://hub.example.com/t/1?a=1&amp;b=2|Open the thread>' } }],
    });
    expect(JSON.stringify(b)).not.toContain('SECRETCODE');
  });

  it('json: the public fields only, never the action codes or tag', () => {
    const b = webhookBody(content, 'json');
    expect(Object.keys(b).sort()).toEqual(['body', 'channel', 'created_at', 'id', 'message_id', 'request_id', 'thread_id', 'title', 'type', 'url']);
    expect(JSON.stringify(b)).not.toContain('SECRETCODE');
  });
});

describe('validateWebhookUrl', () => {
  const v = (url: string) => validateWebhookUrl(url, { hubOrigins: [HUB, 'http://127.0.0.1:8080'] });
  it('accepts ordinary http(s) URLs', () => {
    expect(v('https://hooks.slack.com/services/T/B/x')).toBeNull();
    expect(v('http://example.com:8081/in')).toBeNull();
    expect(v('http://127.0.0.1:9000/in')).toBeNull(); // private addresses are the sender's (and allowPrivate's) business
  });
  it('refuses other schemes, credentials, very long or unparsable URLs, and the hub itself', () => {
    expect(v('ftp://example.com/')).toMatch(/http/);
    expect(v('file:///etc/passwd')).toMatch(/http/);
    expect(v('https://user:pass@example.com/')).toMatch(/user name or password/);
    expect(v('https://user@example.com/')).toMatch(/user name or password/);
    expect(v(`https://example.com/${'a'.repeat(2048)}`)).toMatch(/2,048/);
    expect(v('not a url')).toMatch(/not a valid URL/);
    expect(v('https://hub.example.com/api/x')).toMatch(/this hub/);
    expect(v('https://HUB.example.com:443/')).toMatch(/this hub/);
    expect(v('http://localhost:8080/')).toMatch(/this hub/);
    expect(v('http://127.0.0.2:8080/')).toMatch(/this hub/);
    expect(v('http://[::1]:8080/')).toMatch(/this hub/);
    expect(v('http://0.0.0.0:8080/')).toMatch(/this hub/);
    expect(v('https://hub.example.com.:443/')).toMatch(/this hub/);
    expect(v('http://hub.example.com/')).toBeNull(); // another origin (port 80, http)
  });
});
