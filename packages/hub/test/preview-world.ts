// Test support for previews: a real hub in-process (temp SQLite), a runner made of the real hub
// client (connectHub) and the real tunnel client, and helpers that act as a browser on the preview
// host. Node may not resolve `*.localhost`, so every preview request goes to 127.0.0.1 with the
// preview's Host header set explicitly.

import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request, type Agent, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { connectHub, createTunnelClient, memoryCursor, type HubClient, type TunnelClient } from '@pilothouse/runner';
import { PREVIEW_COOKIE, type PreviewGrantReply } from '@pilothouse/protocol';
import { startHub, type RunningHub } from '../src/hub.js';
import { Store } from '../src/store/store.js';
import { seedStore } from './hub-process.js';

export const silent = pino({ level: 'silent' });

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
  body: string;
}

export interface World {
  hub: RunningHub;
  dataDir: string;
  tokens: Record<string, string>;
  users: Record<string, string>;
  hostOf(previewId: string): string;
  originOf(previewId: string): string;
  /** A request to the hub at 127.0.0.1 with `headers` (Host included, when given). */
  send(opts: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer; agent?: Agent | false }): Promise<Reply>;
  /** Like `send`, but resolves at the response head with the live response. */
  open(opts: { method?: string; path: string; headers?: Record<string, string>; agent?: Agent | false }): Promise<IncomingMessage>;
  /** The grant API as `who` (token auth). */
  grant(previewId: string, who: string, next?: string): Promise<Reply>;
  /** Grant + exchange: the preview cookie's value for `who`. */
  signIn(previewId: string, who: string): Promise<string>;
  close(): Promise<void>;
}

export async function startWorld(opts: { streamTimeoutMs?: number } = {}): Promise<World> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ph-previews-'));
  const seeding = await Store.open({ kind: 'sqlite', dataDir });
  const { tokens, users } = await seedStore(seeding, ['alice', 'bob', 'carol']);
  await seeding.close();
  const hub = await startHub({
    host: '127.0.0.1',
    port: 0,
    store: { kind: 'sqlite', dataDir },
    logger: silent,
    webRoot: null,
    ...(opts.streamTimeoutMs !== undefined ? { previewStreamTimeoutMs: opts.streamTimeoutMs } : {}),
  });
  const hostOf = (id: string) => `${id}.preview.localhost:${hub.port}`;

  const open: World['open'] = ({ method = 'GET', path, headers = {}, agent = false }) =>
    new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: hub.port, method, path, headers, agent, setHost: !Object.keys(headers).some((h) => h.toLowerCase() === 'host') });
      req.once('response', resolve);
      req.once('error', reject);
      req.end();
    });

  const send: World['send'] = ({ method = 'GET', path, headers = {}, body, agent = false }) =>
    new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: hub.port, method, path, headers, agent, setHost: !Object.keys(headers).some((h) => h.toLowerCase() === 'host') });
      req.once('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.once('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks).toString('utf8') }));
        res.once('error', reject);
      });
      req.once('error', reject);
      req.end(body);
    });

  const world: World = {
    hub,
    dataDir,
    tokens,
    users,
    hostOf,
    originOf: (id) => `http://${hostOf(id)}`,
    send,
    open,
    grant: (previewId, who, next) =>
      send({
        method: 'POST',
        path: `/api/previews/${previewId}/grant`,
        headers: { Authorization: `Bearer ${tokens[who]!}`, ...(next !== undefined ? { 'Content-Type': 'application/json' } : {}) },
        ...(next !== undefined ? { body: JSON.stringify({ next }) } : {}),
      }),
    async signIn(previewId, who) {
      const granted = await world.grant(previewId, who);
      if (granted.status !== 200) throw new Error(`grant refused: ${granted.status} ${granted.body}`);
      const url = new URL((JSON.parse(granted.body) as PreviewGrantReply).url);
      const exchanged = await send({ path: url.pathname + url.search, headers: { Host: url.host } });
      const cookie = cookieValue(exchanged.headers['set-cookie']);
      if (exchanged.status !== 200 || cookie === null) throw new Error(`exchange refused: ${exchanged.status} ${exchanged.body}`);
      return cookie;
    },
    async close() {
      await hub.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return world;
}

/** Where the grant exchange's bounce page navigates (its meta refresh), or null. */
export function bounceTarget(reply: Pick<Reply, 'body'>): string | null {
  return /<meta http-equiv="refresh" content="0; url=([^"]*)">/.exec(reply.body)?.[1] ?? null;
}

export function cookieValue(setCookie: string[] | undefined): string | null {
  const line = setCookie?.find((c) => c.startsWith(`${PREVIEW_COOKIE}=`));
  return line ? line.slice(PREVIEW_COOKIE.length + 1).split(';')[0]! : null;
}

export interface FakeRunner {
  client: HubClient;
  tunnel: TunnelClient;
  threadId: string;
  /** preview id → approved port */
  approved: Map<string, number>;
  openPreview(previewId: string, port: number): Promise<{ preview_id: string; url: string }>;
  closePreview(previewId: string, reason?: 'revoked' | 'process_exited' | 'runner_closed'): Promise<void>;
  close(): Promise<void>;
}

/** A runner as the runner shell wires it: connectHub + runner_register, directives to the real tunnel client. */
export async function startRunner(world: World, who = 'alice', runnerId = `runner-${randomUUID().slice(0, 8)}`): Promise<FakeRunner> {
  const approved = new Map<string, number>();
  const tunnel = createTunnelClient({ hubUrl: world.hub.url, token: world.tokens[who]!, logger: silent, isApproved: (id, port) => approved.get(id) === port });
  const client = await connectHub({
    url: world.hub.url,
    token: world.tokens[who]!,
    channel: 'acme/agents',
    cursor: memoryCursor(),
    runner: { runner_id: runnerId, instance_id: randomUUID(), name: 'laptop', cwd: '/work', agent: { name: 'codex', version: '0.0.0' }, capabilities: [] },
    logger: silent,
    onEvent: () => {},
    onDirective: (d) => {
      if (d.type === 'tunnel_open') tunnel.handle(d.payload);
    },
    reconnectAfterMs: () => 20,
    rejoinAfterMs: () => 20,
  });
  const root = await client.push('post_row', { client_id: `root-${runnerId}`, kind: 'session', body: 'Session in /work' });
  return {
    client,
    tunnel,
    threadId: root.thread_id,
    approved,
    async openPreview(previewId, port) {
      approved.set(previewId, port);
      return client.push('preview_open', { preview_id: previewId, port, thread_id: root.thread_id });
    },
    async closePreview(previewId, reason = 'revoked') {
      approved.delete(previewId);
      tunnel.closePreview(previewId);
      await client.push('preview_close', { preview_id: previewId, reason });
    },
    async close() {
      tunnel.closeAll();
      await client.close();
    },
  };
}

export const previewId = () => `p${randomUUID().replace(/-/g, '').slice(0, 15)}`;
