// The runner's one phoenix Socket and its one Channel (`channel:WS/CH`), adapted to what the
// client needs: typed observations of phoenix's callbacks, and a push that is sent now or not at
// all. Phoenix would buffer a push made while the channel is not joined and send it after the next
// join, ahead of runner_register and outside the outbox's order; `push` refuses instead. Policy
// (what a loss or a refusal means) lives in link.ts; reconnect backoff is phoenix's own timers.

import { Socket, type Channel, type Push } from 'phoenix';
import { WebSocket } from 'ws';
import { CHANNEL_EVENT_NAMES, type ChannelEventName, type RunnerDirectiveName } from '@pilothouse/protocol';
import { DIRECTIVE_NAMES } from './directives.js';
import { asError } from './errors.js';

export interface ConnectionObserver {
  joined(reply: unknown): void;
  joinRefused(response: unknown): void;
  /** The joined (or joining) channel is gone: socket closed, channel errored, join timed out. */
  lost(error: Error): void;
  /** A connection attempt or the open socket reported an error. */
  transportError(error: Error): void;
  /** The hub closed the channel without our leave: phoenix forgets a closed channel and never rejoins it. */
  ended(error: Error): void;
  event(name: ChannelEventName, payload: unknown): void;
  /** An event for this socket alone (no seq, not stored), e.g. `tunnel_open`. */
  directive(name: RunnerDirectiveName, payload: unknown): void;
}

export interface ConnectionOptions {
  /** The hub's base URL, http(s)://host:port. */
  url: string;
  token: string;
  topic: string;
  /** Evaluated at every (re)join, so a rejoin resumes from the latest seq. */
  joinPayload: () => object;
  /** Join, leave and control pushes; data pushes pass their own. */
  timeoutMs: number;
  reconnectAfterMs: (tries: number) => number;
  rejoinAfterMs: (tries: number) => number;
  heartbeatIntervalMs: number | undefined;
  observer: ConnectionObserver;
}

export interface PushHandlers {
  ok: (response: unknown) => void;
  error: (response: unknown) => void;
  timeout: () => void;
}

/** ws:// or wss:// endpoint for an http(s):// base; phoenix appends `/websocket`. */
export function socketEndpoint(baseUrl: string): string {
  const url = new URL('/socket', baseUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

/**
 * `ws` with a handshake timeout. Phoenix constructs its transport with (url, protocols) only, and a
 * hub that accepts TCP but never answers the upgrade (stopped, overloaded) would hold a reconnect forever.
 */
function webSocketWithHandshakeTimeout(handshakeTimeout: number) {
  return class HubWebSocket extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { handshakeTimeout });
    }
  };
}

export class HubConnection {
  readonly #socket: Socket;
  readonly #channel: Channel;
  readonly #opts: ConnectionOptions;
  #reconnects = 0;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #shutdown: Promise<void> | undefined;

  constructor(opts: ConnectionOptions) {
    this.#opts = opts;
    const { observer } = opts;
    this.#socket = new Socket(socketEndpoint(opts.url), {
      transport: webSocketWithHandshakeTimeout(opts.timeoutMs),
      params: { token: opts.token },
      timeout: opts.timeoutMs,
      reconnectAfterMs: opts.reconnectAfterMs,
      rejoinAfterMs: opts.rejoinAfterMs,
      ...(opts.heartbeatIntervalMs !== undefined ? { heartbeatIntervalMs: opts.heartbeatIntervalMs } : {}),
    });
    this.#socket.onError((err) => observer.transportError(asError(err, 'socket error')));
    this.#channel = this.#socket.channel(opts.topic, opts.joinPayload);
    for (const name of CHANNEL_EVENT_NAMES) this.#channel.on(name, (payload) => observer.event(name, payload));
    for (const name of DIRECTIVE_NAMES) this.#channel.on(name, (payload) => observer.directive(name, payload));
    this.#channel.onError((reason) => observer.lost(asError(reason, 'the connection to the hub was lost')));
    this.#channel.onClose(() => {
      if (this.#shutdown === undefined) observer.ended(new Error(`The hub closed ${opts.topic} without being asked to.`));
    });
    this.#channel
      .join(opts.timeoutMs)
      .receive('ok', (reply) => observer.joined(reply))
      .receive('error', (response) => observer.joinRefused(response))
      .receive('timeout', () => observer.lost(new Error(`the hub did not answer the join of ${opts.topic} within ${opts.timeoutMs} ms`)));
  }

  start(): void {
    this.#socket.connect();
  }

  /** Sends a push on the joined channel; false (and nothing sent or buffered) when it is not joined. */
  push(event: string, payload: object, timeoutMs: number, on: PushHandlers): boolean {
    if (this.#shutdown !== undefined || !this.#socket.isConnected() || !this.#channel.isJoined()) return false;
    const push: Push = this.#channel.push(event, payload, timeoutMs);
    push.receive('ok', on.ok).receive('error', on.error).receive('timeout', on.timeout);
    return true;
  }

  /** Replaces a socket that still looks open but is not trusted any more; the channel rejoins on the new one. */
  reconnect(): void {
    if (this.#shutdown !== undefined) return;
    this.#socket.disconnect();
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = setTimeout(() => {
      if (this.#shutdown === undefined) this.#socket.connect();
    }, this.#opts.reconnectAfterMs(++this.#reconnects));
  }

  /** The link is up again: the next forced reconnect starts its backoff afresh. */
  resetBackoff(): void {
    this.#reconnects = 0;
  }

  /** Leaves the channel (bounded by the control timeout) and disconnects for good. Idempotent. */
  shutdown(): Promise<void> {
    this.#shutdown ??= new Promise<void>((resolve) => {
      clearTimeout(this.#reconnectTimer);
      const disconnect = () => this.#socket.disconnect(() => resolve());
      // leave() also stops the channel's rejoin timer; it answers at once when not connected.
      this.#channel.leave(Math.min(this.#opts.timeoutMs, 1000)).receive('ok', disconnect).receive('timeout', disconnect);
    });
    return this.#shutdown;
  }
}
