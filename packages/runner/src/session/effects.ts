// What the pure session core asks its shell to do. Wire pushes carry the exact payload of the
// protocol table (packages/protocol/src/pushes.ts); Codex answers are typed by request method.

import { MAX_STATE_REASON, type MessageState, type PushPayload } from '@pilothouse/protocol';
import type { RequestId } from '../codex/generated/index.js';
import type { ServerResults } from '../codex/methods.js';

/** The server requests the session turns into approval prompts. */
export type ApprovalMethod =
  | 'item/commandExecution/requestApproval'
  | 'item/fileChange/requestApproval'
  | 'item/permissions/requestApproval'
  | 'item/tool/requestUserInput';

/** An answer to an approval request, typed by its method (pass `result` to `answer()`). */
export type CodexAnswer = { [M in ApprovalMethod]: { readonly method: M; readonly result: ServerResults[M] } }[ApprovalMethod];

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type RowEffect =
  | { readonly type: 'post_row'; readonly payload: PushPayload<'post_row'> }
  | { readonly type: 'append'; readonly payload: PushPayload<'append'> }
  | { readonly type: 'update_row'; readonly payload: PushPayload<'update_row'> };

export type Effect =
  | RowEffect
  | { readonly type: 'set_state'; readonly payload: { readonly message_id: string; readonly state: MessageState } }
  | { readonly type: 'runner_status'; readonly status: 'idle' | 'working' }
  /** Sent to Codex once the hub has acknowledged the message's `processing` state (emitted just before). */
  | { readonly type: 'codex_turn_start'; readonly threadId: string; readonly message_id: string; readonly text: string }
  | { readonly type: 'codex_interrupt'; readonly threadId: string; readonly turnId: string }
  | { readonly type: 'codex_answer'; readonly requestId: RequestId; readonly answer: CodexAnswer }
  /** A server request the session does not handle: answer it with a JSON-RPC error. */
  | { readonly type: 'codex_refuse'; readonly requestId: RequestId; readonly message: string }
  /** Start a Codex thread (try `thread/resume` of `resume` first when set); answer with thread_started. */
  | { readonly type: 'start_thread'; readonly resume: string | null; readonly reason: string }
  /** Serve a preview of an approved port (idempotent); answer with preview_opened / preview_open_failed. */
  | { readonly type: 'preview_open'; readonly payload: PushPayload<'preview_open'> }
  /** Stop serving a preview: the hub closes its origin, the shell drops its tunnel streams. */
  | { readonly type: 'preview_close'; readonly payload: PushPayload<'preview_close'> }
  /** Scan once for what the agent's processes listen on; answer with listeners_scanned / listener_scan_failed. */
  | { readonly type: 'scan_listeners' }
  | { readonly type: 'log'; readonly level: LogLevel; readonly event: string; readonly fields: Readonly<Record<string, unknown>> }
  /**
   * Every hub event with seq <= `seq` is fully handled: the shell may persist the cursor; when
   * `durable`, before it performs the effects that follow (a run's final state).
   */
  | { readonly type: 'ack'; readonly seq: number; readonly durable?: true };

export type LogEffect = Extract<Effect, { type: 'log' }>;

export function log(level: LogLevel, event: string, fields: Record<string, unknown> = {}): LogEffect {
  return { type: 'log', level, event, fields };
}

/** The one structured line every decision produces: who decided what about which target, and how it ended. */
export function decisionLog(action: string, actor: string | null, target: string, outcome: string, extra: Record<string, unknown> = {}): LogEffect {
  return log('info', 'decision', { action, actor, target, outcome, ...extra });
}

/**
 * A message state for the hub. Reasons quote Codex's errors (a raw HTTP body, an exit's stderr):
 * one the hub would refuse as too long would leave the message stuck, so it is clipped here.
 */
export function setState(message_id: string, state: MessageState): Effect {
  const { reason } = state;
  if (typeof reason !== 'string' || reason.length <= MAX_STATE_REASON) return { type: 'set_state', payload: { message_id, state } };
  return { type: 'set_state', payload: { message_id, state: { ...state, reason: `${reason.slice(0, MAX_STATE_REASON - 1)}…` } } };
}

const MAX_CLIENT_ID = 128;

/** A deterministic client id (idempotent retries) within the protocol's 128-char limit. */
export function clientId(prefix: string, key: string): string {
  const id = `${prefix}:${key}`;
  if (id.length <= MAX_CLIENT_ID) return id;
  return `${id.slice(0, MAX_CLIENT_ID - 10)}#${fnv1a(id)}`;
}

/** 32-bit FNV-1a over UTF-16 code units, as 8 hex digits. */
export function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(16).padStart(8, '0');
}

export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value)}`);
}
