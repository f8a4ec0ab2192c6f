// The turn lifecycle of one queued message: idle -> starting -> active -> completing -> idle, as a
// tagged union with pure transitions, plus what the message state shows at each point.
// `completing` lasts while the session closes the turn (flush, reconcile, reject approvals,
// publish the final state) within one step; late input for that turn id is then dropped.

import { assertNever } from '@pilothouse/protocol';
import type { AgentTrouble, Approval, ApprovalDecision, MessageState, RowStatus } from '@pilothouse/protocol';
import type { RowKind, TurnOutcome } from '../agent/vocabulary.js';
import type { QueuedMessage } from './queue.js';

export type ProcessingReason =
  | 'starting turn'
  | 'streaming response'
  | 'running terminal command'
  | 'awaiting approval'
  | 'interrupt requested'
  | 'approval expired';

export interface InterruptRequest {
  readonly by: string;
  /** The agent interrupt was sent (false while the turn id is not known yet). */
  readonly sent: boolean;
}

export interface Work {
  readonly message: QueuedMessage;
  readonly interrupt: InterruptRequest | null;
  readonly activity: ProcessingReason;
  /** An approval of this turn expired unanswered (the agent was told its expiry choice, e.g. cancel, which ends the turn). */
  readonly expired: boolean;
  /** The last state published for the message, serialized (publish only changes). */
  readonly published: string | null;
  /** This turn's approvals that were decided, oldest first (at most MAX_DECISIONS): kept on the message state. */
  readonly decided: readonly ApprovalDecision[];
  /** The agent's latest report of trouble reaching its model; cleared when output flows again. */
  readonly trouble: AgentTrouble | null;
  /** Since when nothing answers the agent's model requests (connection refused, DNS, timeout); null while something does. */
  readonly unreachableSince: number | null;
  /** Set when the session gave the turn up because its model cannot be reached: the message's failure reason. */
  readonly gaveUp: string | null;
  /** Since when the turn has been quiet: the agent's last word about it, or the last probe's answer (null before it started). */
  readonly quietSince: number | null;
  /** Since when a probe of the model's URL is out (config.modelProbeMs); null when none is. */
  readonly probeSince: number | null;
}

export type { TurnOutcome };

export type Turn =
  | { readonly status: 'idle' }
  | ({ readonly status: 'starting' } & Work)
  | ({ readonly status: 'active'; readonly turnId: string } & Work)
  | ({ readonly status: 'completing'; readonly turnId: string; readonly outcome: TurnOutcome } & Work);

export const IDLE: Turn = { status: 'idle' };

export function begin(message: QueuedMessage): Extract<Turn, { status: 'starting' }> {
  return { status: 'starting', message, interrupt: null, activity: 'starting turn', expired: false, published: null, decided: [], trouble: null, unreachableSince: null, gaveUp: null, quietSince: null, probeSince: null };
}

/** The agent gave the turn id (its turn start answer, or turn started). */
export function started(turn: Extract<Turn, { status: 'starting' }>, turnId: string): Extract<Turn, { status: 'active' }> {
  return { ...turn, status: 'active', turnId };
}

export function completing(turn: Extract<Turn, { status: 'active' }>, outcome: TurnOutcome): Extract<Turn, { status: 'completing' }> {
  return { ...turn, status: 'completing', outcome };
}

export function reasonForKind(kind: RowKind): ProcessingReason {
  switch (kind) {
    case 'command':
    case 'terminal_input':
      return 'running terminal command';
    case 'assistant':
    case 'reasoning':
    case 'file_change':
    case 'web_search':
    case 'plan':
      return 'streaming response';
    default:
      return assertNever(kind, 'stream kind');
  }
}

/** The record a message state carries: the decided approvals (when any). */
export const onRecord = (work: Pick<Work, 'decided'>): Pick<MessageState, 'decided'> => (work.decided.length === 0 ? {} : { decided: [...work.decided] });

/** What the message shows while its turn runs (the agent's trouble, when it reports some, says why nothing comes). */
export function processingState(work: Work, approval: Approval | null): MessageState {
  const record = { ...onRecord(work), ...(work.trouble === null ? {} : { trouble: work.trouble }) };
  if (work.interrupt !== null) return { state: 'processing', reason: 'interrupt requested', approval: null, ...record };
  if (approval !== null) return { state: 'processing', reason: 'awaiting approval', approval, ...record };
  return { state: 'processing', reason: work.trouble === null ? work.activity : troubleReason(work.trouble), approval: null, ...record };
}

/** "reconnecting to the model (attempt 2)", "rate limited (attempt 1)", "the model failed". */
export function troubleReason(trouble: AgentTrouble): string {
  switch (trouble.kind) {
    case 'reconnecting':
      return `reconnecting to the model (attempt ${trouble.attempt})`;
    case 'rate_limited':
      return `rate limited by the model (attempt ${trouble.attempt})`;
    case 'failed':
      return 'the model failed';
    default:
      return assertNever(trouble.kind, 'trouble kind');
  }
}

/** The message's final state once its turn ended. */
export function finalState(work: Work, outcome: TurnOutcome): MessageState {
  // The session stopped a turn whose model never answered: however the agent ended it, it failed.
  if (work.gaveUp !== null && outcome.status !== 'completed') return { state: 'failed', reason: work.gaveUp, approval: null, ...onRecord(work) };
  switch (outcome.status) {
    case 'completed':
      return { state: 'processed', reason: null, approval: null, ...onRecord(work) };
    case 'interrupted': {
      // Who or what stopped it: a person's interrupt, else an expired approval's cancel.
      const why = work.interrupt !== null ? `interrupted by ${work.interrupt.by}` : work.expired ? 'approval expired' : 'interrupted';
      return { state: 'processed', reason: why, approval: null, ...onRecord(work) };
    }
    case 'failed':
      return { state: 'failed', reason: outcome.reason, approval: null, ...onRecord(work) };
    default:
      return assertNever(outcome, 'turn outcome');
  }
}

/** Status for rows the turn left open (they never got item/completed). */
export function danglingStatus(outcome: TurnOutcome): RowStatus {
  return outcome.status === 'failed' ? 'failed' : 'interrupted';
}
