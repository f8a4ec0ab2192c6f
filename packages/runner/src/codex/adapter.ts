// The Codex adapter: the session's agent seam for Codex. It translates app-server notifications
// and server requests into agent inputs (translate.ts, approvals.ts) and turns the session's
// answer/refuse effects back into JSON-RPC answers, keeping for each pending request what its
// choice ids mean to Codex. Its memory is bounded; the shell owns one per Codex process.

import type { AgentInput } from '../agent/vocabulary.js';
import { agentRequestId, draftApproval, seenChange, type CodexAnswer, type SeenChange } from './approvals.js';
import type { ServerNotification, ServerRequest } from './generated/index.js';
import { itemKey } from './items.js';
import type { ServerRequestAnswer } from './methods.js';
import { translateNotification } from './translate.js';

/** Pending requests and file changes remembered; the session keeps at most 64 approvals. */
const CAP = 256;

/** A Map that forgets its oldest entry beyond CAP. */
function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > CAP) map.delete(map.keys().next().value as string);
}

export class CodexAdapter {
  readonly #answers = new Map<string, Readonly<Record<string, CodexAnswer>>>();
  readonly #changes = new Map<string, SeenChange>();

  /** A notification that arrived at `now`, as agent inputs. */
  notification(notification: ServerNotification, now: number): AgentInput[] {
    if (notification.method === 'item/started') {
      const change = seenChange(notification.params.item);
      if (change !== null) remember(this.#changes, itemKey(notification.params.turnId, notification.params.item.id), change);
    }
    if (notification.method === 'serverRequest/resolved') this.#answers.delete(String(notification.params.requestId));
    return translateNotification(notification, now);
  }

  request(request: ServerRequest, now: number): AgentInput {
    const drafted = draftApproval(request, (key) => this.#changes.get(key));
    const requestId = agentRequestId(request.id);
    if (typeof drafted === 'string') {
      const params: unknown = request.params;
      const turnId = typeof params === 'object' && params !== null && 'turnId' in params && typeof params.turnId === 'string' ? params.turnId : null;
      return { type: 'request_unsupported', now, requestId, turnId, method: request.method, reason: drafted, approval: APPROVAL_METHODS.has(request.method) };
    }
    remember(this.#answers, requestId, drafted.answers);
    return { type: 'approval_requested', now, threadId: drafted.threadId, ...drafted.request };
  }

  /** The JSON-RPC answer for the session's choice; undefined when the request is no longer pending. */
  answer(requestId: string, choice: string): ServerRequestAnswer | undefined {
    const answers = this.#answers.get(requestId);
    this.#answers.delete(requestId);
    const answer = answers?.[choice];
    return answer === undefined ? undefined : { kind: 'result', result: answer.result };
  }

  refuse(requestId: string, message: string): ServerRequestAnswer {
    this.#answers.delete(requestId);
    return { kind: 'error', code: -32603, message };
  }

  /** The process is gone: its requests died with it (the next one numbers its requests from 0 again). */
  reset(): void {
    this.#answers.clear();
  }
}

/** Requests Codex uses to ask for approval: refusing one is worth a warning. */
const APPROVAL_METHODS = new Set<string>(['item/commandExecution/requestApproval', 'item/fileChange/requestApproval', 'item/permissions/requestApproval', 'item/tool/requestUserInput', 'applyPatchApproval', 'execCommandApproval']);
