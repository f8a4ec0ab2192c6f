// Joining and registering, on every (re)join: the join reply is checked against the protocol and
// the cursor, then runner_register and the last acknowledged runner_status are pushed outside the
// outbox (a refusal is final, a timeout replaces the socket), and only then does the link go `up`.
// A failed connection attempt is probed over HTTP (probe.ts), since phoenix cannot tell a refused
// token from an absent hub. Every outcome is a LinkInput handed to the client's link state machine.

import { assertNever, JoinReply, type ChannelPushName, type PushPayload } from '@pilothouse/protocol';
import type { ConnectHubOptions, HubPushName } from './api.js';
import type { HubConnection } from './connection.js';
import { describeIssues, HubClientError, wireError } from './errors.js';
import { publicState, type LinkInput, type LinkState } from './link.js';
import { PROBE_TIMEOUT_MS, probeHub } from './probe.js';
import type { Receiver } from './receiver.js';
import { parseReply, type Sender, timeoutError } from './sender.js';

export interface RegistrationDeps {
  opts: Pick<ConnectHubOptions, 'url' | 'token' | 'channel' | 'runner' | 'waitForHub'>;
  conn: HubConnection;
  receiver: Receiver;
  sender: Sender;
  timeoutMs: number;
  /** The link state machine's current state. */
  link(): LinkState;
  step(input: LinkInput): void;
}

export class Registration {
  readonly #deps: RegistrationDeps;
  #joinReply: JoinReply | undefined;
  /** The last runner_status the hub acknowledged: restored after every re-register. */
  #lastStatus: PushPayload<'runner_status'> | undefined;
  #probing = false;

  constructor(deps: RegistrationDeps) {
    this.#deps = deps;
  }

  /** The answer to the latest accepted join. */
  get joinReply(): JoinReply | undefined {
    return this.#joinReply;
  }

  /** A push was acknowledged; its payload passed its schema before it was queued. */
  acked(event: HubPushName, payload: object): void {
    if (event === 'runner_status') this.#lastStatus = payload as PushPayload<'runner_status'>;
  }

  joined(raw: unknown): void {
    const parsed = JoinReply.safeParse(raw);
    if (!parsed.success) {
      this.#deps.step({ type: 'refused', error: new HubClientError('hub_protocol_error', `The join reply does not match the protocol: ${describeIssues(parsed.error)}`) });
      return;
    }
    const reply = parsed.data;
    const refusal = this.#deps.receiver.joined(this.#deps.opts.channel, reply.head_seq);
    if (refusal) {
      this.#deps.step({ type: 'refused', error: refusal });
      return;
    }
    this.#joinReply = reply;
    this.#deps.step({ type: 'joined', headSeq: reply.head_seq });
  }

  joinRefused(response: unknown): void {
    const error = wireError(response);
    // `internal` may pass (phoenix rejoins after rejoinAfterMs); anything else will not change by retrying.
    if (error.code === 'internal') this.#deps.step({ type: 'transport_error', error });
    else this.#deps.step({ type: 'refused', error });
  }

  /** The link's `register` effect for `session`. */
  register(session: number): void {
    this.#control(session, 'runner_register', this.#deps.opts.runner, () => {
      const status = this.#lastStatus;
      // A runner_status still in the outbox is newer and follows anyway.
      if (status === undefined || this.#deps.sender.pendingEvent('runner_status')) this.#deps.step({ type: 'registered', session });
      else this.#control(session, 'runner_status', status, () => this.#deps.step({ type: 'registered', session }));
    });
  }

  /** A registration push, outside the outbox: a refusal is final, a timeout replaces the socket. */
  #control<K extends ChannelPushName>(session: number, event: K, payload: PushPayload<K>, done: () => void): void {
    const { conn, timeoutMs } = this.#deps;
    const step = (input: LinkInput) => this.#deps.step(input);
    const current = () => {
      const link = this.#deps.link();
      return link.status === 'registering' && link.session === session;
    };
    const sent = conn.push(event, payload, timeoutMs, {
      ok: (response) => {
        if (!current()) return;
        const parsed = parseReply(event, response);
        if (parsed.ok) done();
        else step({ type: 'refused', error: parsed.error });
      },
      error: (response) => {
        if (!current()) return;
        const error = wireError(response);
        const transient = error.code === 'not_joined' || error.code === 'internal';
        step(transient ? { type: 'lost', session, error, reconnect: true } : { type: 'refused', error });
      },
      timeout: () => step({ type: 'lost', session, error: timeoutError(event, timeoutMs), reconnect: true }),
    });
    if (!sent) step({ type: 'lost', session, error: new Error(`could not send ${event}: the channel is not joined`), reconnect: false });
  }

  transportError(error: Error): void {
    const { opts } = this.#deps;
    const step = (input: LinkInput) => this.#deps.step(input);
    step({ type: 'transport_error', error });
    const link = this.#deps.link();
    if (this.#probing || link.status === 'up' || link.status === 'failed' || link.status === 'closed') return;
    // Is it the token? A refused upgrade looks like any other failed connection to phoenix.
    this.#probing = true;
    void probeHub(opts.url, opts.token, PROBE_TIMEOUT_MS).then((probe) => {
      this.#probing = false;
      switch (probe.type) {
        case 'ok':
          return;
        case 'refused':
          step({ type: 'refused', error: probe.error });
          return;
        case 'unreachable': {
          // Without waitForHub, a hub that vanished before the first join fails connectHub as the preflight would.
          const fatal = publicState(this.#deps.link()).status === 'connecting' && !opts.waitForHub;
          step({ type: fatal ? 'refused' : 'transport_error', error: probe.error });
          return;
        }
        default:
          assertNever(probe);
      }
    });
  }
}
