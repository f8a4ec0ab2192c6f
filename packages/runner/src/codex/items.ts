// Item builders: one pure function from a Codex ThreadItem to the row data that shows it
// (agent/vocabulary.ts). The same builders serve item/started (initial row), item/completed and
// turn/completed (reconciliation). Kinds differ in data only; the session's stream pipeline
// treats every row the same way.

import { assertNever } from '@pilothouse/protocol';
import type { RowStatus } from '@pilothouse/protocol';
import type { Gap, Meta, RowData, RowKind } from '../agent/vocabulary.js';
import type { FileUpdateChange, ThreadItem, TurnPlanStep } from './generated/v2/index.js';

type Phase = 'started' | 'completed';

/** Codex item ids repeat across turns (a scripted model reuses them), so keys carry the turn. */
export const itemKey = (turnId: string, itemId: string): string => `${turnId}:${itemId}`;
export const terminalInputKey = (turnId: string, itemId: string): string => `${turnId}:${itemId}:stdin`;
const planKey = (turnId: string): string => `${turnId}:plan`;

/** Streaming notifications that carry `{turnId, itemId, delta}`, with the row kind they feed. */
export const DELTA_KINDS = {
  'item/agentMessage/delta': 'assistant',
  'item/reasoning/summaryTextDelta': 'reasoning',
  'item/commandExecution/outputDelta': 'command',
  'item/plan/delta': 'plan',
} as const satisfies Record<string, RowKind>;
export type DeltaMethod = keyof typeof DELTA_KINDS;

/** Separator the reasoning builder puts between summary parts; streamed on summaryPartAdded. */
export const REASONING_PART_SEPARATOR = '\n\n';

function status(codex: 'inProgress' | 'completed' | 'failed' | 'declined', phase: Phase): RowStatus {
  switch (codex) {
    case 'inProgress':
      return phase === 'started' ? 'streaming' : 'completed';
    case 'completed':
    case 'failed':
    case 'declined':
      return codex;
    default:
      return assertNever(codex, 'item status');
  }
}

const lifecycle = (phase: Phase): RowStatus => (phase === 'started' ? 'streaming' : 'completed');

/** The row for `item`, or null for items that are not shown as rows (user input, internals). */
export function buildRow(turnId: string, item: ThreadItem, phase: Phase): RowData | null {
  const row = (kind: RowKind, body: string | null, meta: Meta, rowStatus: RowStatus, eager: boolean): RowData => ({
    key: itemKey(turnId, item.id),
    kind,
    body,
    meta,
    status: rowStatus,
    eager,
  });
  switch (item.type) {
    case 'agentMessage':
      return row('assistant', item.text, item.phase === null ? {} : { phase: item.phase }, lifecycle(phase), false);
    case 'reasoning':
      return row('reasoning', item.summary.join(REASONING_PART_SEPARATOR), {}, lifecycle(phase), false);
    case 'plan':
      return row('plan', item.text, {}, lifecycle(phase), false);
    case 'commandExecution': {
      const output = item.aggregatedOutput === null ? null : codexOutput(item.aggregatedOutput);
      const spec = row(
        'command',
        output?.body ?? null,
        { command: item.command, cwd: item.cwd, status: item.status, exit_code: item.exitCode, duration_ms: item.durationMs },
        status(item.status, phase),
        true,
      );
      return output?.gap === undefined ? spec : { ...spec, gap: output.gap };
    }
    case 'fileChange':
      return row(
        'file_change',
        item.changes.map(fileDiff).join('\n'),
        { changes: item.changes.map((c) => ({ path: c.path, kind: c.kind.type })), status: item.status },
        status(item.status, phase),
        true,
      );
    case 'webSearch':
      return row('web_search', webSearchBody(item.query, item.action), { query: item.query, action: item.action }, lifecycle(phase), true);
    case 'mcpToolCall':
      return row(
        'command',
        item.error !== null ? item.error.message : item.result === null ? null : item.result.content.map(contentText).join('\n'),
        { command: `${item.server}.${item.tool}`, tool: { server: item.server, name: item.tool }, status: item.status, duration_ms: item.durationMs },
        item.status === 'inProgress' ? status('inProgress', phase) : item.status,
        true,
      );
    case 'userMessage':
    case 'hookPrompt':
    case 'functionCallOutput':
    case 'dynamicToolCall':
    case 'collabAgentToolCall':
    case 'subAgentActivity':
    case 'imageView':
    case 'sleep':
    case 'imageGeneration':
    case 'enteredReviewMode':
    case 'exitedReviewMode':
    case 'contextCompaction':
      return null;
    default:
      return assertNever(item, 'thread item');
  }
}

/**
 * Codex keeps 1 MiB of a command's output, head and tail, and puts this marker where it cut
 * (seen with 0.169.0: 5,000,009 bytes became 1,048,576 + "\n... 3951433 bytes omitted ...\n").
 */
const CODEX_OUTPUT_CAP = 1024 * 1024;
const CODEX_CUT = /\n\.\.\. (\d+) bytes omitted \.\.\.\n/;

/** A command's aggregated output without Codex's cut marker, and the gap it marked. */
export function codexOutput(output: string): { body: string; gap?: Gap } {
  const cut = CODEX_CUT.exec(output);
  if (cut === null) return { body: output };
  const body = output.slice(0, cut.index) + output.slice(cut.index + cut[0].length);
  // Only a full buffer was cut by Codex; a shorter output merely printed such a line itself.
  if (Buffer.byteLength(body, 'utf8') < CODEX_OUTPUT_CAP) return { body: output };
  return { body, gap: { at: cut.index, bytes: Number(cut[1]) } };
}

/** Text typed into a running command (terminal interaction), one row per command. */
export function terminalInputRow(turnId: string, itemId: string, processId: string): RowData {
  return {
    key: terminalInputKey(turnId, itemId),
    kind: 'terminal_input',
    body: null,
    meta: { process_id: processId, command_key: itemKey(turnId, itemId) },
    status: 'streaming',
    eager: false,
  };
}

/** The turn's to-do plan (turn/plan/updated): one row per turn, replaced on every update. */
export function planRow(turnId: string, explanation: string | null, plan: readonly TurnPlanStep[]): RowData {
  const mark = { completed: '[x]', inProgress: '[~]', pending: '[ ]' } as const;
  const lines = plan.map((s) => `- ${mark[s.status]} ${s.step}`);
  const body = (explanation === null || explanation === '' ? lines : [explanation, '', ...lines]).join('\n');
  return { key: planKey(turnId), kind: 'plan', body, meta: { steps: plan }, status: 'completed', eager: true };
}

function lines(text: string, prefix: string): string {
  if (text === '') return '';
  const parts = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
  return parts.map((l) => prefix + l).join('\n') + '\n';
}

/** A unified diff per change. Codex sends file contents for add/delete and a diff for update. */
export function fileDiff(change: FileUpdateChange): string {
  const count = (t: string): number => (t === '' ? 0 : lines(t, '').split('\n').length - 1);
  switch (change.kind.type) {
    case 'add':
      return `--- /dev/null\n+++ ${change.path}\n@@ -0,0 +1,${count(change.diff)} @@\n${lines(change.diff, '+')}`;
    case 'delete':
      return `--- ${change.path}\n+++ /dev/null\n@@ -1,${count(change.diff)} +0,0 @@\n${lines(change.diff, '-')}`;
    case 'update': {
      if (change.diff.startsWith('--- ') || change.diff.startsWith('diff ')) return change.diff;
      const body = change.diff.endsWith('\n') || change.diff === '' ? change.diff : `${change.diff}\n`;
      return `--- ${change.path}\n+++ ${change.kind.move_path ?? change.path}\n${body}`;
    }
    default:
      return assertNever(change.kind, 'patch change kind');
  }
}

type WebSearch = Extract<ThreadItem, { type: 'webSearch' }>;

function webSearchBody(query: string, action: WebSearch['action']): string {
  if (action === null) return query;
  switch (action.type) {
    case 'search': {
      const queries = action.queries ?? (action.query !== null ? [action.query] : [query]);
      return queries.filter((q) => q !== '').join('\n');
    }
    case 'openPage':
      return action.url ?? query;
    case 'findInPage':
      return [action.pattern, action.url].filter((p) => p !== null).join(' in ');
    case 'other':
      return query;
    default:
      return assertNever(action, 'web search action');
  }
}

function contentText(content: unknown): string {
  if (typeof content === 'object' && content !== null && 'text' in content && typeof content.text === 'string') return content.text;
  return JSON.stringify(content);
}
