// `session/request_permission` as an approval prompt: the choices are the agent's own options
// (labelled by their name, else their kind), each mapped to the ACP answer that selects it and to
// the outcome recorded for it. `cancelled` is the answer ACP requires for a permission pending
// when the turn is cancelled (never offered to people).

import { assertNever, type Approval, type DecisionOutcome } from '@pilothouse/protocol';
import type { RequestPermissionResponse } from '@agentclientprotocol/sdk';
import type { ApprovalChoice, ApprovalRequest } from '../agent/vocabulary.js';
import type { PermissionOption, PermissionRequest } from './schema.js';
import { toolRow } from './tools.js';

/** The choice id that answers `{outcome: 'cancelled'}`. */
export const CANCELLED = 'cancelled';

export interface DraftedPermission {
  readonly request: ApprovalRequest;
  /** The ACP answer for each choice id (offered ones and CANCELLED). */
  readonly answers: Readonly<Record<string, RequestPermissionResponse>>;
  /** Choice ids that refuse the tool call: the runner closes its row as declined (agents need not report it). */
  readonly refusals: readonly string[];
}

const DESCRIPTIONS: Readonly<Record<PermissionOption['kind'], { label: string; description: string; outcome: DecisionOutcome }>> = {
  allow_once: { label: 'Allow', description: 'Allow it this once.', outcome: 'approved' },
  allow_always: { label: 'Always allow', description: "Allow it, and don't ask again for it.", outcome: 'always_allowed' },
  reject_once: { label: 'Reject', description: 'Do not allow it; the agent continues without it.', outcome: 'denied' },
  reject_always: { label: 'Always reject', description: "Do not allow it, and don't ask again for it.", outcome: 'denied' },
};

/** Option ids become choice ids as they are when they fit the protocol's, else by position. */
const choiceId = (option: PermissionOption, index: number): string => (/^[\w.:-]{1,64}$/.test(option.optionId) && option.optionId !== CANCELLED ? option.optionId : `option_${index}`);

function approvalKind(kind: string | null | undefined): Approval['kind'] {
  if (kind === 'execute') return 'command';
  if (kind === 'edit' || kind === 'delete' || kind === 'move') return 'file_change';
  return 'permissions';
}

/** The approval for the agent's request `requestId`, about the row `itemKey` of turn `turnId`. */
export function draftPermission(requestId: string, turnId: string, itemKey: string, p: PermissionRequest): DraftedPermission {
  const choices: ApprovalChoice[] = [];
  const answers: Record<string, RequestPermissionResponse> = { [CANCELLED]: { outcome: { outcome: 'cancelled' } } };
  const outcomes: Record<string, DecisionOutcome> = { [CANCELLED]: 'cancelled' };
  const refusals: string[] = [];
  p.options.forEach((option, index) => {
    const id = choiceId(option, index);
    const known = DESCRIPTIONS[option.kind];
    choices.push({ id, label: option.name.trim() === '' ? known.label : option.name, description: known.description });
    answers[id] = { outcome: { outcome: 'selected', optionId: option.optionId } };
    outcomes[id] = known.outcome;
    if (isRefusal(option.kind)) refusals.push(id);
  });
  const row = toolRow(itemKey, p.toolCall);
  const kind = approvalKind(p.toolCall.kind);
  const title = p.toolCall.title ?? 'Use a tool';
  const summary = kind === 'file_change' && row.body !== null ? `${title}\n\n${row.body}` : kind === 'command' ? String(row.meta.command) : title;
  // Rejected when the turn ends or the runner closes, and on expiry: the agent's own "reject once", else cancelled.
  const once = p.options.findIndex((o) => o.kind === 'reject_once');
  const reject = once >= 0 ? choiceId(p.options[once]!, once) : (refusals[0] ?? CANCELLED);
  return {
    request: {
      requestId,
      turnId,
      itemKey,
      kind,
      summary,
      reason: null,
      choices,
      outcomes,
      detail: { tool_call_id: p.toolCall.toolCallId, tool_kind: p.toolCall.kind ?? 'other', locations: (p.toolCall.locations ?? []).map((l) => l.path) },
      onReject: reject,
      onExpire: reject,
    },
    answers,
    refusals,
  };
}

function isRefusal(kind: PermissionOption['kind']): boolean {
  switch (kind) {
    case 'allow_once':
    case 'allow_always':
      return false;
    case 'reject_once':
    case 'reject_always':
      return true;
    default:
      return assertNever(kind, 'permission option kind');
  }
}
