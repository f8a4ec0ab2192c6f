// The runner's connection to the hub: one channel joined with `{since: cursor}`, runner_register
// (and the last acknowledged runner_status) on every (re)join, pushes through the ordered outbox
// (sender.ts), inbound events once each in seq order (receiver.ts). This module drives the link
// state machine (link.ts) and performs its effects; joining and registering are registration.ts's.
// Delivery semantics: docs/protocol.md §4.2 and §10.

import {
  assertNever,
  channelTopic,
  parseChannelRef,
  PilothouseError,
  RunnerInfo,
  type JoinReply,
  type PushPayload,
  type PushReply,
  type RunnerDirectiveName,
} from '@pilothouse/protocol';
import type { CloseReport, ConnectHubOptions, HubClient, HubLogger, HubPushName } from './api.js';
import { HubConnection } from './connection.js';
import { parseDirective } from './directives.js';
import { describeIssues, HubClientError } from './errors.js';
import { initialLink, publicState, sameState, stepLink, type HubConnectionState, type LinkEffect, type LinkInput, type LinkState } from './link.js';
import { PROBE_TIMEOUT_MS, probeHub } from './probe.js';
import { Receiver } from './receiver.js';
import { Registration } from './registration.js';
import { Sender } from './sender.js';

const DEFAULTS = { pushTimeoutMs: 10_000, maxOutbox: 10_000, maxOutboxBytes: 16 * 1024 * 1024, maxInFlight: 64 };
const phoenixReconnect = (tries: number) => [10, 50, 100, 150, 200, 250, 500, 1000, 2000][tries - 1] ?? 5000;
const phoenixRejoin = (tries: number) => [1000, 2000, 5000][tries - 1] ?? 10000;

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
  readonly #registration: Registration;
  #link: LinkState = initialLink;
  #public: HubConnectionState;
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
        joined: (reply) => this.#registration.joined(reply),
        joinRefused: (response) => this.#registration.joinRefused(response),
        lost: (error) => this.#step({ type: 'lost', error, reconnect: false }),
        transportError: (error) => this.#registration.transportError(error),
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
      acked: (event, payload) => this.#registration.acked(event, payload),
      settled: () => {
        this.#flush();
        this.#wake();
      },
    });
    this.#registration = new Registration({
      opts,
      conn: this.#conn,
      receiver: this.#receiver,
      sender: this.#sender,
      timeoutMs: this.#timeoutMs,
      link: () => this.#link,
      step: (input) => this.#step(input),
    });
  }

  get state(): HubConnectionState {
    return this.#public;
  }

  get joinReply(): JoinReply {
    const reply = this.#registration.joinReply;
    if (!reply) throw new Error('joinReply is set once connectHub resolved');
    return reply;
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
        this.#registration.register(effect.session);
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
