// What the pure session core asks its shell to do. Wire pushes carry the exact payload of the
// protocol table (packages/protocol/src/pushes.ts); agent effects are the agent-neutral
// vocabulary (agent/vocabulary.ts) that the agent's adapter performs. Also the one helper for
// decision log lines.

import { MAX_STATE_REASON, type MessageState, type PushPayload } from '@pilothouse/protocol';
import type { AgentEffect } from '../agent/vocabulary.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** A row write; `turn_id` (the turn whose item the row shows, null for others) is for the shell's logs. */
export type RowEffect =
  | { readonly type: 'post_row'; readonly turn_id: string | null; readonly payload: PushPayload<'post_row'> }
  | { readonly type: 'append'; readonly turn_id: string | null; readonly payload: PushPayload<'append'> }
  | { readonly type: 'update_row'; readonly turn_id: string | null; readonly payload: PushPayload<'update_row'> };

export type Effect =
  | RowEffect
  | { readonly type: 'set_state'; readonly payload: { readonly message_id: string; readonly state: MessageState } }
  /** Presence: `thread_id` is the thread the session is bound to (it follows re-binds). */
  | { readonly type: 'runner_status'; readonly status: 'idle' | 'working'; readonly thread_id: string }
  | AgentEffect
  /** Serve a preview of an approved port (idempotent); answer with preview_opened / preview_open_failed. */
  | { readonly type: 'preview_open'; readonly payload: PushPayload<'preview_open'> }
  /** Stop serving a preview: the hub closes its origin, the shell drops its tunnel streams. */
  | { readonly type: 'preview_close'; readonly payload: PushPayload<'preview_close'> }
  /** Scan once for what the agent's processes listen on; answer with listeners_scanned / listener_scan_failed. */
  | { readonly type: 'scan_listeners' }
  /** Ask whether anything answers HTTP at the agent's model URL (agent/model-probe.ts); answer with model_probed. */
  | { readonly type: 'probe_model'; readonly turnId: string; readonly url: string }
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

/**
 * The one log line of a decision (an approval resolved, a port forwarded, an interrupt, a drop, a
 * retry): `actor` is a person's name or 'runner', `target` the request id, message id or seq it
 * was about, `outcome` what came of it ('approve', 'deny', 'expired', 'refused:<code>', …).
 */
export function decisionLog(action: string, actor: string, target: string | number, outcome: string, extra: Record<string, unknown> = {}): LogEffect {
  return log(outcome.startsWith('refused:') ? 'warn' : 'info', 'decision', { ...extra, action, actor, target, outcome });
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

