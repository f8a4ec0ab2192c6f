// The ACP adapter: what one agent process said, in the session's vocabulary. It holds the prompt
// turn running now (turn.ts, plain data) and the permission requests waiting for a person, with
// what each choice answers; the driver (driver.ts) does the I/O. Updates outside a turn (a loaded
// session replaying its history) are not the session's business and are dropped.

import type { RequestPermissionResponse } from '@agentclientprotocol/sdk';
import type { AgentInput, TurnOutcome } from '../agent/vocabulary.js';
import { CANCELLED, draftPermission } from './permissions.js';
import type { RpcId } from './rpc.js';
import { parseSessionNotification, permissionRequest } from './schema.js';
import { closeTool, newTurn, onToolCall, onUpdate, toolKey, turnEnded, type AcpTurn, type Step } from './turn.js';

interface PendingPermission {
  readonly rpcId: RpcId;
  readonly turnId: string;
  readonly toolCallId: string;
  readonly answers: Readonly<Record<string, RequestPermissionResponse>>;
  readonly refusals: readonly string[];
}

/** An answer to write back to the agent, and what the session is told alongside. */
export interface Reply {
  readonly rpcId: RpcId;
  readonly answer: { readonly result: unknown } | { readonly error: { readonly code: number; readonly message: string } };
  readonly inputs: AgentInput[];
}

export class AcpAdapter {
  #turn: AcpTurn | null = null;
  readonly #pending = new Map<string, PendingPermission>();

  get turnId(): string | null {
    return this.#turn?.turnId ?? null;
  }

  beginTurn(sessionId: string, turnId: string): void {
    this.#turn = newTurn(sessionId, turnId);
  }

  /** The prompt answered (or failed): the turn's end, with its open text closed when it completed. */
  endTurn(turnId: string, outcome: TurnOutcome, now: number): AgentInput[] {
    const turn = this.#turn;
    if (turn === null || turn.turnId !== turnId) return [];
    this.#turn = null;
    return [turnEnded(turn, outcome, now)];
  }

  #step(step: Step): AgentInput[] {
    this.#turn = step.turn;
    return step.inputs;
  }

  /** A `session/update` notification. */
  update(params: unknown, now: number): AgentInput[] {
    const parsed = parseSessionNotification(params);
    if ('error' in parsed) return [{ type: 'agent_note', now, level: 'warn', event: 'acp_update_unreadable', fields: { error: parsed.error } }];
    const turn = this.#turn;
    if (turn === null || turn.sessionId !== parsed.sessionId) return [];
    return this.#step(onUpdate(turn, parsed.update, now));
  }

  /** A `session/request_permission` request: an approval (its tool call's row opened first: Gemini sends no tool_call before it), or an answer now. */
  permission(rpcId: RpcId, params: unknown, now: number): { readonly inputs: AgentInput[]; readonly reply: Reply | null } {
    const parsed = permissionRequest.safeParse(params);
    if (!parsed.success) {
      const message = `unreadable session/request_permission: ${parsed.error.message.slice(0, 300)}`;
      return { inputs: [{ type: 'agent_note', now, level: 'warn', event: 'acp_permission_unreadable', fields: { error: message } }], reply: { rpcId, answer: { error: { code: -32602, message } }, inputs: [] } };
    }
    const p = parsed.data;
    const turn = this.#turn;
    if (turn === null || turn.sessionId !== p.sessionId) {
      const note: AgentInput = { type: 'agent_note', now, level: 'warn', event: 'acp_permission_outside_turn', fields: { session_id: p.sessionId, tool_call_id: p.toolCall.toolCallId } };
      return { inputs: [note], reply: { rpcId, answer: { result: { outcome: { outcome: 'cancelled' } } }, inputs: [] } };
    }
    const opened = this.#step(onToolCall(turn, p.toolCall, now));
    // The session names the approval by turn and this id; the agent's JSON-RPC ids are unique per process (reset with it).
    const requestId = String(rpcId);
    const drafted = draftPermission(requestId, turn.turnId, toolKey(turn.turnId, p.toolCall.toolCallId), p);
    this.#pending.set(requestId, { rpcId, turnId: turn.turnId, toolCallId: p.toolCall.toolCallId, answers: drafted.answers, refusals: drafted.refusals });
    return { inputs: [...opened, { type: 'approval_requested', now, threadId: p.sessionId, ...drafted.request }], reply: null };
  }

  /** The answer for the session's choice; a refusal also closes the call's row as declined. Undefined when not pending (any more). */
  answer(requestId: string, choice: string, now: number): Reply | undefined {
    const pending = this.#pending.get(requestId);
    const result = pending?.answers[choice];
    if (pending === undefined || result === undefined) return undefined;
    this.#pending.delete(requestId);
    const turn = this.#turn;
    const closed = pending.refusals.includes(choice) && turn !== null && turn.turnId === pending.turnId ? this.#step(closeTool(turn, pending.toolCallId, 'declined', now)) : [];
    return { rpcId: pending.rpcId, answer: { result }, inputs: closed };
  }

  refuse(requestId: string, message: string): Reply | undefined {
    const pending = this.#pending.get(requestId);
    this.#pending.delete(requestId);
    return pending && { rpcId: pending.rpcId, answer: { error: { code: -32603, message } }, inputs: [] };
  }

  /** Every pending permission (of `turnId`, or all), answered `cancelled` as ACP requires once the turn is cancelled. */
  cancelPending(turnId?: string): Reply[] {
    const replies: Reply[] = [];
    for (const [requestId, p] of this.#pending) {
      if (turnId !== undefined && p.turnId !== turnId) continue;
      this.#pending.delete(requestId);
      replies.push({ rpcId: p.rpcId, answer: { result: p.answers[CANCELLED] }, inputs: [] });
    }
    return replies;
  }

  /** The process is gone: its turn and requests died with it. */
  reset(): void {
    this.#turn = null;
    this.#pending.clear();
  }
}
