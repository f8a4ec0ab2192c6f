// Codex app-server notifications into the agent vocabulary (agent/vocabulary.ts): one table of
// notification method -> translation (methods not listed are not the session's business). Every
// item kind becomes the same item_started / item_delta / item_completed inputs; kinds differ
// only in the row data of items.ts. Pure: the adapter (adapter.ts) keeps what must be remembered.

import { assertNever, type AgentTrouble } from '@pilothouse/protocol';
import type { AgentInput, RowData, TurnOutcome } from '../agent/vocabulary.js';
import type { ServerNotification } from './generated/index.js';
import type { ThreadItem, TurnError, UserInput } from './generated/v2/index.js';
import { buildRow, DELTA_KINDS, itemKey, planRow, REASONING_PART_SEPARATOR, terminalInputRow, type DeltaMethod } from './items.js';
import type { NotificationParams } from './methods.js';

type Method = ServerNotification['method'];
type Translation<M extends Method> = (params: NotificationParams<M>, now: number) => AgentInput[];

const onDelta =
  <M extends DeltaMethod>(method: M): Translation<M> =>
  (p: NotificationParams<DeltaMethod>, now) => [{ type: 'item_delta', now, threadId: p.threadId, turnId: p.turnId, key: itemKey(p.turnId, p.itemId), kind: DELTA_KINDS[method], text: p.delta }];

/** An item as a row, or the owner's input to mirror (userMessage), or nothing (internals). */
function itemInput(now: number, type: 'item_started' | 'item_completed', threadId: string, turnId: string, item: ThreadItem): AgentInput[] {
  if (item.type === 'userMessage') return [{ type: 'user_input', now, threadId, turnId, itemId: item.id, clientId: item.clientId, text: inputText(item.content) }];
  const row = buildRow(turnId, item, type === 'item_started' ? 'started' : 'completed');
  return row === null ? [] : [{ type, now, threadId, turnId, row }];
}

const translations: { readonly [M in Method]?: Translation<M> } = {
  'turn/started': (p, now) => [{ type: 'turn_started', now, threadId: p.threadId, turnId: p.turn.id }],
  'item/started': (p, now) => itemInput(now, 'item_started', p.threadId, p.turnId, p.item),
  'item/agentMessage/delta': onDelta('item/agentMessage/delta'),
  'item/reasoning/summaryTextDelta': onDelta('item/reasoning/summaryTextDelta'),
  'item/commandExecution/outputDelta': onDelta('item/commandExecution/outputDelta'),
  'item/plan/delta': onDelta('item/plan/delta'),
  'item/reasoning/summaryPartAdded': (p, now) =>
    p.summaryIndex > 0 ? [{ type: 'item_delta', now, threadId: p.threadId, turnId: p.turnId, key: itemKey(p.turnId, p.itemId), kind: 'reasoning', text: REASONING_PART_SEPARATOR }] : [],
  'item/commandExecution/terminalInteraction': (p, now) => {
    const { key, kind, meta } = terminalInputRow(p.turnId, p.itemId, p.processId);
    return [{ type: 'item_delta', now, threadId: p.threadId, turnId: p.turnId, key, kind, text: p.stdin, meta }];
  },
  'item/completed': (p, now) => {
    const inputs = itemInput(now, 'item_completed', p.threadId, p.turnId, p.item);
    if (p.item.type !== 'commandExecution') return inputs;
    // What was typed into the command closes with it (if anything was typed).
    const stdin: RowData = { ...terminalInputRow(p.turnId, p.item.id, p.item.processId ?? ''), status: 'completed' };
    return [...inputs, { type: 'item_completed', now, threadId: p.threadId, turnId: p.turnId, row: stdin, onlyIfOpen: true }];
  },
  'turn/plan/updated': (p, now) => [{ type: 'item_completed', now, threadId: p.threadId, turnId: p.turnId, row: planRow(p.turnId, p.explanation, p.plan) }],
  'turn/completed': (p, now) => [
    {
      type: 'turn_completed',
      now,
      threadId: p.threadId,
      turnId: p.turn.id,
      outcome: outcomeOf(p.turn),
      finals: p.turn.items.flatMap((i) => buildRow(p.turn.id, i, 'completed') ?? []),
    },
  ],
  'serverRequest/resolved': (p, now) => [{ type: 'approval_withdrawn', now, threadId: p.threadId, requestId: String(p.requestId) }],
  'thread/status/changed': (p, now) => [{ type: 'agent_note', now, threadId: p.threadId, level: 'debug', event: 'thread_status', fields: { status: p.status } }],
  error: (p, now) => [
    { type: 'agent_note', now, threadId: p.threadId, level: 'warn', event: 'codex_error', fields: { turn_id: p.turnId, message: p.error.message, will_retry: p.willRetry } },
    { type: 'agent_trouble', now, threadId: p.threadId, turnId: p.turnId, ...troubleOf(p.error, p.willRetry) },
  ],
  warning: (p, now) => [{ type: 'agent_note', now, threadId: p.threadId ?? undefined, level: 'warn', event: 'codex_warning', fields: { ...p } }],
};

/** A notification that arrived at `now` as agent inputs (none for methods that are not the session's business). */
export function translateNotification(notification: ServerNotification, now: number): AgentInput[] {
  // The table pairs each method with its own params type; TypeScript cannot follow the pairing.
  const translate = translations[notification.method] as ((params: unknown, now: number) => AgentInput[]) | undefined;
  return translate?.(notification.params, now) ?? [];
}

function outcomeOf(turn: NotificationParams<'turn/completed'>['turn']): TurnOutcome {
  switch (turn.status) {
    case 'completed':
      return { status: 'completed' };
    case 'interrupted':
      return { status: 'interrupted' };
    case 'failed':
      return { status: 'failed', reason: turn.error?.message ?? 'the turn failed' };
    case 'inProgress':
      return { status: 'failed', reason: 'the turn ended while still in progress' };
    default:
      return assertNever(turn.status, 'turn status');
  }
}

/** Codex lost the thread (e.g. after a restart): the session starts a new one and retries the message. */
export function isThreadLost(message: string): boolean {
  return /thread[^\n]{0,80}not (found|loaded)|no (such|active) thread|unknown thread/i.test(message);
}

/** What the owner typed, as text: attachments are named, not embedded. */
export function inputText(content: readonly UserInput[]): string {
  return content
    .map((input) => {
      switch (input.type) {
        case 'text':
          return input.text;
        case 'image':
          return '[image]';
        case 'localImage':
          return `[image: ${input.path}]`;
        case 'audio':
          return '[audio]';
        case 'localAudio':
          return `[audio: ${input.path}]`;
        case 'skill':
          return `[skill: ${input.name}]`;
        case 'mention':
          return `[mention: ${input.name}]`;
        default:
          return assertNever(input, 'user input');
      }
    })
    .join('\n');
}

/** Codex's error report as trouble: rate limits and overload apart from lost connections; a report with no retry is the end. */
export function troubleOf(error: TurnError, willRetry: boolean): { kind: AgentTrouble['kind']; message: string; httpStatus: number | null; unreachable?: true } {
  const info = error.codexErrorInfo;
  const httpStatus = info !== null && typeof info === 'object' ? httpStatusOf(info) : null;
  const limited = info === 'rateLimitExceeded' || info === 'usageLimitExceeded' || info === 'serverOverloaded' || httpStatus === 429;
  const kind = !willRetry ? 'failed' : limited ? 'rate_limited' : 'reconnecting';
  // Nothing answered: the cause ("Connection failed: …") is the news, not Codex's "Reconnecting…".
  if (httpStatus === null && isConnectionFailure(error)) return { kind, message: error.additionalDetails ?? error.message, httpStatus, unreachable: true };
  const message = error.additionalDetails ? `${error.message} (${error.additionalDetails})` : error.message;
  return { kind, message, httpStatus };
}

/**
 * Nothing answered: Codex's own `ConnectionFailed` error ("Connection failed: error sending
 * request", reported as "Reconnecting... waiting for network" while it retries). 0.169.0 tags it
 * `responseStreamDisconnected` with no status, as it does a stream that stalled after the model
 * answered, so the text is the only tell (codex-rs/core/src/responses_retry.rs).
 */
function isConnectionFailure(error: TurnError): boolean {
  return /^Connection failed\b/.test(error.additionalDetails ?? '') || /^Connection failed\b|waiting for network/.test(error.message);
}

function httpStatusOf(info: Record<string, unknown>): number | null {
  for (const value of Object.values(info)) {
    if (typeof value === 'object' && value !== null && 'httpStatusCode' in value && typeof value.httpStatusCode === 'number') return value.httpStatusCode;
  }
  return null;
}
