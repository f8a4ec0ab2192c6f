// One ACP prompt turn as plain data, and the pure steps that turn its session updates into agent
// inputs (agent/vocabulary.ts): message and thought chunks stream into assistant and reasoning
// rows (a new row after a tool call or a new message id), tool calls become rows (tools.ts), the
// plan one row per turn, and the prompt's stop reason the turn's outcome.

import type { StopReason } from '@agentclientprotocol/sdk';
import { assertNever, type RowStatus } from '@pilothouse/protocol';
import type { AgentInput, RowData, TurnOutcome } from '../agent/vocabulary.js';
import type { ContentBlock, PlanEntry, SessionUpdate, ToolCallFields } from './schema.js';
import { isFinished, mergeToolCall, toolRow } from './tools.js';

export interface ToolEntry {
  readonly call: ToolCallFields;
  /** Closed by the runner (a refused permission the agent never reports on): later updates are ignored. */
  readonly closedByRunner: boolean;
}

type TextKind = 'assistant' | 'reasoning';

export interface AcpTurn {
  readonly sessionId: string;
  readonly turnId: string;
  /** The text row streaming now, if any. */
  readonly text: { readonly kind: TextKind; readonly key: string; readonly messageId: string | null } | null;
  /** Text rows opened so far (their keys are numbered). */
  readonly segments: number;
  readonly tools: Readonly<Record<string, ToolEntry>>;
}

export interface Step {
  readonly turn: AcpTurn;
  readonly inputs: AgentInput[];
}

export const newTurn = (sessionId: string, turnId: string): AcpTurn => ({ sessionId, turnId, text: null, segments: 0, tools: {} });
export const toolKey = (turnId: string, toolCallId: string): string => `${turnId}:tool:${toolCallId}`;
const planKey = (turnId: string): string => `${turnId}:plan`;

const chunkText = (c: ContentBlock): string => c.text ?? `[${c.type}${c.uri ? `: ${c.uri}` : ''}]`;

/** The streaming text row, closed (its streamed text stands), as a final row. */
function textFinal(turn: AcpTurn): RowData[] {
  return turn.text === null ? [] : [{ key: turn.text.key, kind: turn.text.kind, body: null, meta: {}, status: 'completed', eager: false }];
}

/** Ends the streaming text row: what follows starts a new one. */
function closeText(turn: AcpTurn, now: number): Step {
  const inputs: AgentInput[] = textFinal(turn).map((row) => ({ type: 'item_completed', now, threadId: turn.sessionId, turnId: turn.turnId, row }));
  return { turn: { ...turn, text: null }, inputs };
}

function onChunk(turn: AcpTurn, kind: TextKind, content: ContentBlock, messageId: string | null, now: number): Step {
  const t = turn.text;
  const same = t !== null && t.kind === kind && (messageId === null || t.messageId === null || t.messageId === messageId);
  const closed = same ? { turn, inputs: [] } : closeText(turn, now);
  const text = same ? t : { kind, key: `${turn.turnId}:${kind === 'assistant' ? 'm' : 'r'}${turn.segments}`, messageId };
  const next = { ...closed.turn, text, segments: same ? turn.segments : turn.segments + 1 };
  return { turn: next, inputs: [...closed.inputs, { type: 'item_delta', now, threadId: turn.sessionId, turnId: turn.turnId, key: text.key, kind, text: chunkText(content) }] };
}

/** A tool call seen (in a tool_call, a tool_call_update, or a permission request): its row opened, or closed once finished. */
export function onToolCall(turn: AcpTurn, update: ToolCallFields, now: number): Step {
  const known = turn.tools[update.toolCallId];
  if (known?.closedByRunner) return { turn, inputs: [{ type: 'agent_note', now, threadId: turn.sessionId, level: 'debug', event: 'acp_tool_update_ignored', fields: { tool_call_id: update.toolCallId } }] };
  const call = mergeToolCall(known?.call, update);
  const opened = known === undefined ? closeText(turn, now) : { turn, inputs: [] };
  const next = { ...opened.turn, tools: { ...turn.tools, [update.toolCallId]: { call, closedByRunner: false } } };
  const row = toolRow(toolKey(turn.turnId, update.toolCallId), call);
  const base = { now, threadId: turn.sessionId, turnId: turn.turnId, row };
  if (isFinished(call)) return { turn: next, inputs: [...opened.inputs, { type: 'item_completed', ...base }] };
  return { turn: next, inputs: known === undefined ? [...opened.inputs, { type: 'item_started', ...base }] : [] };
}

/** The runner closes a tool call's row itself (`declined`: a refused permission, which the agent may never report). */
export function closeTool(turn: AcpTurn, toolCallId: string, status: RowStatus, now: number): Step {
  const known = turn.tools[toolCallId];
  if (known === undefined || known.closedByRunner || isFinished(known.call)) return { turn, inputs: [] };
  const row = toolRow(toolKey(turn.turnId, toolCallId), known.call, status);
  return { turn: { ...turn, tools: { ...turn.tools, [toolCallId]: { ...known, closedByRunner: true } } }, inputs: [{ type: 'item_completed', now, threadId: turn.sessionId, turnId: turn.turnId, row }] };
}

function planRow(turnId: string, entries: readonly PlanEntry[]): RowData {
  const mark = (status: string) => (status === 'completed' ? '[x]' : status === 'in_progress' ? '[~]' : '[ ]');
  const body = entries.map((e) => `- ${mark(e.status)} ${e.content}`).join('\n');
  return { key: planKey(turnId), kind: 'plan', body, meta: { steps: entries.map((e) => ({ step: e.content, status: e.status })) }, status: 'completed', eager: true };
}

/** A `session/update` during the turn, as agent inputs. */
export function onUpdate(turn: AcpTurn, update: SessionUpdate, now: number): Step {
  const note = (level: 'debug' | 'warn', event: string, fields: Record<string, unknown>): Step => ({ turn, inputs: [{ type: 'agent_note', now, threadId: turn.sessionId, level, event, fields }] });
  switch (update.sessionUpdate) {
    case 'agent_message_chunk':
      return onChunk(turn, 'assistant', update.content, update.messageId ?? null, now);
    case 'agent_thought_chunk':
      return onChunk(turn, 'reasoning', update.content, update.messageId ?? null, now);
    case 'tool_call':
    case 'tool_call_update': {
      const { sessionUpdate: _, ...call } = update;
      return onToolCall(turn, call, now);
    }
    case 'plan':
      return { turn, inputs: [{ type: 'item_completed', now, threadId: turn.sessionId, turnId: turn.turnId, row: planRow(turn.turnId, update.entries) }] };
    case 'current_mode_update':
      return note('debug', 'acp_mode_changed', { mode: update.currentModeId });
    case 'user_message_chunk':
      return note('debug', 'acp_user_message_echo', {});
    case 'other':
      return note('debug', 'acp_session_update', { update: update.name });
    default:
      return assertNever(update, 'session update');
  }
}

const STOP_REASONS = ['end_turn', 'max_tokens', 'max_turn_requests', 'refusal', 'cancelled'] as const satisfies readonly StopReason[];
const isStopReason = (reason: string): reason is StopReason => (STOP_REASONS as readonly string[]).includes(reason);

/** The prompt's stop reason as the turn's outcome (ACP StopReason; one this version does not know fails the turn, named). */
export function outcomeOf(stopReason: string): TurnOutcome {
  if (!isStopReason(stopReason)) return { status: 'failed', reason: `the agent stopped: ${stopReason}` };
  switch (stopReason) {
    case 'end_turn':
      return { status: 'completed' };
    case 'cancelled':
      return { status: 'interrupted' };
    case 'max_tokens':
      return { status: 'failed', reason: 'the agent stopped: the model reached its token limit (max_tokens)' };
    case 'max_turn_requests':
      return { status: 'failed', reason: 'the agent stopped: too many model requests in one turn (max_turn_requests)' };
    case 'refusal':
      return { status: 'failed', reason: 'the agent refused to continue (refusal)' };
    default:
      return assertNever(stopReason, 'stop reason');
  }
}

/** The turn's end: the streaming text row closes with it when the turn completed (else the session marks it as the turn ended). */
export function turnEnded(turn: AcpTurn, outcome: TurnOutcome, now: number): AgentInput {
  const finals = outcome.status === 'completed' ? textFinal(turn) : [];
  return { type: 'turn_completed', now, threadId: turn.sessionId, turnId: turn.turnId, outcome, finals };
}
