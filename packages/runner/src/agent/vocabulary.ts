// The agent seam: the small agent-neutral vocabulary the session core speaks (types only). An
// adapter (codex/) turns its agent's notifications and requests into `AgentInput`s and performs
// `AgentEffect`s; the core (session/) never sees an agent's own types. docs/architecture.md.

import type { AgentTrouble, Approval, DecisionOutcome, MessageKind, RowStatus } from '@pilothouse/protocol';

/** The rows an agent's items become; kinds differ in data, not in code paths. */
export type RowKind = Extract<MessageKind, 'assistant' | 'reasoning' | 'command' | 'file_change' | 'web_search' | 'plan' | 'terminal_input'>;

export type Meta = Record<string, unknown>;

/** Content the producer already left out of a text: `bytes` UTF-8 bytes missing at index `at`. */
export interface Gap {
  readonly at: number;
  readonly bytes: number;
}

/** One item of agent output as a row: what item/started, item/completed and a turn's final items carry. */
export interface RowData {
  /** Unique within the session (the adapter makes it so: e.g. turn id + item id). */
  readonly key: string;
  readonly kind: RowKind;
  /** The item's authoritative content, or null when it carries none (the streamed text stands). */
  readonly body: string | null;
  readonly meta: Meta;
  readonly status: RowStatus;
  /** Post the row as soon as the item starts, even empty; otherwise at its first text. */
  readonly eager: boolean;
  /** Where the agent already cut `body`, and how much. */
  readonly gap?: Gap | undefined;
}

export type TurnOutcome =
  | { readonly status: 'completed' }
  | { readonly status: 'interrupted' }
  | { readonly status: 'failed'; readonly reason: string };

export interface ApprovalChoice {
  readonly id: string;
  readonly label: string;
  readonly description: string;
}

/** An agent asks a person to decide; the adapter keeps what each choice id means to the agent. */
export interface ApprovalRequest {
  readonly requestId: string;
  readonly turnId: string;
  /** The row of the item it is about. */
  readonly itemKey: string;
  readonly kind: Approval['kind'];
  readonly summary: string;
  readonly reason: string | null;
  readonly choices: readonly ApprovalChoice[];
  /** What each choice id (offered, reject and expiry ones) means, for the record of the decision. */
  readonly outcomes: Readonly<Record<string, DecisionOutcome>>;
  readonly detail: Readonly<Record<string, unknown>>;
  /** The choice sent when the turn ends, the runner closes or the request is not for the active turn. */
  readonly onReject: string;
  /** The choice sent when nobody decided in time (it may be one not offered to people, e.g. cancel). */
  readonly onExpire: string;
}

/**
 * What an agent tells the session, and when (`now`, ms, stamped by the shell's clock as it
 * arrives). `threadId`, when set, names the agent thread an event belongs to: events of another
 * thread are dropped. Outcomes of the session's own effects (turn start, thread start) carry none.
 */
export type AgentInput = { readonly now: number; readonly threadId?: string | undefined } & (
  | { readonly type: 'turn_started'; readonly turnId: string }
  /** `finals`: the turn's items as rows, to reconcile with what streamed. */
  | { readonly type: 'turn_completed'; readonly turnId: string; readonly outcome: TurnOutcome; readonly finals: readonly RowData[] }
  /** The answer to `start_turn`. `threadLost`: the agent no longer has the thread (start a new one, retry once). */
  | { readonly type: 'turn_start_ok'; readonly message_id: string; readonly turnId: string }
  | { readonly type: 'turn_start_failed'; readonly message_id: string; readonly error: string; readonly threadLost: boolean }
  | { readonly type: 'item_started'; readonly turnId: string; readonly row: RowData }
  /** Text for a row; `meta` is used when the delta opens the row (deltas can precede or lack item_started). */
  | { readonly type: 'item_delta'; readonly turnId: string; readonly key: string; readonly kind: RowKind; readonly text: string; readonly meta?: Meta | undefined }
  /** `onlyIfOpen`: a companion row (e.g. a command's typed input) closed with its item, if it ever opened. */
  | { readonly type: 'item_completed'; readonly turnId: string; readonly row: RowData; readonly onlyIfOpen?: true | undefined }
  | ({ readonly type: 'approval_requested' } & ApprovalRequest)
  /** The agent closed a request itself (answered elsewhere, or moot). */
  | { readonly type: 'approval_withdrawn'; readonly requestId: string }
  /** A request the adapter cannot turn into an approval: refused (unless its turn is another client's). */
  | { readonly type: 'request_unsupported'; readonly requestId: string; readonly turnId: string | null; readonly method: string; readonly reason: string; readonly approval: boolean }
  /** Input typed by another client of the same agent thread (the owner's TUI): mirrored into the hub thread. */
  | { readonly type: 'user_input'; readonly turnId: string; readonly itemId: string; readonly clientId: string | null; readonly text: string }
  /** The outcome of `start_thread`. */
  | { readonly type: 'thread_started'; readonly threadId: string }
  | { readonly type: 'thread_start_failed'; readonly error: string }
  /** The agent process exited unexpectedly (the shell restarts it). */
  | { readonly type: 'agent_exited'; readonly reason: string }
  /**
   * The agent cannot reach its model (retrying, rate limited, or given up): shown on the turn's
   * message. `unreachable`: nothing answered at all (connection refused, DNS, timeout), as opposed
   * to an HTTP error or a stream cut short: the session gives such a turn up after a while.
   */
  | { readonly type: 'agent_trouble'; readonly turnId: string; readonly kind: AgentTrouble['kind']; readonly message: string; readonly httpStatus: number | null; readonly unreachable?: true }
  /** A warning, an error or a status the agent reported: logged. */
  | { readonly type: 'agent_note'; readonly level: 'debug' | 'warn'; readonly event: string; readonly fields: Readonly<Record<string, unknown>> }
);

/** What the session asks of its agent; the adapter turns each into the agent's own protocol. */
export type AgentEffect =
  /** Sent once the hub has acknowledged the message's `processing` state (emitted just before). */
  | { readonly type: 'start_turn'; readonly threadId: string; readonly message_id: string; readonly text: string }
  | { readonly type: 'interrupt'; readonly threadId: string; readonly turnId: string }
  | { readonly type: 'answer'; readonly requestId: string; readonly choice: string }
  | { readonly type: 'refuse'; readonly requestId: string; readonly message: string }
  /** Start an agent thread (resume `resume` first when set); answered with thread_started / thread_start_failed. */
  | { readonly type: 'start_thread'; readonly resume: string | null; readonly reason: string };
