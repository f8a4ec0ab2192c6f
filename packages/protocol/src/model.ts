// The domain shapes that cross the wire: messages (human and runner rows), message states,
// approvals, runner presence and controls. Each is a zod schema; the TypeScript type is inferred.

import { z } from 'zod';

export const Seq = z.number().int().nonnegative();
/** NUL or a lone surrogate: keys are looked up as stored, and PostgreSQL refuses the one and rewrites the other. */
const UNSTORABLE_KEY = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const key = (max: number) => z.string().min(1).max(max).refine((s) => !UNSTORABLE_KEY.test(s), 'must be well-formed text without NUL');
export const Id = key(128);
export const ClientId = key(128);
export const ItemKey = key(256);
/** Free-form, kind-specific JSON attached to a row (command, exit code, diff, queries...). */
export const Meta = z.record(z.string(), z.unknown());

/** Kinds of rows. `text` is a plain chat message; the others are agent items streamed by a runner. */
export const MessageKind = z.enum([
  'text',
  'session',
  'notice',
  'assistant',
  'reasoning',
  'command',
  'file_change',
  'web_search',
  'plan',
  'terminal_input',
  'approval',
  'port_forward',
]);
export type MessageKind = z.infer<typeof MessageKind>;

/** Lifecycle of a streaming row. Plain messages have `null`. */
export const RowStatus = z.enum(['streaming', 'completed', 'interrupted', 'failed', 'declined']);
export type RowStatus = z.infer<typeof RowStatus>;

export const Actor = z.object({ user_id: Id, name: z.string() });
export type Actor = z.infer<typeof Actor>;

export const ApprovalChoice = z.object({
  id: z.string().min(1).max(64),
  label: z.string().max(200),
  description: z.string().max(2000).optional(),
});

export const ApprovalKind = z.enum(['command', 'file_change', 'permissions', 'user_input', 'port_forward']);

export const Approval = z.object({
  request_id: z.string().min(1).max(128),
  kind: ApprovalKind,
  summary: z.string().max(20_000),
  reason: z.string().max(20_000).nullable().optional(),
  choices: z.array(ApprovalChoice).min(1).max(16),
  /** Who may decide: user names (case-insensitive) and, when known, ids. */
  allowed: z.array(z.object({ name: z.string(), user_id: Id.optional() })).max(64),
  detail: Meta.optional(),
});
export type Approval = z.infer<typeof Approval>;

/** How an approval ended: a person's choice (approved, always allowed, answered, denied, cancelled), or no person's (expired, withdrawn). */
export const DecisionOutcome = z.enum(['approved', 'always_allowed', 'answered', 'denied', 'cancelled', 'expired', 'withdrawn']);
export type DecisionOutcome = z.infer<typeof DecisionOutcome>;

/**
 * How the decision reached the runner: a `control` push (the prompt's buttons), a `/pilothouse`
 * chat command, an alert's action (`push`, `email`: a decision code), or no person (the runner or the agent).
 */
export const DecisionVia = z.enum(['control', 'chat_command', 'push', 'email', 'runner', 'agent']);
export type DecisionVia = z.infer<typeof DecisionVia>;

/** A decided approval, kept on the record where the prompt was (docs/protocol.md §7 "ApprovalDecision"). */
export const ApprovalDecision = z.object({
  request_id: z.string().min(1).max(128),
  kind: ApprovalKind,
  /** The prompt's summary, clipped. */
  summary: z.string().max(2000),
  outcome: DecisionOutcome,
  /** The choice given to the agent (its id and label), when one was. */
  choice: z.string().max(64).nullable(),
  label: z.string().max(200).nullable(),
  /** The person who decided; null when the runner or the agent did. */
  by: Actor.nullable(),
  via: DecisionVia,
  /** ISO-8601, the runner's clock. */
  at: z.string().max(40),
  /** Why the runner or agent closed it (`turn interrupted`, `approval expired`…). */
  reason: z.string().max(500).nullable(),
});
export type ApprovalDecision = z.infer<typeof ApprovalDecision>;

/** Decisions kept on one message state (the newest; a turn with more drops the oldest). */
export const MAX_DECISIONS = 16;

/**
 * What the agent reports while its model is unreachable (docs/protocol.md §7 "AgentTrouble"):
 * `reconnecting` and `rate_limited` while it retries, `failed` when it gave up.
 */
export const AgentTrouble = z.object({
  kind: z.enum(['reconnecting', 'rate_limited', 'failed']),
  /** Reports of trouble in this turn so far (1, 2, …). */
  attempt: z.number().int().positive(),
  message: z.string().max(2000),
  /** The upstream HTTP status, when the agent said. */
  http_status: z.number().int().nullable(),
});
export type AgentTrouble = z.infer<typeof AgentTrouble>;

export const MessageStateName = z.enum(['queued', 'processing', 'processed', 'ignored', 'failed']);
export type MessageStateName = z.infer<typeof MessageStateName>;

/** Longest state reason (UTF-16 code units); a runner clips longer ones (they quote agent errors). */
export const MAX_STATE_REASON = 2000;

export const MessageState = z.object({
  state: MessageStateName,
  reason: z.string().max(MAX_STATE_REASON).nullable().optional(),
  approval: Approval.nullable().optional(),
  /** Approvals of this message's turn that were decided, oldest first; absent when none was. */
  decided: z.array(ApprovalDecision).max(MAX_DECISIONS).optional(),
  /** The agent's latest report of trouble reaching its model, while the turn runs or once it failed; absent when none. */
  trouble: AgentTrouble.optional(),
});
export type MessageState = z.infer<typeof MessageState>;

export const Message = z.object({
  id: Id,
  thread_id: Id,
  /** The seq of the event that created the message. */
  seq: Seq,
  author: Actor,
  /** Set when a runner posted the row. */
  runner_id: Id.nullable(),
  client_id: ClientId.nullable(),
  kind: MessageKind,
  item_key: ItemKey.nullable(),
  body: z.string(),
  meta: Meta.nullable(),
  status: RowStatus.nullable(),
  /** Human messages carry a state once a runner has looked at them. */
  state: MessageState.nullable(),
  created_at: z.string(),
});
export type Message = z.infer<typeof Message>;

export const RunnerStatus = z.enum(['online', 'idle', 'working', 'offline']);
export type RunnerStatus = z.infer<typeof RunnerStatus>;

export const RunnerInfo = z.object({
  runner_id: Id,
  instance_id: Id,
  name: z.string().min(1).max(200),
  cwd: z.string().max(4096),
  agent: z.object({ name: z.string().max(100), version: z.string().max(100) }),
  capabilities: z.array(z.string().max(100)).max(64),
});
export type RunnerInfo = z.infer<typeof RunnerInfo>;

export const RunnerPresence = RunnerInfo.extend({
  user: Actor,
  status: RunnerStatus,
  thread_id: Id.nullable(),
  /** User names allowed to steer the session (the listen user first). */
  allowed: z.array(z.string()).max(64),
  updated_at: z.string(),
});
export type RunnerPresence = z.infer<typeof RunnerPresence>;

/** What a human asks of the runner attached to a thread. */
export const ControlAction = z.discriminatedUnion('type', [
  z.object({ type: z.literal('interrupt'), through_seq: Seq.optional() }),
  z.object({ type: z.literal('drop_queued'), through_seq: Seq }),
  z.object({ type: z.literal('resolve_approval'), request_id: z.string().min(1).max(128), choice: z.string().min(1).max(64) }),
  z.object({
    type: z.literal('resolve_port_forward'),
    request_id: z.string().min(1).max(128),
    decision: z.enum(['approve', 'deny']),
  }),
  /** Run a `failed` message again (docs/protocol.md, "Runner restarts"). */
  z.object({ type: z.literal('retry'), message_id: Id }),
]);
export type ControlAction = z.infer<typeof ControlAction>;

/** The reason a restarted runner gives the message its dead process was working on. */
export const RUNNER_RESTARTED = 'runner restarted';

/** `/pilothouse` followed by a space, a newline or nothing, after leading blanks: a command for the runner, not an instruction. */
export function isChatCommand(body: string): boolean {
  return /^\s*\/pilothouse(\s|$)/i.test(body);
}

/** Whether a retry control may name this message: a person's instruction (not a command) that failed. */
export function isRetryable(message: Pick<Message, 'kind' | 'runner_id' | 'body' | 'state'>): boolean {
  return message.kind === 'text' && message.runner_id === null && message.state?.state === 'failed' && !isChatCommand(message.body);
}
