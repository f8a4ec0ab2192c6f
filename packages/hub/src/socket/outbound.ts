// The outbound side of one socket: every byte the hub writes to a client goes through `Outbound`,
// which encodes frames, drops writes once the socket is no longer open, and closes a slow consumer
// (one whose unsent backlog exceeds maxBufferedBytes) instead of buffering without bound.
// `SocketSubscription` is a topic's handle on it (types.ts: Subscription).

import { encodeFrame, PHX, type Frame } from '@pilothouse/protocol';
import { WebSocket } from 'ws';
import type { Subscription } from './types.js';

/** The close codes the hub sends (RFC 6455 §7.4.1; 1009 "message too big" is sent by `ws` itself). */
export const CloseCode = {
  /** The client sent nothing, not even a heartbeat, for heartbeatTimeoutMs. */
  heartbeatTimeout: 1000,
  /** The hub is shutting down. */
  goingAway: 1001,
  /** The client does not read fast enough; it should reconnect and resume with `since`. */
  tryAgainLater: 1013,
} as const;

/** The TCP socket under the WebSocket: writes in one tick are corked into one writev; 'drain' wakes readers of the log. */
export interface Corkable {
  cork(): void;
  uncork(): void;
  once(event: 'drain', listener: () => void): unknown;
}

interface DrainWaiter {
  lowWater: number;
  resolve: () => void;
}

export class Outbound {
  #corked = false;
  /** Waiting for the backlog to fall to a low-water mark (replay pages, docs §12). */
  #drainWaiters: DrainWaiter[] = [];
  #drainArmed = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly maxBufferedBytes: number,
    /** Called when a write finds the backlog over the limit (the write is dropped); it closes the socket. */
    private readonly onSlowConsumer: (bufferedBytes: number) => void,
    private readonly raw: Corkable | null = null,
  ) {}

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** Bytes written to the socket and not yet sent to the client. */
  get bufferedBytes(): number {
    return this.ws.bufferedAmount;
  }

  /**
   * Resolves once the unsent backlog is at most `lowWater` bytes, or the socket is no longer open:
   * a reader of the log sends its next page only then (backpressure instead of buffering).
   */
  drained(lowWater: number): Promise<void> {
    if (!this.open || this.raw === null || this.ws.bufferedAmount <= lowWater) return Promise.resolve();
    return new Promise((resolve) => {
      this.#drainWaiters.push({ lowWater, resolve });
      this.#armDrain();
    });
  }

  /** Wakes every drain waiter whose mark is reached (all of them once the socket is not open). */
  wakeDrainWaiters(): void {
    const open = this.open;
    const buffered = this.ws.bufferedAmount;
    const still: DrainWaiter[] = [];
    for (const w of this.#drainWaiters) {
      if (!open || buffered <= w.lowWater) w.resolve();
      else still.push(w);
    }
    this.#drainWaiters = still;
    if (still.length > 0) this.#armDrain();
  }

  #armDrain(): void {
    if (this.#drainArmed || this.raw === null) return;
    this.#drainArmed = true;
    // 'drain' fires once the kernel took the whole backlog (a write over the high-water mark armed it).
    this.raw.once('drain', () => {
      this.#drainArmed = false;
      this.wakeDrainWaiters();
    });
  }

  sendFrame(frame: Frame): void {
    if (this.open) this.sendText(encodeFrame(frame));
  }

  sendText(text: string): void {
    if (!this.open) return;
    // A backlog over the limit means the client stopped keeping up; one large frame alone never does.
    if (this.ws.bufferedAmount > this.maxBufferedBytes) {
      this.onSlowConsumer(this.ws.bufferedAmount);
      return;
    }
    // A group-commit batch publishes many events in one tick: one syscall per socket, not per frame.
    if (this.raw && !this.#corked) {
      this.#corked = true;
      this.raw.cork();
      process.nextTick(() => {
        this.#corked = false;
        this.raw?.uncork();
      });
    }
    this.ws.send(text);
  }

  close(code: number, reason: string): void {
    if (this.ws.readyState === WebSocket.CONNECTING || this.ws.readyState === WebSocket.OPEN) {
      this.ws.close(code, reason);
    }
    this.wakeDrainWaiters();
  }

  terminate(): void {
    this.ws.terminate();
    this.wakeDrainWaiters();
  }
}

/** One socket's membership in one topic. Inert once ended (left, re-joined) or the socket is closing. */
export class SocketSubscription implements Subscription {
  #ended = false;

  constructor(
    readonly socketId: string,
    readonly topic: string,
    readonly joinRef: string | null,
    private readonly out: Outbound,
  ) {}

  get closed(): boolean {
    return this.#ended || !this.out.open;
  }

  end(): void {
    this.#ended = true;
  }

  push(event: string, payload: unknown): void {
    if (!this.closed) this.out.sendFrame({ joinRef: null, ref: null, topic: this.topic, event, payload });
  }

  sendRaw(text: string): void {
    if (!this.closed) this.out.sendText(text);
  }

  drained(lowWater: number): Promise<void> {
    return this.out.drained(lowWater);
  }

  /** Phoenix's server-initiated end of a join: `[join_ref, join_ref, topic, "phx_close" | "phx_error", {}]`. */
  sendTermination(event: typeof PHX.close | typeof PHX.error): void {
    this.out.sendFrame({ joinRef: this.joinRef, ref: this.joinRef, topic: this.topic, event, payload: {} });
  }
}
