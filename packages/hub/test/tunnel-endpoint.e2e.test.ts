// The tunnel endpoint against bad dials: the "runner" here is the real hub client whose
// tunnel_open directives the test answers by hand, so each wrong dial can be tried on a live
// pending stream and shown to leave it undisturbed.

import { request, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectHub, createTunnelClient, memoryCursor, type HubClient } from '@pilothouse/runner';
import { PREVIEW_COOKIE, TUNNEL_ERROR_HEADER, TUNNEL_PATH, TUNNEL_SECRET_HEADER, TUNNEL_STREAM_HEADER, TUNNEL_UPGRADE, type TunnelOpen } from '@pilothouse/protocol';
import { startDevServer } from './dev-server.js';
import { previewId, silent, startWorld, type Reply, type World } from './preview-world.js';
import { digest, newToken } from '../src/auth/secrets.js';

/** The directives received, awaitable by predicate. */
class Recorder<T> {
  readonly items: T[] = [];
  #waiters: { pred: (items: readonly T[]) => boolean; resolve: () => void }[] = [];
  add(item: T): void {
    this.items.push(item);
    this.#waiters = this.#waiters.filter((w) => (w.pred(this.items) ? (w.resolve(), false) : true));
  }
  until(pred: (items: readonly T[]) => boolean): Promise<void> {
    if (pred(this.items)) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ pred, resolve }));
  }
}

let world: World;
let client: HubClient;
const opens = new Recorder<TunnelOpen>();
let id: string;
let cookie: string;
let threadId: string;

beforeAll(async () => {
  world = await startWorld({ streamTimeoutMs: 2000 });
  client = await connectHub({
    url: world.hub.url,
    token: world.tokens.alice!,
    channel: 'acme/agents',
    cursor: memoryCursor(),
    runner: { runner_id: 'hand-runner', instance_id: randomUUID(), name: 'laptop', cwd: '/work', agent: { name: 'codex', version: '0' }, capabilities: [] },
    logger: silent,
    onEvent: () => {},
    onDirective: (d) => opens.add(d.payload),
  });
  const root = await client.push('post_row', { client_id: 'root', kind: 'session', body: 'Session' });
  threadId = root.thread_id;
  id = previewId();
  await client.push('preview_open', { preview_id: id, port: 5173, thread_id: root.thread_id });
  cookie = await world.signIn(id, 'alice');
});
afterAll(async () => {
  await client.close();
  await world.close();
});

type Dial = { status: number; socket?: Socket };

function dial(headers: Record<string, string>): Promise<Dial> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: world.hub.port, path: TUNNEL_PATH, headers: { Connection: 'Upgrade', Upgrade: TUNNEL_UPGRADE, ...headers }, agent: false });
    req.once('upgrade', (res: IncomingMessage, socket: Socket, head: Buffer) => {
      if (head.length > 0) socket.unshift(head); // the proxied request may ride in the same segment as the 101
      resolve({ status: res.statusCode ?? 0, socket });
    });
    req.once('response', (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0 });
    });
    req.once('error', reject);
    req.end();
  });
}

const auth = (who: string) => ({ Authorization: `Bearer ${world.tokens[who]!}` });
const streamHeaders = (o: TunnelOpen, secret = o.secret) => ({ [TUNNEL_STREAM_HEADER]: o.stream_id, [TUNNEL_SECRET_HEADER]: secret });

/** A browser request to the preview; resolves when the hub answers it. */
const browse = (path: string): Promise<Reply> => world.send({ path, headers: { Host: world.hostOf(id), Cookie: `${PREVIEW_COOKIE}=${cookie}`, Accept: 'application/json' } });

/** Plays the dev server on an accepted tunnel socket: reads the request head, answers `body`. */
function answer(socket: Socket, body: string): Promise<string> {
  return answerRaw(socket, `HTTP/1.1 200 OK\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/** Like `answer`, with the whole response given as bytes (latin1). */
function answerRaw(socket: Socket, response: string): Promise<string> {
  return new Promise((resolve) => {
    let head = '';
    socket.on('data', (c: Buffer) => {
      head += String(c);
      if (!head.includes('\r\n\r\n')) return;
      socket.end(Buffer.from(response, 'latin1'));
      resolve(head);
    });
  });
}

describe('tunnel endpoint', () => {
  it('refuses bad dials without disturbing the pending stream, then accepts the right one once', async () => {
    const from = opens.items.length;
    const page = browse('/through?x=1');
    await opens.until((items) => items.length > from);
    const open = opens.items[from]!;
    expect(open).toMatchObject({ preview_id: id, port: 5173 });

    expect((await dial(streamHeaders(open))).status).toBe(401); // no credentials
    expect((await dial({ ...auth('alice'), ...streamHeaders(open, 'x'.repeat(43)) })).status).toBe(401); // wrong secret
    expect((await dial({ ...auth('bob'), ...streamHeaders(open) })).status).toBe(403); // another user's token
    expect((await dial({ ...auth('alice'), [TUNNEL_STREAM_HEADER]: 'nosuchstream1', [TUNNEL_SECRET_HEADER]: open.secret })).status).toBe(404);
    expect((await dial({ ...auth('alice') })).status).toBe(400); // no stream headers
    expect((await dial({ ...auth('alice'), ...streamHeaders(open), Upgrade: 'websocket' })).status).toBe(400);
    expect((await dial({ Authorization: 'Bearer ph_forged', ...streamHeaders(open) })).status).toBe(401);
    // alice's own token, but scoped member: not a runner credential
    const memberToken = newToken();
    await world.hub.store.createToken({ userId: world.users.alice!, tokenHash: digest(memberToken), label: 'scripts', scope: 'member' });
    expect((await dial({ Authorization: `Bearer ${memberToken}`, ...streamHeaders(open) })).status).toBe(403);

    const accepted = await dial({ ...auth('alice'), ...streamHeaders(open) });
    expect(accepted.status).toBe(101);
    const head = await answer(accepted.socket!, 'through the tunnel');
    expect(head).toMatch(/^GET \/through\?x=1 HTTP\/1\.1\r\n/);
    expect(head).toContain('Host: localhost:5173\r\n');
    expect(await page).toMatchObject({ status: 200, body: 'through the tunnel' });

    // the secret was single use
    expect((await dial({ ...auth('alice'), ...streamHeaders(open) })).status).toBe(404);
    // a browser session cookie is not a runner credential
    const login = await world.send({ method: 'POST', path: '/api/login', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'alice', password: 'pw' }) });
    const session = login.headers['set-cookie']![0]!.split(';')[0]!;
    expect((await dial({ Cookie: session, ...streamHeaders(open) })).status).toBe(401);
  });

  it('a dial that reports an error answers the browser at once: connection_refused → 502, port_not_approved → 403', async () => {
    for (const [error, status, code] of [
      ['connection_refused', 502, 'upstream_refused'],
      ['port_not_approved', 403, 'forbidden'],
      ['something_else', 502, 'upstream_refused'],
    ] as const) {
      const from = opens.items.length;
      const page = browse('/');
      await opens.until((items) => items.length > from);
      const reported = await dial({ ...auth('alice'), ...streamHeaders(opens.items[from]!), [TUNNEL_ERROR_HEADER]: error });
      expect(reported.status).toBe(204);
      const res = await page;
      expect(res.status).toBe(status);
      expect(JSON.parse(res.body)).toMatchObject({ code });
    }
  });

  it('no stream within the timeout: 503 preview_unavailable, and the late dial finds nothing', async () => {
    const from = opens.items.length;
    const res = await browse('/late');
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body)).toMatchObject({ code: 'preview_unavailable' });
    const late = opens.items[from]!;
    expect((await dial({ ...auth('alice'), ...streamHeaders(late) })).status).toBe(404);
  });

  it('a dev server status line Node cannot repeat (status < 100, control bytes in the reason) is answered, not thrown', async () => {
    for (const [statusLine, status, reason] of [
      ['HTTP/1.1 099 Odd', 502, 'Bad Gateway'],
      ['HTTP/1.1 000 Zero', 502, 'Bad Gateway'],
      ['HTTP/1.1 200 O\x01K', 200, 'OK'],
      ['HTTP/1.1 404 Not\x7fFound\x00', 404, 'Not Found'],
    ] as const) {
      const from = opens.items.length;
      const page = world.open({ path: '/odd', headers: { Host: world.hostOf(id), Cookie: `${PREVIEW_COOKIE}=${cookie}`, Accept: 'application/json' } });
      await opens.until((items) => items.length > from);
      const accepted = await dial({ ...auth('alice'), ...streamHeaders(opens.items[from]!) });
      expect(accepted.status).toBe(101);
      await answerRaw(accepted.socket!, `${statusLine}\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok`);
      const res = await page;
      res.resume();
      expect([res.statusCode, res.statusMessage], statusLine).toEqual([status, reason]);
    }
  });

  it('the runner\'s tunnel client: a port revoked while it connects to the dev server is not served', async () => {
    const dev = await startDevServer();
    const pid = previewId();
    await client.push('preview_open', { preview_id: pid, port: dev.port, thread_id: threadId });
    const c = await world.signIn(pid, 'alice');
    // Approved when asked first; the revocation (the runner's preview_close, still on its way to
    // the hub) lands right after that check, while the dev connection is being made.
    let approved = true;
    const tunnel = createTunnelClient({
      hubUrl: world.hub.url,
      token: world.tokens.alice!,
      logger: silent,
      isApproved: () => {
        const was = approved;
        approved = false;
        tunnel.closePreview(pid);
        return was;
      },
    });
    try {
      const from = opens.items.length;
      const page = world.send({ path: '/revoked', headers: { Host: world.hostOf(pid), Cookie: `${PREVIEW_COOKIE}=${c}`, Accept: 'application/json' } });
      await opens.until((items) => items.length > from);
      tunnel.handle(opens.items[from]!);
      const res = await page;
      expect(res.status).toBe(403);
      expect(JSON.parse(res.body)).toMatchObject({ code: 'forbidden' });
      expect(dev.seen).toEqual([]);
    } finally {
      tunnel.closeAll();
      await dev.close();
    }
  });
});
