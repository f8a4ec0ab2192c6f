// Claude's tool calls as rows: one table from tool name to row kind and shape. A `tool_use`
// block opens the row (started, eager); the `tool_result` in the next `user` line closes it with
// the output. Kinds differ in data only (agent/vocabulary.ts RowData).

import type { RowStatus } from '@pilothouse/protocol';
import type { Meta, RowData, RowKind } from '../agent/vocabulary.js';
import { inputDiff, resultDiff } from './diff.js';
import type { ContentBlock } from './wire.js';

/** A tool call seen in this turn: what its result needs to close its row. */
export interface ToolCall {
  readonly key: string;
  readonly name: string;
  readonly input: Readonly<Record<string, unknown>>;
}

type Input = Readonly<Record<string, unknown>>;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** The row shape of each tool Claude Code ships with; any other tool (MCP too) is a generic command row. */
function shape(name: string, input: Input): { kind: RowKind; body: string | null; meta: Meta } {
  switch (name) {
    case 'Bash':
      return { kind: 'command', body: null, meta: { command: str(input.command), description: str(input.description) || null, tool: 'Bash' } };
    case 'Write':
    case 'Edit':
    case 'MultiEdit':
      return { kind: 'file_change', body: inputDiff(name, input), meta: { changes: [{ path: str(input.file_path), kind: name === 'Write' ? 'add' : 'update' }], tool: name } };
    case 'WebSearch':
      return { kind: 'web_search', body: str(input.query), meta: { query: str(input.query), tool: name } };
    case 'WebFetch':
      return { kind: 'web_search', body: str(input.url), meta: { query: str(input.url), url: str(input.url), prompt: str(input.prompt), tool: name } };
    case 'TodoWrite':
      return { kind: 'plan', body: todoList(input.todos), meta: { steps: Array.isArray(input.todos) ? input.todos : [], tool: name } };
    default:
      return { kind: 'command', body: null, meta: { command: `${name} ${summarise(input)}`.trim(), tool: { name, input } } };
  }
}

/** TodoWrite's list as a checklist, like Codex's plan rows. */
function todoList(todos: unknown): string {
  if (!Array.isArray(todos)) return '';
  const mark: Record<string, string> = { completed: '[x]', in_progress: '[~]', pending: '[ ]' };
  return todos
    .map((t: unknown) => (typeof t === 'object' && t !== null ? t : {}) as Record<string, unknown>)
    .map((t) => `- ${mark[str(t.status)] ?? '[ ]'} ${str(t.content)}`)
    .join('\n');
}

/** A one-line view of a generic tool's input (its first string fields). */
function summarise(input: Input): string {
  const first = Object.values(input).find((v): v is string => typeof v === 'string');
  return first === undefined ? '' : first.length > 120 ? `${first.slice(0, 119)}…` : first;
}

/** The row a `tool_use` block opens. */
export function toolStarted(call: ToolCall): RowData {
  const { kind, body, meta } = shape(call.name, call.input);
  // Commands stream nothing: their output arrives with the result.
  return { key: call.key, kind, body: kind === 'command' ? null : body, meta, status: 'streaming', eager: true };
}

/** The `tool_result` of a call closes its row: the output (or, for a file, the applied diff). */
export function toolFinished(call: ToolCall, result: ContentBlock, toolUseResult: unknown, declined: boolean): RowData {
  const { kind, body, meta } = shape(call.name, call.input);
  const isError = result.is_error === true;
  const status: RowStatus = declined ? 'declined' : isError ? 'failed' : 'completed';
  const output = resultText(result.content);
  const text = (() => {
    switch (kind) {
      case 'command':
        return output;
      case 'file_change':
        return (isError ? null : resultDiff(str(call.input.file_path), toolUseResult)) ?? body;
      case 'web_search':
      case 'plan':
      case 'assistant':
      case 'reasoning':
      case 'terminal_input':
        return body;
    }
  })();
  return { key: call.key, kind, body: text, meta: { ...meta, status, ...(isError && kind !== 'command' ? { error: output } : {}) }, status, eager: true };
}

/** A tool_result's content: a string, or text blocks (images are named, not embedded). */
export function resultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((c: unknown) => (typeof c === 'object' && c !== null ? (c as Record<string, unknown>) : {}))
    .map((c) => (c.type === 'text' ? str(c.text) : `[${str(c.type)}]`))
    .join('\n');
}
