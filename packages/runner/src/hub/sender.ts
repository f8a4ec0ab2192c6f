// Typed pushes through the outbox: validate against the protocol table, queue in order, send what
// the window allows over the current session, and settle each push with the hub's reply parsed by
// that event's reply schema. An error reply with a code is final; a timeout, or a reply saying the
// socket's join is not what we think, hands the session back to the client as lost, and every
// unanswered push goes again after the rejoin, in order, with the same payload.

import { ChannelPushes, PilothouseError, type ChannelPushName, type PushPayload, type PushReply } from '@pilothouse/protocol';
import type { z } from 'zod';
import type { HubLogger, HubPushName } from './api.js';
import type { PushHandlers } from './connection.js';
import { describeIssues, HubClientError, wireError } from './errors.js';
import { Outbox, type OutboxEntry, type OutboxLimits } from './outbox.js';

/** Error replies that say "this socket's join is not what you think", not "this write is refused". */
const LINK_CODES: ReadonlySet<string> = new Set(['not_joined', 'not_runner']);
/** How often one push may cause a reconnect through a LINK_CODES reply before that reply is final. */
const MAX_LINK_RETRIES = 3;

export interface SenderDeps {
  limits: OutboxLimits;
  timeoutMs: number;
  log: HubLogger;
  /** Sends now or returns false (never buffers). */
  send(event: string, payload: object, timeoutMs: number, on: PushHandlers): boolean;
  /** The session can no longer carry pushes; `reconnect` when its socket still looks open. */
  lost(session: number, error: Error, reconnect: boolean): void;
  /** A push was acknowledged (the client remembers the last runner_status); `payload` passed its schema. */
  acked(event: HubPushName, payload: object): void;
  /** A push was settled either way. */
  settled(): void;
}

interface Pending {
  event: HubPushName;
  payload: object;
  resolve: (reply: unknown) => void;
  reject: (error: Error) => void;
  /** Times sent; more than once after a lost link (the hub recognises the repeat). */
  sends: number;
  linkRetries: number;
}

type Parsed<T> = { ok: true; reply: T } | { ok: false; error: HubClientError };

/** A reply parsed with the protocol table's schema for `event`. */
export function parseReply<K extends ChannelPushName>(event: K, response: unknown): Parsed<PushReply<K>> {
  const schema: z.ZodType = ChannelPushes[event].reply;
  const parsed = schema.safeParse(response);
  if (parsed.success) return { ok: true, reply: parsed.data as PushReply<K> };
  return { ok: false, error: new HubClientError('hub_protocol_error', `The ${event} reply does not match the protocol: ${describeIssues(parsed.error)}`, { response }) };
}

export class Sender {
  readonly #deps: SenderDeps;
  readonly #outbox: Outbox<Pending>;

  constructor(deps: SenderDeps) {
    this.#deps = deps;
    this.#outbox = new Outbox(deps.limits);
  }

  /** Pushes not yet answered, sent or not. */
  get size(): number {
    return this.#outbox.size;
  }

  /** Validates and queues a push; it leaves on the next `flush` of an up session. */
  enqueue<K extends HubPushName>(event: K, payload: PushPayload<K>): Promise<PushReply<K>> {
    const schema: z.ZodType = ChannelPushes[event].payload;
    const parsed = schema.safeParse(payload);
    if (!parsed.success) return Promise.reject(new PilothouseError('invalid_payload', `${event}: ${describeIssues(parsed.error)}`));
    const bytes = JSON.stringify(payload).length;
    return new Promise<PushReply<K>>((resolve, reject) => {
      // `resolve` only ever sees a reply parsed with this event's own reply schema.
      this.#outbox.add({ event, payload, resolve: resolve as (reply: unknown) => void, reject, sends: 0, linkRetries: 0 }, bytes);
    });
  }

  /** Sends what the window allows over `session`, oldest first. */
  flush(session: number): void {
    let resent = 0;
    for (const entry of this.#outbox.takeSendable()) {
      const { event, payload } = entry.item;
      if (entry.item.sends++ > 0) resent++;
      const sent = this.#deps.send(event, payload, this.#deps.timeoutMs, {
        ok: (response) => this.#answered(entry, response),
        error: (response) => this.#refused(entry, session, response),
        timeout: () => this.#deps.lost(session, timeoutError(event, this.#deps.timeoutMs), true),
      });
      if (!sent) {
        // Phoenix has not told us yet that the channel is gone; the rejoin resends in order.
        this.#deps.lost(session, new Error('the channel is not joined'), false);
        return;
      }
    }
    if (resent > 0) this.#deps.log.info({ resent, session }, 'resent unacknowledged pushes');
  }

  /** The session is gone: nothing is in flight, everything unanswered goes again from the oldest. */
  rewind(): void {
    this.#outbox.rewind();
  }

  pendingEvent(event: HubPushName): boolean {
    return this.#outbox.some((p) => p.event === event);
  }

  /** Every unanswered push, oldest first, as the owner gave it. */
  unanswered(): { event: HubPushName; payload: object }[] {
    return this.#outbox.entries().map(({ item }) => ({ event: item.event, payload: item.payload }));
  }

  /** Rejects and forgets every unanswered push; returns how many there were. */
  rejectAll(error: Error): number {
    const pending = this.#outbox.drain();
    for (const { item } of pending) item.reject(error);
    return pending.length;
  }

  #answered(entry: OutboxEntry<Pending>, response: unknown): void {
    if (!this.#outbox.settle(entry.id)) return;
    const { event, payload, resolve, reject } = entry.item;
    const parsed = parseReply(event, response);
    if (parsed.ok) {
      this.#deps.acked(event, payload);
      resolve(parsed.reply);
    } else {
      reject(parsed.error);
    }
    this.#deps.settled();
  }

  #refused(entry: OutboxEntry<Pending>, session: number, response: unknown): void {
    const error = wireError(response);
    if (LINK_CODES.has(error.code) && entry.item.linkRetries < MAX_LINK_RETRIES) {
      entry.item.linkRetries++;
      this.#deps.lost(session, error, true);
      return;
    }
    if (!this.#outbox.settle(entry.id)) return;
    entry.item.reject(error);
    this.#deps.settled();
  }
}

export function timeoutError(event: string, ms: number): HubClientError {
  return new HubClientError('hub_timeout', `The hub did not answer ${event} within ${ms} ms; reconnecting to resend.`);
}
