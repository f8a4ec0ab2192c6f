// Claude's permission prompts (`control_request` can_use_tool) as approvals: allow once, one
// "Always allow …" per permission suggestion Claude offers (answered with that suggestion as
// `updatedPermissions`), and deny (answered with a message the model sees). Pure: the adapter
// keeps the answers by request id until the core picks a choice.

import type { DecisionOutcome } from '@pilothouse/protocol';
import type { ApprovalChoice, ApprovalRequest } from '../agent/vocabulary.js';
import { inputDiff } from './diff.js';
import type { CanUseTool, PermissionResult, PermissionSuggestion } from './wire.js';

export interface DraftedApproval {
  readonly request: ApprovalRequest;
  /** What each choice id answers Claude. */
  readonly answers: Readonly<Record<string, PermissionResult>>;
}

export const DENY_MESSAGE = 'A person in the Pilothouse thread denied this.';

const FILE_TOOLS = new Set(['Write', 'Edit', 'MultiEdit', 'NotebookEdit']);
const DIFF_MAX = 16_000;
const clip = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Where a suggestion would be remembered, in words. */
function where(destination: unknown): string {
  switch (destination) {
    case 'session':
      return 'for the rest of this Claude session';
    case 'localSettings':
      return "in this project's .claude/settings.local.json";
    case 'projectSettings':
      return "in this project's .claude/settings.json";
    case 'userSettings':
      return 'in your user settings (~/.claude/settings.json)';
    default:
      return `in ${str(destination) || 'Claude’s settings'}`;
  }
}

/** The "Always allow …" choice for one of Claude's permission suggestions (sdk.d.ts PermissionUpdate). */
export function suggestionChoice(suggestion: PermissionSuggestion, index: number): ApprovalChoice {
  const id = `always_${index}`;
  const remembered = where(suggestion.destination);
  switch (suggestion.type) {
    case 'addRules': {
      const rules = Array.isArray(suggestion.rules) ? (suggestion.rules as unknown[]) : [];
      const names = rules.map((r) => (typeof r === 'object' && r !== null ? (r as Record<string, unknown>) : {})).map((r) => (r.ruleContent ? `${str(r.toolName)}(${str(r.ruleContent)})` : str(r.toolName)));
      return { id, label: `Always allow ${names.join(', ')}`, description: `Allow it, and remember the rule ${remembered}.` };
    }
    case 'addDirectories': {
      const dirs = Array.isArray(suggestion.directories) ? (suggestion.directories as unknown[]).map(str) : [];
      return { id, label: `Always allow access to ${dirs.join(', ')}`, description: `Allow it, and let Claude work in ${dirs.length === 1 ? 'this folder' : 'these folders'} ${remembered}.` };
    }
    case 'setMode':
      return str(suggestion.mode) === 'acceptEdits'
        ? { id, label: 'Always allow edits', description: `Allow it, and accept file edits without asking ${remembered}.` }
        : { id, label: `Always allow: ${str(suggestion.mode)} mode`, description: `Allow it, and switch Claude to ${str(suggestion.mode)} mode ${remembered}.` };
    default:
      return { id, label: `Always allow (${suggestion.type})`, description: `Allow it, and apply Claude's suggestion ${remembered}.` };
  }
}

/** A Bash call's description, when the model gave one (Claude falls back to the command itself). */
function bashDescription(prompt: CanUseTool): string | undefined {
  if (prompt.tool_name !== 'Bash' || prompt.description === undefined || prompt.description === str(prompt.input.command)) return undefined;
  return prompt.description;
}

/** What a choice means, for the record of the decision. */
export function outcomeOf(choiceId: string): DecisionOutcome {
  if (choiceId === 'approve') return 'approved';
  if (choiceId.startsWith('always_')) return 'always_allowed';
  return 'denied';
}

/** The approval for a permission prompt in turn `turnId`; `itemKey` is the row of its tool call. */
export function draftApproval(requestId: string, turnId: string, itemKey: string, prompt: CanUseTool): DraftedApproval {
  const input = prompt.input;
  const suggestions = prompt.permission_suggestions ?? [];
  const allow = (updatedPermissions?: readonly PermissionSuggestion[]): PermissionResult => ({ behavior: 'allow', updatedInput: input, ...(updatedPermissions ? { updatedPermissions } : {}) });
  const choices: ApprovalChoice[] = [
    { id: 'approve', label: 'Allow once', description: 'Allow it this once.' },
    ...suggestions.map(suggestionChoice),
    { id: 'deny', label: 'Deny', description: 'Do not allow it; Claude is told it was denied.' },
  ];
  const answers: Record<string, PermissionResult> = { approve: allow(), deny: { behavior: 'deny', message: DENY_MESSAGE } };
  suggestions.forEach((s, i) => (answers[`always_${i}`] = allow([s])));
  const file = FILE_TOOLS.has(prompt.tool_name);
  const path = str(input.file_path) || str(input.notebook_path);
  const summary =
    prompt.tool_name === 'Bash' ? str(input.command) : file ? `${path}\n\n${clip(inputDiff(prompt.tool_name, input) ?? '', DIFF_MAX)}` : `${prompt.tool_name} ${clip(JSON.stringify(input), 400)}`;
  return {
    request: {
      requestId,
      turnId,
      itemKey,
      kind: file ? 'file_change' : 'command',
      summary,
      reason: prompt.decision_reason ?? bashDescription(prompt) ?? null,
      choices,
      outcomes: Object.fromEntries(Object.keys(answers).map((id) => [id, outcomeOf(id)])),
      detail: { tool: prompt.tool_name, input, blocked_path: prompt.blocked_path ?? null, suggestions },
      onReject: 'deny',
      onExpire: 'deny',
    },
    answers,
  };
}
