// One client socket speaking Phoenix Channels V2: its joined topics, and the meaning of each frame
// (heartbeat, phx_join, phx_leave, pushes). Frames are handled as they arrive, so a slow push never
// delays a heartbeat or another push, and replies may complete in any order (the client matches
// them by ref). Only a topic's join is a barrier: frames for a topic whose join is in flight wait
// for it, as they would behind Phoenix's synchronous join. Nothing a topic throws escapes this class.
// Phoenix references: phoenix/assets/js/phoenix/{channel,push,socket}.js and Phoenix.Socket.

import type { SocketMeter } from '../metrics/metrics.js';
import { encodeFrame, PHX, PilothouseError, replyFrame, toPilothouseError, type Frame } from '@pilothouse/protocol';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import { readInbound, type Address } from './inbound.js';
import { CloseCode, Outbound, SocketSubscription, type Corkable } from './outbound.js';
import type { Principal, TopicRouter, TopicSession } from './types.js';
import type { Admission } from '../limits/admission.js';

export interface ConnectionLimits {
  maxFrameBytes: number;
  maxBufferedBytes: number;
}

type TopicState =
  | { status: 'joining'; joinRef: string | null; sub: SocketSubscription; waiting: Frame[] }
  | { status: 'joined'; joinRef: string | null; sub: SocketSubscription; session: TopicSession };

/** Frames a client may pipeline behind one join still in flight; more are refused with not_joined. */
const MAX_WAITING_PER_JOIN = 64;

export interface ConnectionOptions {
  id: string;
  ws: WebSocket;
  principal: Principal;
  router: TopicRouter;
  logger: Logger;
  limits: ConnectionLimits;
  /** The upgraded TCP socket, corked per tick by the outbound writer. */
  raw?: Corkable | null;
  /** Rate limits on joins (pushes are limited by their topic); none when null. */
  admission?: Admission | null;
  /** Counts joins, pushes and error replies; none when null. */
  meter?: SocketMeter | null;
}

export class Connection {
  readonly id: string;
  /** Resolves when the underlying socket has fully closed. */
  readonly closed: Promise<void>;
  readonly #topics = new Map<string, TopicState>();
  readonly #principal: Principal;
  readonly #router: TopicRouter;
  readonly #limits: ConnectionLimits;
  readonly #out: Outbound;
  readonly #log: Logger;
  readonly #admission: Admission | null;
  readonly #meter: SocketMeter | null;
  #lastFrameAt = Date.now();
  #disposed = false;
  /** When the hub started closing this socket (Date.now()); null while it is open. */
  #closingSince: number | null = null;

  constructor({ id, ws, principal, router, logger, limits, raw = null, admission = null, meter = null }: ConnectionOptions) {
    this.id = id;
    this.#admission = admission;
    this.#meter = meter;
    this.#principal = principal;
    this.#router = router;
    this.#limits = limits;
    this.#log = logger.child({ socketId: id, userId: principal.userId });
    this.#out = new Outbound(ws, limits.maxBufferedBytes, (buffered) => {
      this.#log.warn({ bufferedBytes: buffered, limit: limits.maxBufferedBytes }, 'slow consumer; closing socket');
      this.close(CloseCode.tryAgainLater, 'slow consumer');
    }, raw);
    this.closed = new Promise((resolve) => ws.once('close', () => resolve()));
    ws.on('message', (data, isBinary) => this.#receive(toBuffer(data), isBinary));
    ws.on('ping', () => this.#touch());
    ws.on('pong', () => this.#touch());
    ws.on('close', () => {
      this.#dispose();
      this.#out.wakeDrainWaiters();
      this.#admission?.socketClosed(id);
    });
    ws.on('error', (err) => this.#log.warn({ err }, 'socket error'));
  }

  /** False once the hub or the client started closing the socket and every topic was ended. */
  get live(): boolean {
    return !this.#disposed;
  }

  get userId(): string {
    return this.#principal.userId;
  }

  /** Bytes written to this socket and not yet sent. */
  get bufferedBytes(): number {
    return this.#out.bufferedBytes;
  }

  /** Milliseconds since the hub started closing this socket; null if it did not. */
  closingFor(now: number): number | null {
    return this.#closingSince === null ? null : now - this.#closingSince;
  }

  /** Milliseconds since the client last sent any frame (data or control). */
  idleFor(now: number): number {
    return now - this.#lastFrameAt;
  }

  /** Starts the close handshake and ends every topic now; sockets that never answer are destroyed by `ws`. */
  close(code: number, reason: string): void {
    this.#closingSince ??= Date.now();
    this.#out.close(code, reason);
    this.#dispose();
  }

  terminate(): void {
    this.#out.terminate();
    this.#dispose();
  }

  #touch(): void {
    this.#lastFrameAt = Date.now();
  }

  #receive(data: Buffer, isBinary: boolean): void {
    this.#touch();
    if (this.#disposed) return;
    const inbound = readInbound(data, isBinary, this.#limits.maxFrameBytes);
    switch (inbound.type) {
      case 'frame':
        this.#dispatch(inbound.frame);
        return;
      case 'invalid':
        this.#fail(inbound.address, inbound.error);
        return;
    }
  }

  #dispatch(frame: Frame): void {
    if (frame.topic === PHX.socketTopic && frame.event === PHX.heartbeat) {
      this.#reply(addressOf(frame), 'ok', {});
      return;
    }
    const state = this.#topics.get(frame.topic);
    if (state?.status === 'joining') {
      if (state.waiting.length < MAX_WAITING_PER_JOIN) state.waiting.push(frame);
      else this.#fail(addressOf(frame), new PilothouseError('not_joined', 'Too many frames sent while the join is in flight.'));
      return;
    }
    if (frame.event === PHX.join) void this.#join(frame, state);
    else if (frame.event === PHX.leave) this.#leave(frame, state);
    else void this.#push(frame, state);
  }

  async #join(frame: Frame, current: TopicState | undefined): Promise<void> {
    const { topic } = frame;
    try {
      // Before anything changes: a refused re-join leaves the current join as it was.
      this.#admission?.admit('join', this.#principal.userId, this.id);
    } catch (err) {
      this.#fail(addressOf(frame), err);
      return;
    }
    if (current) {
      // A re-join replaces the old membership; like Phoenix, tell the client the old join_ref closed.
      this.#end(topic, current, 'rejoin');
      current.sub.sendTermination(PHX.close);
    }
    const sub = new SocketSubscription(this.id, topic, frame.joinRef, this.#out);
    const joining: TopicState = { status: 'joining', joinRef: frame.joinRef, sub, waiting: [] };
    this.#topics.set(topic, joining);
    try {
      const handler = this.#router(topic);
      if (!handler) throw new PilothouseError('unknown_topic', `No such topic: ${topic}.`);
      const close = () => {
        const state = this.#topics.get(topic);
        if (state?.sub !== sub || sub.closed) return;
        this.#end(topic, state, 'closed');
        sub.sendTermination(PHX.close);
      };
      const { reply, session } = await handler.join({ principal: this.#principal, topic, payload: frame.payload, sub, close });
      if (sub.closed) {
        // The socket went away while the topic was joining; the session never became reachable.
        safeLeave(session, 'closed', this.#log);
        return;
      }
      const joined: TopicState = { status: 'joined', joinRef: frame.joinRef, sub, session };
      this.#topics.set(topic, joined);
      if (this.#reply(addressOf(frame), 'ok', reply)) {
        this.#meter?.joined();
        void this.#afterJoin(topic, joined);
      }
      else this.#end(topic, joined, 'closed'); // the client saw an internal error, not a join
    } catch (err) {
      this.#topics.delete(topic);
      sub.end();
      this.#fail(addressOf(frame), err);
    }
    if (!this.#disposed) for (const waiting of joining.waiting) this.#dispatch(waiting);
  }

  async #afterJoin(topic: string, state: TopicState & { status: 'joined' }): Promise<void> {
    if (!state.session.afterJoin) return;
    try {
      await state.session.afterJoin();
    } catch (err) {
      this.#logFailure({ topic, event: PHX.join }, toPilothouseError(err), 'afterJoin failed; the topic is closed with phx_error');
      if (this.#topics.get(topic) !== state) return;
      // Like a crashed Phoenix channel: the client errors the channel and rejoins after its backoff.
      this.#end(topic, state, 'closed');
      state.sub.sendTermination(PHX.error);
    }
  }

  #leave(frame: Frame, state: TopicState | undefined): void {
    if (state?.status !== 'joined' || state.joinRef !== frame.joinRef) {
      this.#fail(addressOf(frame), notJoined(frame));
      return;
    }
    this.#end(frame.topic, state, 'leave');
    this.#reply(addressOf(frame), 'ok', {});
    state.sub.sendTermination(PHX.close);
  }

  async #push(frame: Frame, state: TopicState | undefined): Promise<void> {
    this.#meter?.pushed(frame.event);
    if (state?.status !== 'joined' || state.joinRef !== frame.joinRef) {
      this.#fail(addressOf(frame), notJoined(frame));
      return;
    }
    try {
      const response = await state.session.handle(frame.event, frame.payload);
      this.#reply(addressOf(frame), 'ok', response);
    } catch (err) {
      this.#fail(addressOf(frame), err);
    }
  }

  /** Removes a topic and tells its session why; the subscription goes inert first. */
  #end(topic: string, state: TopicState, reason: 'leave' | 'rejoin' | 'closed'): void {
    this.#topics.delete(topic);
    state.sub.end();
    if (state.status === 'joined') safeLeave(state.session, reason, this.#log);
  }

  /** The one place a failure becomes a phx_reply error (and one log line). */
  #fail(address: Address, err: unknown): void {
    const error = toPilothouseError(err);
    this.#meter?.failed(error.code);
    this.#logFailure(address, error, error.message);
    this.#reply(address, 'error', error.toBody());
  }

  /**
   * Writes a phx_reply; `undefined` becomes `{}` as in Phoenix. A response JSON cannot encode is
   * replaced by an `internal` error reply, and false is returned.
   */
  #reply(address: Address, status: 'ok' | 'error', response: unknown): boolean {
    try {
      this.#out.sendText(encodeFrame(replyFrame(address, status, response ?? {})));
      return true;
    } catch (err) {
      this.#log.error({ err, topic: address.topic, event: address.event }, 'reply is not JSON-serializable');
      this.#out.sendText(encodeFrame(replyFrame(address, 'error', new PilothouseError('internal').toBody())));
      return false;
    }
  }

  #logFailure(where: { topic: string; event: string | null }, error: PilothouseError, msg: string): void {
    if (error.code === 'internal') {
      this.#log.error({ code: error.code, topic: where.topic, event: where.event, err: error.cause ?? error }, msg);
    } else {
      this.#log.warn({ code: error.code, topic: where.topic, event: where.event }, msg);
    }
  }

  #dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const [topic, state] of [...this.#topics]) this.#end(topic, state, 'closed');
  }
}

function addressOf(frame: Frame): Address {
  return { joinRef: frame.joinRef, ref: frame.ref, topic: frame.topic, event: frame.event };
}

function notJoined(frame: Frame): PilothouseError {
  return new PilothouseError('not_joined', `Topic ${frame.topic} is not joined with join_ref ${String(frame.joinRef)}.`);
}

function safeLeave(session: TopicSession, reason: 'leave' | 'rejoin' | 'closed', log: Logger): void {
  try {
    session.leave(reason);
  } catch (err) {
    log.error({ err, reason }, 'TopicSession.leave threw; ignored');
  }
}

function toBuffer(data: Buffer | ArrayBuffer | Buffer[]): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}
