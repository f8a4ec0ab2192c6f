// The surface of the runner's hub client: options of connectHub and the HubClient it returns.

import type { ChannelEvent, ChannelPushName, JoinReply, PushPayload, PushReply, RunnerDirective, RunnerInfo } from '@pilothouse/protocol';
import type { CursorStore } from './cursor.js';
import type { HubConnectionState } from './link.js';

/** Structural subset of pino's Logger. */
export interface HubLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Pushes the owner may send; runner_register is the client's own business. */
export type HubPushName = Exclude<ChannelPushName, 'runner_register'>;

export interface ConnectHubOptions {
  /** The hub's base URL: http(s)://host:port. */
  url: string;
  token: string;
  /** `WS/CH`. */
  channel: string;
  /** The last seq the runner fully processed; advanced through `ack`. */
  cursor: CursorStore;
  runner: RunnerInfo;
  logger: HubLogger;
  /** Every channel event after the cursor, once, in seq order, across reconnects. Called synchronously. */
  onEvent: (event: ChannelEvent) => void;
  /**
   * Hub → this runner only (not stored, no seq, never replayed): e.g. `tunnel_open` for the tunnel
   * client. Parsed with the protocol's RunnerDirectives table; an invalid one is logged and dropped.
   */
  onDirective?: (directive: RunnerDirective) => void;
  /** Every change of the connection state, from the first connection attempt on. */
  onState?: (state: HubConnectionState) => void;
  /** false (default): fail at once when the hub cannot be reached; true: keep trying until it can. */
  waitForHub?: boolean;
  /** A push (or join) unanswered for this long is resent over a new connection; default 10 s. */
  pushTimeoutMs?: number;
  /** Admitted pushes before `push` waits for room; default 10,000. */
  maxOutbox?: number;
  /** Admitted payload size (UTF-16 code units of the JSON) before `push` waits for room; default 16 Mi. */
  maxOutboxBytes?: number;
  /** Pushes sent but not yet answered; default 64. */
  maxInFlight?: number;
  /** Socket reconnect backoff by attempt; default phoenix's steps up to 5 s. */
  reconnectAfterMs?: (tries: number) => number;
  /** Channel rejoin backoff by attempt (after a join error or timeout); default phoenix's steps up to 10 s. */
  rejoinAfterMs?: (tries: number) => number;
  heartbeatIntervalMs?: number;
}

export interface CloseReport {
  /** Pushes the hub never acknowledged, oldest first; their promises were rejected with hub_closed. */
  unacknowledged: { event: HubPushName; payload: object }[];
}

export interface HubClient {
  readonly state: HubConnectionState;
  /** The answer to the latest join: channel, user, runners present, head seq. */
  readonly joinReply: JoinReply;
  /** Pushes not yet acknowledged (sent, queued, or waiting for room). */
  readonly pending: number;
  /**
   * Queues a push in order and resolves with the hub's reply, validated with the protocol table.
   * Survives reconnects (resent with the same payload); rejects with a PilothouseError carrying the
   * hub's code when the hub refuses it (final, never retried). Waits for room when the outbox is full.
   */
  push<K extends HubPushName>(event: K, payload: PushPayload<K>): Promise<PushReply<K>>;
  /** The owner processed every event up to `seq`: persist it as the cursor. */
  ack(seq: number): void;
  /** Waits up to `drainTimeoutMs` (default 0) for pending pushes, then leaves and disconnects. */
  close(opts?: { drainTimeoutMs?: number }): Promise<CloseReport>;
}
