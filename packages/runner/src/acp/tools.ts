// ACP tool calls as rows (agent/vocabulary.ts RowData), by the tool's `kind`: execute is a
// command, edit a file change with a diff from its `diff` blocks, fetch and search a web search,
// every other kind a generic tool row (shown as a command named by its title). A call arrives in
// parts (tool_call, then tool_call_update with only what changed): merged here, then built whole.

import { assertNever, type RowStatus } from '@pilothouse/protocol';
import type { Meta, RowData, RowKind } from '../agent/vocabulary.js';
import { unifiedDiff } from './diff.js';
import type { ToolCallFields, ToolContent, ToolStatus } from './schema.js';

/** A tool call's fields so far: each update replaces the fields it carries (ACP tool_call_update). */
export function mergeToolCall(previous: ToolCallFields | undefined, update: ToolCallFields): ToolCallFields {
  if (previous === undefined) return update;
  const merged: Record<string, unknown> = { ...previous };
  for (const [field, value] of Object.entries(update)) if (value !== undefined && value !== null) merged[field] = value;
  return merged as ToolCallFields;
}

export function rowStatus(status: ToolStatus | null | undefined): RowStatus {
  switch (status) {
    case null:
    case undefined:
    case 'pending':
    case 'in_progress':
      return 'streaming';
    case 'completed':
    case 'failed':
      return status;
    default:
      return assertNever(status, 'tool call status');
  }
}

/** Whether the agent reported the call finished. */
export const isFinished = (call: ToolCallFields): boolean => call.status === 'completed' || call.status === 'failed';

const texts = (content: readonly ToolContent[]): string[] =>
  content.flatMap((c) => (c.type === 'content' ? [c.content.text ?? `[${c.content.type}${c.content.uri ? `: ${c.content.uri}` : ''}]`] : []));
type DiffBlock = Extract<ToolContent, { type: 'diff' }>;
const diffs = (content: readonly ToolContent[]): DiffBlock[] => content.flatMap((c) => (c.type === 'diff' ? [c] : []));
/** A new file: no old text (ACP), or Gemini CLI's `_meta.kind: 'add'` with an empty one. */
const isNew = (d: DiffBlock): boolean => d.oldText === null || d.oldText === undefined || (d.oldText === '' && d._meta?.kind === 'add');
const joined = (parts: readonly string[]): string | null => (parts.length === 0 ? null : parts.join('\n'));
/** A command's output: what a finished call's content says (before that, content describes the call, e.g. Gemini's pending command). */
const output = (call: ToolCallFields, content: readonly ToolContent[]): string | null => (isFinished(call) ? (joined(texts(content)) ?? '') : null);

/** What the call runs, by its title, else a `command` string in its raw input, else its kind. */
function commandOf(call: ToolCallFields): string {
  const raw = call.rawInput;
  const command = typeof raw === 'object' && raw !== null && 'command' in raw && typeof raw.command === 'string' ? raw.command : null;
  return call.title ?? command ?? call.kind ?? 'tool';
}

/** The row showing `call` under `key`; `status` overrides what the agent said (a call the runner closed itself). */
export function toolRow(key: string, call: ToolCallFields, status: RowStatus = rowStatus(call.status)): RowData {
  const kind = call.kind ?? 'other';
  const content = call.content ?? [];
  const common: Meta = { tool_kind: kind, status: status === 'declined' ? 'declined' : (call.status ?? 'pending') };
  const row = (rowKind: RowKind, body: string | null, meta: Meta): RowData => ({ key, kind: rowKind, body, meta: { ...meta, ...common }, status, eager: true });
  switch (kind) {
    case 'execute':
      return row('command', output(call, content), { command: commandOf(call) });
    case 'edit': {
      const blocks = diffs(content);
      const paths = blocks.length > 0 ? blocks.map((d) => d.path) : (call.locations ?? []).map((l) => l.path);
      const changes = blocks.length > 0 ? blocks.map((d) => ({ path: d.path, kind: isNew(d) ? 'add' : 'update' })) : paths.map((path) => ({ path, kind: 'update' }));
      const body = blocks.length > 0 ? blocks.map((d) => unifiedDiff(d.path, isNew(d) ? null : d.oldText, d.newText)).join('\n') : joined(texts(content));
      return row('file_change', body, { changes, title: call.title ?? null });
    }
    case 'fetch':
    case 'search':
      return row('web_search', call.title ?? null, { query: call.title ?? null });
    case 'read':
    case 'delete':
    case 'move':
    case 'think':
    case 'switch_mode':
    case 'other':
      return row('command', output(call, content), { command: commandOf(call) });
    default:
      return assertNever(kind, 'tool kind');
  }
}
