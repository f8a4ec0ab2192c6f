// The runner's connection to the hub: one channel joined with `{since: cursor}`, runner_register
// (and the last acknowledged runner_status) on every (re)join, pushes through the ordered outbox
// (sender.ts), inbound events once each in seq order (inbound.ts). This module drives the link
// state machine (link.ts) and performs its effects; see DESIGN.md, "Delivery semantics".

import {
  assertNever,
  channelTopic,
  JoinReply,
  parseChannelRef,
  PilothouseError,
  RunnerInfo,
  type ChannelPushName,
  type PushPayload,
  type PushReply,
  type RunnerDirectiveName,
} from '@pilothouse/protocol';
import type { CloseReport, ConnectHubOptions, HubClient, HubLogger, HubPushName } from './api.js';
import { HubConnection } from './connection.js';
import { parseDirective } from './directives.js';
import { describeIssues, HubClientError, wireError } from './errors.js';
import { initialLink, publicState, sameState, stepLink, type HubConnectionState, type LinkEffect, type LinkInput, type LinkState } from './link.js';
import { probeHub } from './probe.js';
import { Receiver } from './receiver.js';
import { parseReply, Sender, timeoutError } from './sender.js';

const DEFAULTS = { pushTimeoutMs: 10_000, maxOutbox: 10_000, maxOutboxBytes: 16 * 1024 * 1024, maxInFlight: 64 };
const phoenixReconnect = (tries: number) => [10, 50, 100, 150, 200, 250, 500, 1000, 2000][tries - 1] ?? 5000;
const phoenixRejoin = (tries: number) => [1000, 2000, 5000][tries - 1] ?? 10000;
const PROBE_TIMEOUT_MS = 5000;

/** Connects, joins and registers; resolves once the runner is registered, rejects when it cannot be. */
export async function connectHub(opts: ConnectHubOptions): Promise<HubClient> {
  const ref = parseChannelRef(opts.channel);
  if (!ref) throw new PilothouseError('bad_request', `"${opts.channel}" is not a channel; expected WS/CH.`);
  const runner = RunnerInfo.strict().safeParse(opts.runner);
  if (!runner.success) throw new PilothouseError('invalid_payload', `runner: ${describeIssues(runner.error)}`);
  const probe = await probeHub(opts.url, opts.token, PROBE_TIMEOUT_MS);
  switch (probe.type) {
    case 'ok':
      break;
    case 'refused':
      throw probe.error;
    case 'unreachable':
      if (!opts.waitForHub) throw probe.error;
      opts.logger.warn({ err: probe.error }, 'hub not reachable yet; retrying');
      break;
    default:
      return assertNever(probe);
  }
  const client = new Client(opts, channelTopic(ref));
  await client.start();
  return client;
}

class Client implements HubClient {
  readonly #opts: ConnectHubOptions;
  readonly #log: HubLogger;
  readonly #timeoutMs: number;
  readonly #receiver: Receiver;
  readonly #conn: HubConnection;
  readonly #sender: Sender;
  #link: LinkState = initialLink;
  #public: HubConnectionState;
  #joinReply: JoinReply | undefined;
  /** The last runner_status the hub acknowledged: restored after every re-register. */
  #lastStatus: PushPayload<'runner_status'> | undefined;
  #probing = false;
  /** Re-checked after every state change and every settled push. */
  #waiters: (() => void)[] = [];

  constructor(opts: ConnectHubOptions, topic: string) {
    this.#opts = opts;
    this.#log = opts.logger;
    this.#timeoutMs = opts.pushTimeoutMs ?? DEFAULTS.pushTimeoutMs;
    this.#receiver = new Receiver(opts.cursor, opts.onEvent, this.#log);
    this.#public = publicState(this.#link);
    this.#conn = new HubConnection({
      url: opts.url,
      token: opts.token,
      topic,
      joinPayload: () => {
        const since = this.#receiver.resumeFrom;
        return since === undefined ? {} : { since };
      },
      timeoutMs: this.#timeoutMs,
      reconnectAfterMs: opts.reconnectAfterMs ?? phoenixReconnect,
      rejoinAfterMs: opts.rejoinAfterMs ?? phoenixRejoin,
      heartbeatIntervalMs: opts.heartbeatIntervalMs,
      observer: {
        joined: (reply) => this.#joined(reply),
        joinRefused: (response) => this.#joinRefused(response),
        lost: (error) => this.#step({ type: 'lost', error, reconnect: false }),
        transportError: (error) => this.#transportError(error),
        ended: (error) => this.#step({ type: 'refused', error: new HubClientError('hub_protocol_error', error.message) }),
        event: (name, payload) => {
          if (!this.#terminalError()) this.#receiver.receive(name, payload);
        },
        directive: (name, payload) => {
          if (!this.#terminalError()) this.#directive(name, payload);
        },
      },
    });
    this.#sender = new Sender({
      limits: {
        maxEntries: opts.maxOutbox ?? DEFAULTS.maxOutbox,
        maxBytes: opts.maxOutboxBytes ?? DEFAULTS.maxOutboxBytes,
        maxInFlight: opts.maxInFlight ?? DEFAULTS.maxInFlight,
      },
      timeoutMs: this.#timeoutMs,
      log: this.#log,
      send: (event, payload, timeoutMs, on) => this.#conn.push(event, payload, timeoutMs, on),
      lost: (session, error, reconnect) => this.#step({ type: 'lost', session, error, reconnect }),
      acked: (event, payload) => {
        // The sender validated the payload against runner_status's schema before queueing it.
        if (event === 'runner_status') this.#lastStatus = payload as PushPayload<'runner_status'>;
      },
      settled: () => {
        this.#flush();
        this.#wake();
      },
    });
  }

  get state(): HubConnectionState {
    return this.#public;
  }

  get joinReply(): JoinReply {
    if (!this.#joinReply) throw new Error('joinReply is set once connectHub resolved');
    return this.#joinReply;
  }

  get pending(): number {
    return this.#sender.size;
  }

  /** Resolves at the first `up`; rejects with the refusal if the link fails first. */
  start(): Promise<void> {
    this.#notify(this.#public);
    this.#conn.start();
    return new Promise((resolve, reject) => {
      this.#until(() => {
        if (this.#link.status === 'up') resolve();
        else if (this.#link.status === 'failed') reject(this.#link.error);
        else if (this.#link.status === 'closed') reject(new HubClientError('hub_closed'));
        else return false;
        return true;
      });
    });
  }

  push<K extends HubPushName>(event: K, payload: PushPayload<K>): Promise<PushReply<K>> {
    const refusal = this.#terminalError();
    if (refusal) return Promise.reject(refusal);
    const reply = this.#sender.enqueue(event, payload);
    this.#flush();
    return reply;
  }

  ack(seq: number): void {
    this.#receiver.ack(seq);
  }

  async close({ drainTimeoutMs = 0 }: { drainTimeoutMs?: number } = {}): Promise<CloseReport> {
    if (drainTimeoutMs > 0) await this.#drained(drainTimeoutMs);
    // After a failure the pending pushes were already rejected with the failure itself.
    const unacknowledged = this.#terminalError() ? [] : this.#sender.unanswered();
    this.#step({ type: 'close' });
    await this.#conn.shutdown();
    if (unacknowledged.length > 0) this.#log.warn({ count: unacknowledged.length }, 'hub client closed with unacknowledged pushes');
    return { unacknowledged };
  }

  // --- the link state machine and its effects ---------------------------------------------------

  #step(input: LinkInput): void {
    const { state, effects } = stepLink(this.#link, input);
    this.#link = state;
    for (const effect of effects) this.#perform(effect);
    const next = publicState(state);
    if (!sameState(this.#public, next)) {
      this.#public = next;
      this.#log.info({ state: next.status, err: 'lastError' in next ? (next.lastError ?? undefined) : undefined }, `hub ${next.status}`);
      this.#notify(next);
    }
    this.#wake();
  }

  #notify(state: HubConnectionState): void {
    try {
      this.#opts.onState?.(state);
    } catch (err) {
      this.#log.error({ err }, 'onState listener threw');
    }
  }

  #perform(effect: LinkEffect): void {
    switch (effect.type) {
      case 'register':
        this.#register(effect.session);
        return;
      case 'flush':
        this.#conn.resetBackoff();
        this.#flush();
        return;
      case 'rewind':
        this.#sender.rewind();
        return;
      case 'reconnect':
        this.#conn.reconnect();
        return;
      case 'stop': {
        const error = effect.error ?? new HubClientError('hub_closed', 'The hub client was closed before the hub acknowledged this push.');
        const rejected = this.#sender.rejectAll(error);
        if (effect.error) this.#log.error({ err: effect.error, rejected }, 'hub connection failed');
        void this.#conn.shutdown();
        return;
      }
      default:
        assertNever(effect);
    }
  }

  #flush(): void {
    if (this.#link.status === 'up') this.#sender.flush(this.#link.session);
  }

  #terminalError(): Error | null {
    if (this.#link.status === 'failed') return this.#link.error;
    if (this.#link.status === 'closed') return new HubClientError('hub_closed');
    return null;
  }

  #directive(name: RunnerDirectiveName, payload: unknown): void {
    const parsed = parseDirective(name, payload);
    if (!parsed.ok) {
      this.#log.error({ directive: name, issues: parsed.issues }, 'the hub sent a directive that does not match the protocol; dropped');
      return;
    }
    try {
      this.#opts.onDirective?.(parsed.directive);
    } catch (err) {
      this.#log.error({ err, directive: name }, 'onDirective listener threw');
    }
  }

  // --- joining and registering --------------------------------------------------------------------

  #joined(raw: unknown): void {
    const parsed = JoinReply.safeParse(raw);
    if (!parsed.success) {
      this.#step({ type: 'refused', error: new HubClientError('hub_protocol_error', `The join reply does not match the protocol: ${describeIssues(parsed.error)}`) });
      return;
    }
    const reply = parsed.data;
    const refusal = this.#receiver.joined(this.#opts.channel, reply.head_seq);
    if (refusal) {
      this.#step({ type: 'refused', error: refusal });
      return;
    }
    this.#joinReply = reply;
    this.#step({ type: 'joined', headSeq: reply.head_seq });
  }

  #joinRefused(response: unknown): void {
    const error = wireError(response);
    // `internal` may pass (phoenix rejoins after rejoinAfterMs); anything else will not change by retrying.
    if (error.code === 'internal') this.#step({ type: 'transport_error', error });
    else this.#step({ type: 'refused', error });
  }

  #register(session: number): void {
    this.#control(session, 'runner_register', this.#opts.runner, () => {
      const status = this.#lastStatus;
      // A runner_status still in the outbox is newer and follows anyway.
      if (status === undefined || this.#sender.pendingEvent('runner_status')) this.#step({ type: 'registered', session });
      else this.#control(session, 'runner_status', status, () => this.#step({ type: 'registered', session }));
    });
  }

  /** A registration push, outside the outbox: a refusal is final, a timeout replaces the socket. */
  #control<K extends ChannelPushName>(session: number, event: K, payload: PushPayload<K>, done: () => void): void {
    const current = () => this.#link.status === 'registering' && this.#link.session === session;
    const sent = this.#conn.push(event, payload, this.#timeoutMs, {
      ok: (response) => {
        if (!current()) return;
        const parsed = parseReply(event, response);
        if (parsed.ok) done();
        else this.#step({ type: 'refused', error: parsed.error });
      },
      error: (response) => {
        if (!current()) return;
        const error = wireError(response);
        const transient = error.code === 'not_joined' || error.code === 'internal';
        this.#step(transient ? { type: 'lost', session, error, reconnect: true } : { type: 'refused', error });
      },
      timeout: () => this.#step({ type: 'lost', session, error: timeoutError(event, this.#timeoutMs), reconnect: true }),
    });
    if (!sent) this.#step({ type: 'lost', session, error: new Error(`could not send ${event}: the channel is not joined`), reconnect: false });
  }

  #transportError(error: Error): void {
    this.#step({ type: 'transport_error', error });
    if (this.#probing || this.#link.status === 'up' || this.#terminalError()) return;
    // Is it the token? A refused upgrade looks like any other failed connection to phoenix.
    this.#probing = true;
    void probeHub(this.#opts.url, this.#opts.token, PROBE_TIMEOUT_MS).then((probe) => {
      this.#probing = false;
      switch (probe.type) {
        case 'ok':
          return;
        case 'refused':
          this.#step({ type: 'refused', error: probe.error });
          return;
        case 'unreachable': {
          // Without waitForHub, a hub that vanished before the first join fails connectHub as the preflight would.
          const fatal = this.#public.status === 'connecting' && !this.#opts.waitForHub;
          this.#step({ type: fatal ? 'refused' : 'transport_error', error: probe.error });
          return;
        }
        default:
          assertNever(probe);
      }
    });
  }

  // --- waiting ------------------------------------------------------------------------------------

  /** Calls `check` now and after every state change or settled push, until it returns true. */
  #until(check: () => boolean): void {
    if (check()) return;
    const waiter = () => {
      if (check()) this.#waiters = this.#waiters.filter((w) => w !== waiter);
    };
    this.#waiters.push(waiter);
  }

  #wake(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }

  /** Resolves when every pending push was answered, the link failed or closed, or `timeoutMs` passed. */
  #drained(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        this.#wake();
      }, timeoutMs);
      this.#until(() => {
        if (!timedOut && this.#sender.size > 0 && !this.#terminalError()) return false;
        clearTimeout(timer);
        resolve();
        return true;
      });
    });
  }
}
