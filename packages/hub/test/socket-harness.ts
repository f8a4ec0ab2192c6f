// Test support for the socket layer tests (src/socket/*.test.ts): a real HTTP server on port 0 with
// the socket server mounted at /socket/websocket, an in-test "echo:*" topic whose behaviour each
// test steers through its payloads, a captured pino log, and event-driven helpers to await things.

import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setImmediate as nextTick } from 'node:timers/promises';
import { encodeFrame, PilothouseError } from '@pilothouse/protocol';
import { Socket, type Push, type PushStatus, type SocketOptions } from 'phoenix';
import { pino } from 'pino';
import { WebSocket } from 'ws';
import { createSocketServer, type SocketServer, type SocketServerOptions } from '../src/socket/server.js';
import type { Principal, TopicHandler, TopicRouter, TopicSession } from '../src/socket/types.js';

export type LogLine = Record<string, unknown>;

/** What the echo topic saw, in order; tests await entries instead of sleeping. */
export type TopicRecord =
  | { kind: 'join'; topic: string; joinRef: string | null; user: string }
  | { kind: 'afterJoin'; topic: string; joinRef: string | null }
  | { kind: 'leave'; topic: string; joinRef: string | null; reason: 'leave' | 'rejoin' | 'closed' }
  | { kind: 'floodEnded'; topic: string; closed: boolean };

export const USERS: Record<string, Principal> = {
  'alice-token': { userId: 'u-alice', name: 'alice', admin: false, via: 'token', scope: 'runner', tokenId: 't-alice' },
  'bob-token': { userId: 'u-bob', name: 'bob', admin: false, via: 'token', scope: 'runner', tokenId: 't-bob' },
};

const TOKEN_PROTOCOL_PREFIX = 'base64url.bearer.phx.';

/** Reads `?token=` or the phoenix client's `base64url.bearer.phx.<token>` subprotocol entry. */
function tokenOf(req: IncomingMessage): string | null {
  const query = new URL(req.url ?? '/', 'http://localhost').searchParams.get('token');
  if (query) return query;
  const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  const entry = offered.find((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX));
  return entry ? Buffer.from(entry.slice(TOKEN_PROTOCOL_PREFIX.length), 'base64url').toString('utf8') : null;
}

/** Named barriers a test opens to let a waiting join or push continue. */
class Gates {
  readonly #gates = new Map<string, { promise: Promise<void>; open: () => void }>();
  #get(name: string) {
    let gate = this.#gates.get(name);
    if (!gate) {
      let open = () => {};
      const promise = new Promise<void>((resolve) => (open = resolve));
      gate = { promise, open };
      this.#gates.set(name, gate);
    }
    return gate;
  }
  wait(name: string): Promise<void> {
    return this.#get(name).promise;
  }
  open(name: string): void {
    this.#get(name).open();
  }
}

/** An append-only list whose entries can be awaited by predicate. */
export class Recorder<T> {
  readonly items: T[] = [];
  #waiters: Array<{ pred: (item: T) => boolean; resolve: (item: T) => void }> = [];
  add(item: T): void {
    this.items.push(item);
    for (const w of this.#waiters.filter((w) => w.pred(item))) w.resolve(item);
    this.#waiters = this.#waiters.filter((w) => !w.pred(item));
  }
  waitFor<S extends T>(pred: (item: T) => item is S): Promise<S>;
  waitFor(pred: (item: T) => boolean): Promise<T>;
  waitFor(pred: (item: T) => boolean): Promise<T> {
    const seen = this.items.find(pred);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve) => this.#waiters.push({ pred, resolve }));
  }
}

const field = (payload: unknown, key: string): unknown =>
  typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>)[key] : undefined;

function echoRouter(records: Recorder<TopicRecord>, gates: Gates): TopicRouter {
  const failedOnce = new Set<string>();
  const handler: TopicHandler = {
    async join({ principal, topic, payload, sub }) {
      let afterJoinFails = false;
      if (field(payload, 'refuse') === true) throw new PilothouseError('forbidden', 'echo refuses you');
      if (field(payload, 'crash') === true) throw new Error('join exploded: secret detail');
      if (field(payload, 'afterJoinFailsOnce') === true && !failedOnce.has(topic)) {
        failedOnce.add(topic);
        afterJoinFails = true;
      }
      const gate = field(payload, 'gate');
      if (typeof gate === 'string') await gates.wait(gate);
      records.add({ kind: 'join', topic, joinRef: sub.joinRef, user: principal.name });
      const session: TopicSession = {
        async afterJoin() {
          records.add({ kind: 'afterJoin', topic, joinRef: sub.joinRef });
          sub.push('after_join', { joinRef: sub.joinRef });
          if (afterJoinFails) throw new Error('replay failed');
        },
        async handle(event, body) {
          switch (event) {
            case 'echo':
              return body;
            case 'nothing':
              return undefined;
            case 'unencodable':
              return { n: 1n };
            case 'fail':
              throw new PilothouseError('invalid_payload', 'bad echo payload', { field: 'x' });
            case 'crash':
              throw new Error('secret stack detail');
            case 'slow':
              await gates.wait(String(field(body, 'gate')));
              return { slow: true };
            case 'shout':
              sub.push('shouted', body);
              sub.sendRaw(encodeFrame({ joinRef: null, ref: null, topic, event: 'shouted_raw', payload: body }));
              return {};
            case 'flood': {
              const blob = 'x'.repeat(Number(field(body, 'bytes') ?? 65536));
              for (let i = 0; i < 100_000 && !sub.closed; i++) {
                sub.push('flood', { i, blob });
                await nextTick();
              }
              records.add({ kind: 'floodEnded', topic, closed: sub.closed });
              return {};
            }
            default:
              throw new PilothouseError('unknown_event', `echo has no event ${event}`);
          }
        },
        leave(reason) {
          records.add({ kind: 'leave', topic, joinRef: sub.joinRef, reason });
        },
      };
      const reply = field(payload, 'unencodableReply') === true ? { n: 1n } : { topic, user: principal.name, joinRef: sub.joinRef };
      return { reply, session };
    },
  };
  return (topic) => (topic.startsWith('echo:') ? handler : null);
}

export interface TestHub {
  port: number;
  /** The endpoint the phoenix client takes (it appends /websocket). */
  endpoint: string;
  /** A full socket URL for raw clients. */
  wsUrl(query?: string): string;
  server: SocketServer;
  records: Recorder<TopicRecord>;
  logs: Recorder<LogLine>;
  gates: Gates;
  authCalls: number;
  stop(): Promise<void>;
}

function toLogLine(raw: unknown): LogLine {
  if (typeof raw !== 'object' || raw === null) throw new Error(`not a pino line: ${String(raw)}`);
  return raw as LogLine;
}

export async function startHub(overrides: Partial<SocketServerOptions> = {}): Promise<TestHub> {
  const records = new Recorder<TopicRecord>();
  const logs = new Recorder<LogLine>();
  const gates = new Gates();
  const logger = pino({ level: 'debug' }, { write: (line: string) => logs.add(toLogLine(JSON.parse(line))) });
  const hub = { authCalls: 0 };
  const server = createSocketServer({
    logger,
    router: echoRouter(records, gates),
    async authenticate(req) {
      hub.authCalls++;
      const principal = USERS[tokenOf(req) ?? ''];
      if (!principal) throw new PilothouseError('unauthorized', 'Unknown token.');
      return principal;
    },
    ...overrides,
  });
  const http = createServer((_req, res) => res.writeHead(404).end());
  http.on('upgrade', (req: IncomingMessage, socket, head: Buffer) => {
    if (new URL(req.url ?? '/', 'http://localhost').pathname === '/socket/websocket') {
      server.handleUpgrade(req, socket, head);
    } else {
      socket.destroy();
    }
  });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  const { port } = http.address() as AddressInfo;
  return Object.assign(hub, {
    port,
    endpoint: `ws://127.0.0.1:${port}/socket`,
    wsUrl: (query = 'vsn=2.0.0&token=alice-token') => `ws://127.0.0.1:${port}/socket/websocket?${query}`,
    server,
    records,
    logs,
    gates,
    async stop() {
      await server.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  });
}

/** A Phoenix V2 frame as it crossed the wire. */
export type WireFrame = [string | null, string | null, string, string, unknown];

function toWireFrame(raw: unknown): WireFrame {
  if (!Array.isArray(raw) || raw.length !== 5) throw new Error(`not a Phoenix V2 frame: ${JSON.stringify(raw)}`);
  return raw as WireFrame;
}

/** A bare `ws` client that sends whatever a test wants and lets it await the frames that come back. */
export class RawClient {
  readonly frames = new Recorder<WireFrame>();
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => this.frames.add(toWireFrame(JSON.parse(data.toString('utf8')))));
    this.closed = new Promise((resolve) =>
      ws.once('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })),
    );
  }

  static async open(url: string, protocols?: string[]): Promise<RawClient> {
    const ws = new WebSocket(url, protocols);
    await once(ws, 'open');
    return new RawClient(ws);
  }

  send(frame: WireFrame | string | Buffer, binary = false): void {
    this.ws.send(typeof frame === 'string' || Buffer.isBuffer(frame) ? frame : JSON.stringify(frame), { binary });
  }

  /** The reply to the frame sent with `ref` (all replies are recorded, so order of awaiting is free). */
  reply(ref: string | null, topic?: string): Promise<WireFrame> {
    return this.frames.waitFor((f) => f[3] === 'phx_reply' && f[1] === ref && (topic === undefined || f[2] === topic));
  }

  /** Sends a heartbeat and resolves with its reply. */
  heartbeat(ref: string): Promise<WireFrame> {
    this.send([null, ref, 'phoenix', 'heartbeat', {}]);
    return this.reply(ref, 'phoenix');
  }

  close(): void {
    this.ws.close();
  }
}

/** Resolves with whatever a phoenix Push receives first: ok, error or timeout. */
export function settle(push: Push): Promise<{ status: PushStatus; response: unknown }> {
  return new Promise((resolve) => {
    for (const status of ['ok', 'error', 'timeout'] as const) {
      push.receive(status, (response) => resolve({ status, response }));
    }
  });
}

/** Connects the official client (Node 20 has no global WebSocket, so `ws` is the transport). */
export async function connectPhoenix(hub: TestHub, opts: SocketOptions = {}): Promise<Socket> {
  const socket = new Socket(hub.endpoint, {
    transport: WebSocket,
    params: { token: 'alice-token' },
    // Tests that want reconnects or rejoins say so; by default neither interferes.
    reconnectAfterMs: () => 60_000,
    rejoinAfterMs: () => 60_000,
    ...opts,
  });
  const opened = new Promise<void>((resolve) => socket.onOpen(resolve));
  socket.connect();
  await opened;
  return socket;
}

export function disconnectPhoenix(socket: Socket): Promise<void> {
  return new Promise((resolve) => socket.disconnect(resolve));
}
