// Claude Code's stream-json output lines into the agent vocabulary (agent/vocabulary.ts), as a
// pure step: `translate(state, line, now) → {state, inputs}` over plain data. Token deltas
// (`stream_event`) stream assistant and reasoning rows; each `assistant` line closes its content
// blocks (one block per line in 2.1.332; `aborted` when interrupted mid-stream) or opens a tool call's row (tools.ts); the `tool_result`
// in the next `user` line closes it; `result` ends the turn. Control lines are the adapter's.

import { assertNever, type RowStatus } from '@pilothouse/protocol';
import type { AgentInput, RowData, TurnOutcome } from '../agent/vocabulary.js';
import { toolFinished, toolStarted, type ToolCall } from './tools.js';
import type { ClaudeLine, ContentBlock } from './wire.js';

export interface TranslatorState {
  /** The turn the driver started with its last user line; null before the first. */
  readonly turnId: string | null;
  /** The model message being streamed (stream_event message_start). */
  readonly streaming: string | null;
  /** How many content blocks of message `id` its `assistant` lines carried so far (their stream indexes). */
  readonly message: { readonly id: string; readonly blocks: number } | null;
  /** This turn's tool calls by tool_use id (cleared when the turn ends). */
  readonly tools: Readonly<Record<string, ToolCall>>;
}

/** Tool calls remembered per turn. */
const MAX_TOOLS = 256;

export const initialTranslator: TranslatorState = { turnId: null, streaming: null, message: null, tools: {} };

/** A new user line was written: what follows belongs to turn `turnId`. */
export const beginTurn = (state: TranslatorState, turnId: string): TranslatorState => ({ ...state, turnId, streaming: null, message: null, tools: {} });

/** Row keys: model message ids and tool ids may repeat across turns (a scripted model reuses them). */
export const blockKey = (turnId: string, messageId: string, index: number): string => `${turnId}:${messageId}:${index}`;
export const toolKey = (turnId: string, toolUseId: string): string => `${turnId}:${toolUseId}`;

type ContentLine = Exclude<ClaudeLine, { type: 'control_request' | 'control_response' | 'control_cancel_request' }>;
export interface Step {
  readonly state: TranslatorState;
  readonly inputs: AgentInput[];
}

export function translate(state: TranslatorState, line: ContentLine, now: number): Step {
  const turnId = state.turnId;
  switch (line.type) {
    case 'system':
      if (line.subtype === 'init') return { state, inputs: [{ type: 'agent_note', now, level: 'debug', event: 'claude_init', fields: { session_id: line.session_id, model: line.model, permission_mode: line.permissionMode } }] };
      if (line.subtype === 'api_retry' && turnId !== null) return { state, inputs: [retryTrouble(turnId, line, now)] };
      return { state, inputs: [] };
    case 'stream_event': {
      const e = line.event;
      if (e.type === 'message_start') return { state: { ...state, streaming: e.message?.id ?? null }, inputs: [] };
      if (e.type !== 'content_block_delta' || turnId === null || state.streaming === null || e.index === undefined) return { state, inputs: [] };
      const key = blockKey(turnId, state.streaming, e.index);
      if (e.delta?.type === 'text_delta' && e.delta.text) return { state, inputs: [{ type: 'item_delta', now, turnId, key, kind: 'assistant', text: e.delta.text }] };
      if (e.delta?.type === 'thinking_delta' && e.delta.thinking) return { state, inputs: [{ type: 'item_delta', now, turnId, key, kind: 'reasoning', text: e.delta.thinking }] };
      return { state, inputs: [] };
    }
    case 'assistant': {
      // Claude's own stand-in for a reply it could not get (an API error): the `result` tells the reason.
      if (turnId === null || line.message.model === SYNTHETIC) return { state, inputs: [] };
      const { id, content } = line.message;
      const base = state.message?.id === id ? state.message.blocks : 0;
      const inputs: AgentInput[] = [];
      const tools: Record<string, ToolCall> = { ...state.tools };
      content.forEach((block, i) => {
        const row = blockRow(turnId, id, base + i, block, line.aborted === true ? 'interrupted' : 'completed');
        if (row !== null) return inputs.push({ type: 'item_completed', now, turnId, row });
        if (block.type === 'tool_use' && typeof block.id === 'string') {
          const call: ToolCall = { key: toolKey(turnId, block.id), name: typeof block.name === 'string' ? block.name : 'tool', input: isRecord(block.input) ? block.input : {} };
          tools[block.id] = call;
          // Bounded: a runaway turn forgets its oldest calls (their results then close nothing).
          const ids = Object.keys(tools);
          if (ids.length > MAX_TOOLS) delete tools[ids[0]!];
          inputs.push({ type: 'item_started', now, turnId, row: toolStarted(call) });
        }
        return undefined;
      });
      return { state: { ...state, message: { id, blocks: base + content.length }, tools }, inputs };
    }
    case 'user': {
      const content = line.message.content;
      if (turnId === null || typeof content === 'string') return { state, inputs: [] };
      const results = content.filter((b) => b.type === 'tool_result');
      const inputs = results.flatMap((block): AgentInput[] => {
        const call = typeof block.tool_use_id === 'string' ? state.tools[block.tool_use_id] : undefined;
        if (call === undefined) return [];
        const result = results.length === 1 ? line.tool_use_result : undefined;
        return [{ type: 'item_completed', now, turnId, row: toolFinished(call, block, result, declined(line.tool_result_meta, block.tool_use_id)) }];
      });
      return { state, inputs };
    }
    case 'result': {
      if (turnId === null) return { state, inputs: [] };
      return { state: { ...state, streaming: null, message: null, tools: {} }, inputs: [{ type: 'turn_completed', now, turnId, outcome: outcomeOf(line), finals: [] }] };
    }
    default:
      return assertNever(line, 'claude line');
  }
}

const SYNTHETIC = '<synthetic>';

/** Claude retries a failed model request: the message says so (rate limited on 429). */
function retryTrouble(turnId: string, line: Extract<ClaudeLine, { type: 'system' }>, now: number): AgentInput {
  const status = line.error_status ?? null;
  const attempt = line.attempt !== undefined && line.max_retries !== undefined ? ` (attempt ${line.attempt} of ${line.max_retries})` : '';
  const delay = line.retry_delay_ms !== undefined ? `, retrying in ${Math.max(1, Math.round(line.retry_delay_ms / 1000))} s` : '';
  const what = [line.error ?? 'model request failed', status !== null ? `HTTP ${status}` : null].filter(Boolean).join(', ');
  // No status: the request got no HTTP answer at all (connection refused, DNS, timeout).
  return { type: 'agent_trouble', now, turnId, kind: status === 429 ? 'rate_limited' : 'reconnecting', message: `${what}${attempt}${delay}`, httpStatus: status, ...(status === null ? { unreachable: true as const } : {}) };
}

/** A text or thinking block as its final row; null for other blocks (tool_use is a tool row). */
function blockRow(turnId: string, messageId: string, index: number, block: ContentBlock, status: RowStatus): RowData | null {
  const key = blockKey(turnId, messageId, index);
  if (block.type === 'text' && typeof block.text === 'string') return { key, kind: 'assistant', body: block.text, meta: {}, status, eager: false };
  if (block.type === 'thinking' && typeof block.thinking === 'string') return { key, kind: 'reasoning', body: block.thinking, meta: {}, status, eager: false };
  return null;
}

/** How a turn ended, from the `result` line: success; aborted_* (an interrupt); anything else failed, with Claude's reason. */
export function outcomeOf(result: Extract<ClaudeLine, { type: 'result' }>): TurnOutcome {
  if (result.subtype === 'success' && result.is_error !== true) return { status: 'completed' };
  if (result.terminal_reason?.startsWith('aborted') === true) return { status: 'interrupted' };
  const detail = result.result ?? result.errors?.join('; ') ?? '';
  const reason = detail !== '' ? detail : `Claude Code ended the turn: ${result.subtype}${result.terminal_reason ? ` (${result.terminal_reason})` : ''}`;
  return { status: 'failed', reason };
}

/** Claude did not run the tool (refused by a person or a rule): the row shows it declined. */
function declined(meta: unknown, toolUseId: unknown): boolean {
  if (!Array.isArray(meta)) return false;
  return meta.some((m: unknown) => isRecord(m) && m.id === toolUseId && typeof m.non_execution_kind === 'string');
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
