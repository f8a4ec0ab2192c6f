// What a `port_forward` row says in each phase: a short Markdown body and the meta the web UI
// reads (PortForwardMeta, packages/protocol/src/previews.ts), plus the approval for prompts.
// Pure: outcomes.ts decides when a row changes, this decides how it reads.

import { assertNever } from '@pilothouse/protocol';
import type { Approval, DecisionVia, PortForwardMeta, RowStatus } from '@pilothouse/protocol';
import type { AllowedActor } from '../actors.js';
import type { Decision, Target } from './review.js';

export interface Choice {
  readonly decision: Decision;
  readonly label: string;
  readonly description: string;
}

/** The two answers a prompt offers. */
export const PROMPT_CHOICES: readonly Choice[] = [
  { decision: 'approve', label: 'Open preview', description: 'Proxy HTTP, HTTPS and WebSocket for that port' },
  { decision: 'deny', label: 'Deny', description: 'Keep it private for this session' },
];

/** The part of a row that the hub stores and update_row replaces as a whole. */
export interface RowContent {
  readonly body: string;
  readonly meta: PortForwardMeta & { readonly approval?: Approval | null };
  /** null: not set (a prompt has no lifecycle yet). */
  readonly status: RowStatus | null;
}

export interface RowFacts {
  readonly port: number;
  /** The process, when known (a manual forward may have none yet). */
  readonly target: Target | null;
  readonly request_id: string | null;
  readonly thread_id: string;
  /** Who decided the prompt, and how it reached the runner (the record of the decision), once someone did. */
  readonly decided?: { readonly by: string | null; readonly via: DecisionVia } | undefined;
}

/** How a decision's channel reads after "by NAME". */
function through(via: DecisionVia | undefined): string {
  switch (via) {
    case 'push':
      return ' from a push notification';
    case 'email':
      return ' from an emailed link';
    case 'chat_command':
      return ' with a chat command';
    case 'control':
    case 'runner':
    case 'agent':
    case undefined:
      return '';
    default:
      return assertNever(via, 'decision via');
  }
}

export type Phase =
  | { readonly phase: 'prompt'; readonly choices: readonly Choice[]; readonly allowed: readonly AllowedActor[] }
  | { readonly phase: 'opening'; readonly preview_id: string; readonly by: string | null }
  | { readonly phase: 'ready'; readonly preview_id: string; readonly url: string }
  | { readonly phase: 'unavailable'; readonly preview_id: string; readonly reason: string }
  | { readonly phase: 'denied'; readonly by: string | null }
  | { readonly phase: 'revoked'; readonly preview_id: string | null; readonly why: 'listener_changed' | 'evicted' }
  | { readonly phase: 'closed'; readonly preview_id: string | null; readonly why: 'process_exited' | 'evicted' | 'runner_closed'; readonly was: 'pending' | 'approved' };

const MAX_COMMAND = 160;

/** A command line as inline code: clipped, and fenced so that backticks inside stay literal. */
export function inlineCode(text: string): string {
  const clipped = text.length > MAX_COMMAND ? `${text.slice(0, MAX_COMMAND - 1)}…` : text;
  const flat = clipped.replace(/\s+/g, ' ');
  let fence = '`';
  while (flat.includes(fence)) fence += '`';
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

function what(facts: RowFacts): string {
  const t = facts.target;
  return t === null ? `port ${facts.port}` : `port ${facts.port} (${inlineCode(t.command)}, pid ${t.pid})`;
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export function rowContent(facts: RowFacts, phase: Phase): RowContent {
  const t = facts.target;
  const base = {
    port: facts.port,
    pid: t?.pid ?? null,
    command: t?.command ?? null,
    cwd: t?.cwd ?? null,
    request_id: facts.request_id,
    thread_id: facts.thread_id,
    ...(facts.decided !== undefined ? { decided_by: facts.decided.by, decided_via: facts.decided.via } : {}),
  };
  switch (phase.phase) {
    case 'prompt': {
      const label = t === null ? `Open runner port ${facts.port}?` : `Open runner port ${facts.port} from ${inlineCode(t.command)}?`;
      const approval: Approval = {
        request_id: facts.request_id ?? '',
        kind: 'port_forward',
        summary: t === null ? `Open runner port ${facts.port}?` : `Open runner port ${facts.port} from ${t.command}?`,
        reason: null,
        choices: phase.choices.map((c) => ({ id: c.decision, label: c.label, description: c.description })),
        allowed: phase.allowed.map((a) => (a.user_id === undefined ? { name: a.name } : { name: a.name, user_id: a.user_id })),
        detail: { port: facts.port, pid: t?.pid ?? null, command: t?.command ?? null, cwd: t?.cwd ?? null },
      };
      const answer = facts.request_id === null ? '' : ` Answer with the buttons, or \`/pilothouse approve-port-forward ${facts.request_id}\` / \`/pilothouse deny-port-forward ${facts.request_id}\`.`;
      return {
        body: `${label}${answer}`,
        meta: { ...base, phase: 'prompt', preview_id: null, url: null, reason: null, approval },
        status: null,
      };
    }
    case 'opening':
      return {
        body: `${cap(what(facts))} is approved${phase.by === null ? '' : ` by ${phase.by}${through(facts.decided?.via)}`}; opening its preview…`,
        meta: { ...base, phase: 'ready', preview_id: phase.preview_id, url: null, reason: null, approval: null },
        status: 'streaming',
      };
    case 'ready':
      return {
        body: `Preview of ${what(facts)} is open.`,
        meta: { ...base, phase: 'ready', preview_id: phase.preview_id, url: phase.url, reason: null, approval: null },
        status: 'completed',
      };
    case 'unavailable':
      return {
        body: `${cap(what(facts))} is approved, but the hub could not open its preview: ${phase.reason}`,
        meta: { ...base, phase: 'ready', preview_id: phase.preview_id, url: null, reason: phase.reason, approval: null },
        status: 'failed',
      };
    case 'denied':
      return {
        body: `${cap(what(facts))} stays private${phase.by === null ? '' : `: denied by ${phase.by}${through(facts.decided?.via)}`}.`,
        meta: { ...base, phase: 'denied', preview_id: null, url: null, reason: 'port_forward_denied', approval: null },
        status: 'declined',
      };
    case 'revoked': {
      const reason = phase.why === 'listener_changed' ? 'another process now listens on the port' : 'too many approved ports (the oldest goes first)';
      return {
        body: `Preview of ${what(facts)} revoked: ${reason}.`,
        meta: { ...base, phase: 'revoked', preview_id: phase.preview_id, url: null, reason, approval: null },
        status: 'interrupted',
      };
    }
    case 'closed': {
      const reason =
        phase.why === 'process_exited' ? 'the process exited' : phase.why === 'runner_closed' ? 'the runner closed' : 'too many open requests (the oldest goes first)';
      const body = phase.was === 'pending' ? `${cap(what(facts))} was not opened: ${reason}.` : `Preview of ${what(facts)} closed: ${reason}.`;
      return {
        body,
        meta: { ...base, phase: 'closed', preview_id: phase.preview_id, url: null, reason, approval: null },
        status: phase.was === 'pending' ? 'interrupted' : 'completed',
      };
    }
    default:
      return assertNever(phase, 'row phase');
  }
}
