// Codex server requests (command, file change, permissions, user input) as agent approval
// requests: the choices built from what Codex offers, and for each choice id the exact Codex
// answer, kept per pending request until the session sends one. File-change requests carry no
// diff: the diff seen in item/started is remembered for them.

import { assertNever, type DecisionOutcome } from '@pilothouse/protocol';
import type { ApprovalChoice, ApprovalRequest } from '../agent/vocabulary.js';
import type { RequestId, ServerRequest } from './generated/index.js';
import type { CommandExecutionApprovalDecision, GrantedPermissionProfile, ThreadItem } from './generated/v2/index.js';
import { fileDiff, itemKey } from './items.js';
import type { ServerResults } from './methods.js';

/** The server requests that become approval prompts. */
export type ApprovalMethod =
  | 'item/commandExecution/requestApproval'
  | 'item/fileChange/requestApproval'
  | 'item/permissions/requestApproval'
  | 'item/tool/requestUserInput';

/** An answer to an approval request, typed by its method. */
export type CodexAnswer = { [M in ApprovalMethod]: { readonly method: M; readonly result: ServerResults[M] } }[ApprovalMethod];

/** A request as an approval, and what each of its choice ids (the offered ones and the reject/expiry ones) answers. */
export interface Drafted {
  readonly threadId: string;
  readonly request: ApprovalRequest;
  readonly answers: Readonly<Record<string, CodexAnswer>>;
}

type Choice = ApprovalChoice & { readonly answer: CodexAnswer };

const DIFF_MAX = 16_000;
const clip = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/** The agent's id of a Codex request (JSON-RPC ids are numbers or strings). */
export const agentRequestId = (id: RequestId): string => String(id);

/** What a file change shows in its approval (remembered from item/started). */
export interface SeenChange {
  readonly paths: string[];
  readonly diff: string;
}

export function seenChange(item: ThreadItem): SeenChange | null {
  if (item.type !== 'fileChange') return null;
  return { paths: item.changes.map((c) => c.path), diff: clip(item.changes.map(fileDiff).join('\n'), DIFF_MAX) };
}

/** The approval to show for a request, or why it is not one. `seen` looks up a remembered file change by item key. */
export function draftApproval(request: ServerRequest, seen: (key: string) => SeenChange | undefined): Drafted | string {
  const build = ({ threadId, turnId, itemId }: { threadId: string; turnId: string; itemId: string }, d: Omit<ApprovalRequest, 'requestId' | 'turnId' | 'itemKey' | 'choices' | 'outcomes' | 'onReject' | 'onExpire'>, choices: Choice[], onReject: Choice, onExpire: Choice): Drafted => {
    const all = [...choices, onReject, onExpire];
    return {
      threadId,
      request: {
        ...d,
        requestId: agentRequestId(request.id),
        turnId,
        itemKey: itemKey(turnId, itemId),
        choices: choices.map(({ answer: _, ...c }) => c),
        outcomes: Object.fromEntries(all.map((c) => [c.id, outcomeOf(c)])),
        onReject: onReject.id,
        onExpire: onExpire.id,
      },
      answers: Object.fromEntries(all.map((c) => [c.id, c.answer])),
    };
  };
  switch (request.method) {
    case 'item/commandExecution/requestApproval': {
      const p = request.params;
      const method = request.method;
      const offered = p.availableDecisions ?? ['accept', 'acceptForSession', 'decline'];
      // `decline` is honoured even when not offered (docs/decisions/codex-app-server.md): always let a human deny.
      const decisions: CommandExecutionApprovalDecision[] = offered.includes('decline') ? offered : insertDecline(offered);
      const choice = (d: CommandExecutionApprovalDecision, i: number): Choice => ({ ...commandChoice(d, i), answer: { method, result: { decision: d } } });
      const detail = { cwd: p.cwd ?? null, approval_kind: p.kind, command_actions: p.commandActions ?? [], additional_permissions: p.additionalPermissions ?? null };
      const summary = { kind: 'command', summary: p.command ?? p.reason ?? 'Run a command', reason: p.reason ?? null, detail } as const;
      return build(p, summary, decisions.map(choice), choice('decline', 0), choice('cancel', 0));
    }
    case 'item/fileChange/requestApproval': {
      const p = request.params;
      const method = request.method;
      const change = seen(itemKey(p.turnId, p.itemId));
      const [approve, approveSession, deny, cancel] = (
        [
          ['approve', 'Approve', 'Apply this change.', 'accept'],
          ['approve_session', 'Approve for session', 'Apply it, and allow further changes without asking in this session.', 'acceptForSession'],
          ['deny', 'Deny', 'Do not apply it; the agent continues without it.', 'decline'],
          ['cancel', 'Cancel', 'Do not apply it, and stop the turn.', 'cancel'],
        ] as const
      ).map(([id, label, description, decision]): Choice => ({ id, label, description, answer: { method, result: { decision } } }));
      const summary = change !== undefined ? `${change.paths.join('\n')}\n\n${change.diff}` : (p.reason ?? 'Apply a patch');
      const d = { kind: 'file_change', summary, reason: p.reason ?? null, detail: { paths: change?.paths ?? [], grant_root: p.grantRoot ?? null } } as const;
      return build(p, d, [approve!, approveSession!, deny!], deny!, cancel!);
    }
    case 'item/permissions/requestApproval': {
      const p = request.params;
      const method = request.method;
      const granted: GrantedPermissionProfile = {
        ...(p.permissions.network === null ? {} : { network: p.permissions.network }),
        ...(p.permissions.fileSystem === null ? {} : { fileSystem: p.permissions.fileSystem }),
      };
      const deny: Choice = { id: 'deny', label: 'Deny', description: 'Grant nothing.', answer: { method, result: { permissions: {}, scope: 'turn' } } };
      const choices: Choice[] = [
        { id: 'approve', label: 'Approve', description: 'Grant these permissions for this turn.', answer: { method, result: { permissions: granted, scope: 'turn' } } },
        { id: 'approve_session', label: 'Approve for session', description: 'Grant them for the rest of the session.', answer: { method, result: { permissions: granted, scope: 'session' } } },
        deny,
      ];
      const summary = p.reason ?? `Grant additional permissions: ${JSON.stringify(p.permissions)}`;
      return build(p, { kind: 'permissions', summary, reason: p.reason, detail: { cwd: p.cwd, permissions: p.permissions } }, choices, deny, deny);
    }
    case 'item/tool/requestUserInput': {
      const p = request.params;
      const method = request.method;
      const skip: Choice = { id: 'skip', label: 'Skip', description: 'Answer nothing; the agent continues.', answer: { method, result: { answers: {} } } };
      const only = p.questions.length === 1 ? p.questions[0] : undefined;
      const options = (only?.options ?? []).slice(0, 15).map(
        (o, i): Choice => ({ id: `option_${i}`, label: o.label, description: o.description, answer: { method, result: { answers: { [only?.id ?? '']: { answers: [o.label] } } } } }),
      );
      const summary = p.questions.map((q) => (q.header === '' ? q.question : `${q.header}: ${q.question}`)).join('\n');
      const detail = { questions: p.questions.map((q) => ({ id: q.id, header: q.header, question: q.question })) };
      return build(p, { kind: 'user_input', summary, reason: null, detail }, [...options, skip], skip, skip);
    }
    case 'mcpServer/elicitation/request':
    case 'item/tool/call':
    case 'account/chatgptAuthTokens/refresh':
    case 'attestation/generate':
    case 'currentTime/read':
    case 'applyPatchApproval':
    case 'execCommandApproval':
      return `${request.method} is not handled by the Pilothouse session`;
    default:
      return assertNever(request, 'server request');
  }
}

/** What a choice means, for the record of the decision (docs/protocol.md §7 "ApprovalDecision"). */
export function outcomeOf(choice: ApprovalChoice): DecisionOutcome {
  if (choice.id === 'approve') return 'approved';
  if (choice.id === 'approve_session' || choice.id === 'approve_rule') return 'always_allowed';
  if (choice.id === 'deny' || choice.id === 'skip') return 'denied';
  if (choice.id === 'cancel') return 'cancelled';
  if (choice.id.startsWith('option_')) return 'answered';
  // A network rule: remembered either way; "Allow host" lets it through, "Block host" does not.
  if (choice.id.startsWith('network_')) return choice.label.startsWith('Allow') ? 'always_allowed' : 'denied';
  return 'approved';
}

function insertDecline(offered: readonly CommandExecutionApprovalDecision[]): CommandExecutionApprovalDecision[] {
  const cancel = offered.indexOf('cancel');
  return cancel < 0 ? [...offered, 'decline'] : [...offered.slice(0, cancel), 'decline', ...offered.slice(cancel)];
}

function commandChoice(decision: CommandExecutionApprovalDecision, index: number): ApprovalChoice {
  if (typeof decision !== 'string') {
    if ('acceptWithExecpolicyAmendment' in decision) {
      const rule = decision.acceptWithExecpolicyAmendment.execpolicy_amendment.join(' ');
      return { id: 'approve_rule', label: 'Always allow', description: `Run it, and allow commands starting with \`${rule}\` from now on.` };
    }
    const { host, action } = decision.applyNetworkPolicyAmendment.network_policy_amendment;
    return { id: `network_${index}`, label: `${action === 'allow' ? 'Allow' : 'Block'} ${host}`, description: `Remember: ${action} network access to ${host}.` };
  }
  switch (decision) {
    case 'accept':
      return { id: 'approve', label: 'Approve', description: 'Run it this once.' };
    case 'acceptForSession':
      return { id: 'approve_session', label: 'Approve for session', description: "Run it, and don't ask again for it in this session." };
    case 'decline':
      return { id: 'deny', label: 'Deny', description: 'Do not run it; the agent continues without it.' };
    case 'cancel':
      return { id: 'cancel', label: 'Cancel', description: 'Do not run it, and stop the turn.' };
    default:
      return assertNever(decision, 'command decision');
  }
}
