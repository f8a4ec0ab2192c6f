// The approval registry: Codex server requests (command, file change, permissions, user input)
// become pending approvals with choices built from what Codex offers, each mapped back to the
// exact Codex answer. An approval is resolved once, by an allowed actor; Codex may also close
// it (serverRequest/resolved), it may expire, or be rejected when its turn ends or the runner closes.

import { mayDecide, type Approval } from '@pilothouse/protocol';
import type { RequestId, ServerRequest } from '../codex/generated/index.js';
import type { CommandExecutionApprovalDecision, GrantedPermissionProfile, ThreadItem } from '../codex/generated/v2/index.js';
import type { ActorRef, AllowedActor } from './actors.js';
import { Bounded } from './bounded.js';
import { assertNever, type CodexAnswer } from './effects.js';
import { fileDiff, itemKey } from './items.js';

export interface ApprovalContext {
  readonly now: number;
  readonly allowed: readonly AllowedActor[];
  /** Approval policy and sandbox in force, shown with the prompt. */
  readonly policy: Readonly<Record<string, string | null>>;
  readonly timeoutMs: number | null;
}

export interface PendingApproval {
  /** The wire shape published with the message state (request_id is `${turnId}:${codexId}`). */
  readonly approval: Approval;
  readonly codexId: RequestId;
  readonly turnId: string;
  readonly itemKey: string;
  readonly answers: ReadonlyMap<string, CodexAnswer>;
  /** Sent when the turn is interrupted or fails, or the runner closes. */
  readonly onReject: CodexAnswer;
  /** Sent when nobody decided in time. */
  readonly onExpire: CodexAnswer;
  readonly expiresAt: number | null;
}

export type OpenResult =
  | { readonly type: 'pending'; readonly pending: PendingApproval; readonly evicted: PendingApproval[] }
  | { readonly type: 'unsupported'; readonly reason: string };

export type ResolveResult =
  | { readonly ok: true; readonly pending: PendingApproval; readonly choice: string; readonly answer: CodexAnswer }
  | { readonly ok: false; readonly code: 'approval_request_not_found' | 'sender_not_allowed' | 'bad_request'; readonly message: string };

interface Choice {
  readonly id: string;
  readonly label: string;
  readonly description: string;
  readonly answer: CodexAnswer;
}

type Draft = Pick<PendingApproval, 'onReject' | 'onExpire'> & Pick<Approval, 'kind' | 'summary' | 'reason'> & {
  readonly turnId: string;
  readonly itemId: string;
  readonly choices: Choice[];
  readonly detail: Record<string, unknown>;
};

const SUMMARY_MAX = 20_000;
const DIFF_MAX = 16_000;
const clip = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

export class ApprovalRegistry {
  readonly #pending: Bounded<string, PendingApproval>;
  readonly #byCodexId: Bounded<string, string>;
  readonly #fileChanges: Bounded<string, { paths: string[]; diff: string }>;

  constructor(cap: number) {
    this.#pending = new Bounded(cap);
    this.#byCodexId = new Bounded(cap);
    this.#fileChanges = new Bounded(cap);
  }

  get size(): number {
    return this.#pending.size;
  }

  /** Remembers file changes seen in item/started: their approval request carries no diff. */
  noteItem(turnId: string, item: ThreadItem): void {
    if (item.type !== 'fileChange') return;
    const diff = clip(item.changes.map(fileDiff).join('\n'), DIFF_MAX);
    this.#fileChanges.set(itemKey(turnId, item.id), { paths: item.changes.map((c) => c.path), diff });
  }

  open(request: ServerRequest, ctx: ApprovalContext): OpenResult {
    const draft = this.#draft(request);
    if (typeof draft === 'string') return { type: 'unsupported', reason: draft };
    const requestId = `${draft.turnId}:${String(request.id)}`;
    const expiresAt = ctx.timeoutMs === null ? null : ctx.now + ctx.timeoutMs;
    const pending: PendingApproval = {
      approval: {
        request_id: requestId,
        kind: draft.kind,
        summary: clip(draft.summary, SUMMARY_MAX),
        reason: draft.reason === null || draft.reason === undefined ? null : clip(draft.reason, SUMMARY_MAX),
        choices: draft.choices.slice(0, 16).map((c) => ({ id: c.id, label: clip(c.label, 200), description: clip(c.description, 2000) })),
        allowed: ctx.allowed.slice(0, 64).map((a) => (a.user_id === undefined ? { name: a.name } : { name: a.name, user_id: a.user_id })),
        detail: { ...draft.detail, policy: ctx.policy, ...(expiresAt === null ? {} : { expires_at: expiresAt }) },
      },
      codexId: request.id,
      turnId: draft.turnId,
      itemKey: itemKey(draft.turnId, draft.itemId),
      answers: new Map(draft.choices.map((c) => [c.id, c.answer])),
      onReject: draft.onReject,
      onExpire: draft.onExpire,
      expiresAt,
    };
    const evicted = this.#pending.set(requestId, pending).map(([, old]) => old);
    for (const old of evicted) this.#byCodexId.delete(String(old.codexId));
    this.#byCodexId.set(String(request.id), requestId);
    return { type: 'pending', pending, evicted };
  }

  resolve(requestId: string, choice: string, actor: ActorRef | null | undefined): ResolveResult {
    const pending = this.#pending.get(requestId);
    if (pending === undefined) return { ok: false, code: 'approval_request_not_found', message: `No pending approval ${requestId}.` };
    if (!mayDecide(pending.approval.allowed, actor)) {
      return { ok: false, code: 'sender_not_allowed', message: `${actor?.name ?? 'An unknown actor'} may not decide this approval.` };
    }
    const answer = pending.answers.get(choice);
    if (answer === undefined) return { ok: false, code: 'bad_request', message: `Approval ${requestId} has no choice ${choice}.` };
    this.#remove(pending);
    return { ok: true, pending, choice, answer };
  }

  /** The turn of a pending approval, if it is pending. */
  turnOf(requestId: string): string | undefined {
    return this.#pending.get(requestId)?.turnId;
  }

  /** Codex closed the request itself (serverRequest/resolved). */
  closeByCodexId(codexId: RequestId): PendingApproval | undefined {
    const requestId = this.#byCodexId.get(String(codexId));
    const pending = requestId === undefined ? undefined : this.#pending.get(requestId);
    if (pending !== undefined) this.#remove(pending);
    return pending;
  }

  /** Removes and returns approvals whose deadline passed (answer each with `onExpire`). */
  expire(now: number): PendingApproval[] {
    const due = [...this.#pending.values()].filter((p) => p.expiresAt !== null && p.expiresAt <= now);
    for (const p of due) this.#remove(p);
    return due;
  }

  /** Removes and returns every pending approval, or those of one turn (answer each with `onReject`). */
  rejectAll(turnId?: string): PendingApproval[] {
    const all = [...this.#pending.values()].filter((p) => turnId === undefined || p.turnId === turnId);
    for (const p of all) this.#remove(p);
    return all;
  }

  /** The oldest pending approval of a turn: the one the message state shows. */
  first(turnId: string): PendingApproval | undefined {
    for (const p of this.#pending.values()) if (p.turnId === turnId) return p;
    return undefined;
  }

  nextExpiry(): number | null {
    let next: number | null = null;
    for (const p of this.#pending.values()) if (p.expiresAt !== null && (next === null || p.expiresAt < next)) next = p.expiresAt;
    return next;
  }

  #remove(pending: PendingApproval): void {
    this.#pending.delete(pending.approval.request_id);
    this.#byCodexId.delete(String(pending.codexId));
  }

  /** The approval to show for a request, or why it is not one. */
  #draft(request: ServerRequest): Draft | string {
    switch (request.method) {
      case 'item/commandExecution/requestApproval': {
        const p = request.params;
        const method = request.method;
        const offered = p.availableDecisions ?? ['accept', 'acceptForSession', 'decline'];
        // `decline` is honoured even when not offered (CODEX-NOTES §6b): always let a human deny.
        const decisions: CommandExecutionApprovalDecision[] = offered.includes('decline') ? offered : insertDecline(offered);
        return {
          kind: 'command',
          turnId: p.turnId,
          itemId: p.itemId,
          summary: p.command ?? p.reason ?? 'Run a command',
          reason: p.reason ?? null,
          choices: decisions.map((d, i) => ({ ...commandChoice(d, i), answer: { method, result: { decision: d } } })),
          detail: { cwd: p.cwd ?? null, approval_kind: p.kind, command_actions: p.commandActions ?? [], additional_permissions: p.additionalPermissions ?? null },
          onReject: { method, result: { decision: 'decline' } },
          onExpire: { method, result: { decision: 'cancel' } },
        };
      }
      case 'item/fileChange/requestApproval': {
        const p = request.params;
        const method = request.method;
        const seen = this.#fileChanges.get(itemKey(p.turnId, p.itemId));
        const decisions = [
          { id: 'approve', label: 'Approve', description: 'Apply this change.', decision: 'accept' },
          { id: 'approve_session', label: 'Approve for session', description: 'Apply it, and allow further changes without asking in this session.', decision: 'acceptForSession' },
          { id: 'deny', label: 'Deny', description: 'Do not apply it; the agent continues without it.', decision: 'decline' },
        ] as const;
        return {
          kind: 'file_change',
          turnId: p.turnId,
          itemId: p.itemId,
          summary: seen !== undefined ? `${seen.paths.join('\n')}\n\n${seen.diff}` : (p.reason ?? 'Apply a patch'),
          reason: p.reason ?? null,
          choices: decisions.map(({ decision, ...c }) => ({ ...c, answer: { method, result: { decision } } })),
          detail: { paths: seen?.paths ?? [], grant_root: p.grantRoot ?? null },
          onReject: { method, result: { decision: 'decline' } },
          onExpire: { method, result: { decision: 'cancel' } },
        };
      }
      case 'item/permissions/requestApproval': {
        const p = request.params;
        const method = request.method;
        const granted: GrantedPermissionProfile = {
          ...(p.permissions.network === null ? {} : { network: p.permissions.network }),
          ...(p.permissions.fileSystem === null ? {} : { fileSystem: p.permissions.fileSystem }),
        };
        const deny: CodexAnswer = { method, result: { permissions: {}, scope: 'turn' } };
        return {
          kind: 'permissions',
          turnId: p.turnId,
          itemId: p.itemId,
          summary: p.reason ?? `Grant additional permissions: ${JSON.stringify(p.permissions)}`,
          reason: p.reason,
          choices: [
            { id: 'approve', label: 'Approve', description: 'Grant these permissions for this turn.', answer: { method, result: { permissions: granted, scope: 'turn' } } },
            { id: 'approve_session', label: 'Approve for session', description: 'Grant them for the rest of the session.', answer: { method, result: { permissions: granted, scope: 'session' } } },
            { id: 'deny', label: 'Deny', description: 'Grant nothing.', answer: deny },
          ],
          detail: { cwd: p.cwd, permissions: p.permissions },
          onReject: deny,
          onExpire: deny,
        };
      }
      case 'item/tool/requestUserInput': {
        const p = request.params;
        const method = request.method;
        const skip: CodexAnswer = { method, result: { answers: {} } };
        const only = p.questions.length === 1 ? p.questions[0] : undefined;
        const options = (only?.options ?? []).slice(0, 15).map((o, i) => ({
          id: `option_${i}`,
          label: o.label,
          description: o.description,
          answer: { method, result: { answers: { [only?.id ?? '']: { answers: [o.label] } } } } satisfies CodexAnswer,
        }));
        return {
          kind: 'user_input',
          turnId: p.turnId,
          itemId: p.itemId,
          summary: p.questions.map((q) => (q.header === '' ? q.question : `${q.header}: ${q.question}`)).join('\n'),
          reason: null,
          choices: [...options, { id: 'skip', label: 'Skip', description: 'Answer nothing; the agent continues.', answer: skip }],
          detail: { questions: p.questions.map((q) => ({ id: q.id, header: q.header, question: q.question })) },
          onReject: skip,
          onExpire: skip,
        };
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
}

function insertDecline(offered: readonly CommandExecutionApprovalDecision[]): CommandExecutionApprovalDecision[] {
  const cancel = offered.indexOf('cancel');
  return cancel < 0 ? [...offered, 'decline'] : [...offered.slice(0, cancel), 'decline', ...offered.slice(cancel)];
}

function commandChoice(decision: CommandExecutionApprovalDecision, index: number): Omit<Choice, 'answer'> {
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
