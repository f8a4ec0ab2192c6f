// One preview's live connections: a keep-alive http.Agent whose connections are tunnel streams
// (its createConnection asks the runner for a stream and hands over the raw socket, see Node's
// `agent.createConnection(options, callback)`), plus every stream handed out for upgrades. A link
// lives while its preview is served; destroying it closes every socket at once.

import { Agent, type ClientRequestArgs } from 'node:http';
import type { Duplex } from 'node:stream';
import { PilothouseError } from '@pilothouse/protocol';

export interface LinkLimits {
  /** Streams one preview may hold at once (pooled, in use, upgraded). */
  maxStreams: number;
  /** Idle keep-alive streams kept for reuse. */
  maxFreeStreams: number;
}

export const DEFAULT_LINK_LIMITS: LinkLimits = { maxStreams: 256, maxFreeStreams: 32 };

export class PreviewLink {
  readonly agent: Agent;
  readonly #open: () => Promise<Duplex>;
  readonly #limits: LinkLimits;
  readonly #sockets = new Set<Duplex>();
  #destroyed = false;
  /** Streams the runner delivered, since the link was made (for stats and tests). */
  #opened = 0;

  constructor(open: () => Promise<Duplex>, limits: LinkLimits = DEFAULT_LINK_LIMITS) {
    this.#open = open;
    this.#limits = limits;
    this.agent = new Agent({ keepAlive: true, scheduling: 'lifo', maxFreeSockets: limits.maxFreeStreams });
    this.agent.createConnection = (_options: ClientRequestArgs, callback?: (err: Error | null, stream: Duplex) => void) => {
      this.stream().then(
        (socket) => {
          // The HTTP client needs no half-close: when the dev server ends a keep-alive connection,
          // the stream must close and leave the pool (the hub's server sockets allow half-open).
          socket.allowHalfOpen = false;
          callback?.(null, socket);
        },
        (err: unknown) => callback?.(err instanceof Error ? err : new Error(String(err)), undefined as unknown as Duplex),
      );
      return undefined; // the socket arrives through the callback
    };
  }

  get destroyed(): boolean {
    return this.#destroyed;
  }

  stats(): { streams: number; opened: number } {
    return { streams: this.#sockets.size, opened: this.#opened };
  }

  /** A fresh tunnel stream, tracked until it closes. */
  async stream(): Promise<Duplex> {
    if (this.#destroyed) throw gone();
    if (this.#sockets.size >= this.#limits.maxStreams) {
      throw new PilothouseError('preview_unavailable', `This preview already has ${this.#limits.maxStreams} open connections.`);
    }
    const socket = await this.#open();
    if (this.#destroyed) {
      socket.destroy();
      throw gone();
    }
    this.#opened++;
    this.#sockets.add(socket);
    socket.once('close', () => this.#sockets.delete(socket));
    return socket;
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.agent.destroy();
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
  }
}

const gone = () => new PilothouseError('preview_unavailable', 'The preview stopped being served.');
