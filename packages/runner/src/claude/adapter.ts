// The Claude adapter: one per Claude process. It steps the pure translator (translate.ts) with
// each parsed line, turns permission prompts into approvals (approvals.ts) and keeps, for each
// pending prompt, what its choice ids answer Claude; control responses go to whoever waits.

import type { AgentInput } from '../agent/vocabulary.js';
import { DENY_MESSAGE, draftApproval } from './approvals.js';
import { beginTurn, initialTranslator, toolKey, translate, type TranslatorState } from './translate.js';
import { isCanUseTool, type ClaudeLine, type PermissionResult } from './wire.js';

/** Pending prompts remembered; the session keeps at most 64 approvals. */
const CAP = 256;

export type ControlReply = Extract<ClaudeLine, { type: 'control_response' }>['response'];

export class ClaudeAdapter {
  #state: TranslatorState = initialTranslator;
  readonly #answers = new Map<string, { readonly turnId: string; readonly answers: Readonly<Record<string, PermissionResult>> }>();

  /** The driver wrote a user line for turn `turnId`. */
  beginTurn(turnId: string): void {
    this.#state = beginTurn(this.#state, turnId);
  }

  get turnId(): string | null {
    return this.#state.turnId;
  }

  /** A line from Claude as agent inputs; control responses are returned apart (for the process's waiters). */
  line(line: ClaudeLine, now: number): { inputs: AgentInput[]; reply?: ControlReply; unsupported?: { requestId: string; subtype: string } } {
    switch (line.type) {
      case 'control_request': {
        const request = line.request;
        const turnId = this.#state.turnId;
        if (!isCanUseTool(request) || turnId === null) return { inputs: [], unsupported: { requestId: line.request_id, subtype: request.subtype } };
        const itemKey = toolKey(turnId, request.tool_use_id ?? line.request_id);
        const drafted = draftApproval(line.request_id, turnId, itemKey, request);
        this.#answers.set(line.request_id, { turnId, answers: drafted.answers });
        if (this.#answers.size > CAP) this.#answers.delete(this.#answers.keys().next().value as string);
        return { inputs: [{ type: 'approval_requested', now, ...drafted.request }] };
      }
      case 'control_cancel_request':
        if (!this.#answers.delete(line.request_id)) return { inputs: [] };
        return { inputs: [{ type: 'approval_withdrawn', now, requestId: line.request_id }] };
      case 'control_response':
        return { inputs: [], reply: line.response };
      case 'system':
      case 'stream_event':
      case 'assistant':
      case 'user':
      case 'result': {
        const step = translate(this.#state, line, now);
        this.#state = step.state;
        // A turn's prompts die with it (Claude cancels them first when interrupted).
        if (line.type === 'result') this.#answers.clear();
        return { inputs: step.inputs };
      }
    }
  }

  /**
   * Claude's answer for the session's choice; undefined when the prompt is no longer pending. A
   * choice the prompt did not offer is answered deny: a pending prompt is never left unanswered.
   */
  answer(requestId: string, choice: string): { readonly result: PermissionResult; readonly known: boolean } | undefined {
    const pending = this.#answers.get(requestId);
    this.#answers.delete(requestId);
    if (pending === undefined) return undefined;
    const result = pending.answers[choice];
    return result !== undefined ? { result, known: true } : { result: { behavior: 'deny', message: DENY_MESSAGE }, known: false };
  }

  /** Forgets a prompt (refused by the core); true if it was pending. */
  forget(requestId: string): boolean {
    return this.#answers.delete(requestId);
  }

  /** Prompts still waiting (the runner closes: each is denied). */
  pending(): string[] {
    return [...this.#answers.keys()];
  }
}
