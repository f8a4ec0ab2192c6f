// Plain-value builders for the session's tests: Codex items, notifications and server requests
// shaped as codex 0.169.0 sends them (docs/decisions/codex-app-server.md), and hub events; a fake hub applying
// the hub's row rules; and a harness driving the session through the Codex adapter. Test-only.

import { assertNever, ChannelPushes, type ChannelEvent, type ControlAction, type Message } from '@pilothouse/protocol';
import { CodexAdapter } from '../src/codex/adapter.js';
import type { ServerNotification, ServerRequest } from '../src/codex/generated/index.js';
import type { CommandExecutionApprovalDecision, FileUpdateChange, ThreadItem, TurnStatus } from '../src/codex/generated/v2/index.js';
import type { ServerRequestAnswer } from '../src/codex/methods.js';
import { isThreadLost } from '../src/codex/translate.js';
import type { Effect } from '../src/session/effects.js';
import { step, type SessionInput } from '../src/session/session.js';
import { createSession, sessionConfig, type SessionOptions, type SessionState } from '../src/session/state.js';

export const CODEX_THREAD = '019a-thread';
export const HUB_THREAD = 'root-1';
export const ALICE = { user_id: 'u-alice', name: 'alice' } as const;
export const BOB = { user_id: 'u-bob', name: 'bob' } as const;

export const item = {
  user: (id: string, text: string): ThreadItem => ({ type: 'userMessage', id, clientId: null, content: [{ type: 'text', text, text_elements: [] }] }),
  agent: (id: string, text: string): ThreadItem => ({ type: 'agentMessage', id, text, phase: null, moderation: null, memoryCitation: null, delivery: null, questions: null }),
  reasoning: (id: string, summary: string[]): ThreadItem => ({ type: 'reasoning', id, summary, content: [] }),
  command: (
    id: string,
    o: { command?: string; status?: 'inProgress' | 'completed' | 'failed' | 'declined'; output?: string | null; exitCode?: number | null; durationMs?: number | null } = {},
  ): ThreadItem => ({
    type: 'commandExecution',
    id,
    pluginId: null,
    scriptPath: null,
    command: o.command ?? "/bin/bash -lc 'echo hi'",
    cwd: '/abs/ws',
    processId: null,
    source: 'agent',
    status: o.status ?? 'inProgress',
    commandActions: [{ type: 'unknown', command: 'echo hi' }],
    aggregatedOutput: o.output ?? null,
    exitCode: o.exitCode ?? null,
    durationMs: o.durationMs ?? null,
  }),
  fileChange: (id: string, changes: FileUpdateChange[], status: 'inProgress' | 'completed' | 'failed' | 'declined' = 'inProgress'): ThreadItem => ({
    type: 'fileChange',
    id,
    changes,
    status,
  }),
  webSearch: (id: string, query: string, queries: string[] | null = null): ThreadItem => ({
    type: 'webSearch',
    id,
    query,
    action: queries === null ? null : { type: 'search', query: null, queries },
    results: null,
  }),
};

const T = CODEX_THREAD;
export const note = {
  turnStarted: (turnId: string): ServerNotification => ({ method: 'turn/started', params: { threadId: T, turn: turn(turnId, 'inProgress', []) } }),
  started: (turnId: string, i: ThreadItem): ServerNotification => ({ method: 'item/started', params: { threadId: T, turnId, item: i, startedAtMs: 0 } }),
  completed: (turnId: string, i: ThreadItem): ServerNotification => ({ method: 'item/completed', params: { threadId: T, turnId, item: i, completedAtMs: 0 } }),
  agentDelta: (turnId: string, itemId: string, delta: string): ServerNotification => ({ method: 'item/agentMessage/delta', params: { threadId: T, turnId, itemId, delta } }),
  outputDelta: (turnId: string, itemId: string, delta: string): ServerNotification => ({ method: 'item/commandExecution/outputDelta', params: { threadId: T, turnId, itemId, delta } }),
  summaryPart: (turnId: string, itemId: string, summaryIndex: number): ServerNotification => ({ method: 'item/reasoning/summaryPartAdded', params: { threadId: T, turnId, itemId, summaryIndex } }),
  summaryDelta: (turnId: string, itemId: string, delta: string, summaryIndex = 0): ServerNotification => ({
    method: 'item/reasoning/summaryTextDelta',
    params: { threadId: T, turnId, itemId, delta, summaryIndex },
  }),
  status: (flags: Array<'waitingOnApproval'> | 'idle'): ServerNotification => ({
    method: 'thread/status/changed',
    params: { threadId: T, status: flags === 'idle' ? { type: 'idle' } : { type: 'active', activeFlags: flags } },
  }),
  resolved: (requestId: number): ServerNotification => ({ method: 'serverRequest/resolved', params: { threadId: T, requestId } }),
  turnCompleted: (turnId: string, status: TurnStatus, items: ThreadItem[] = [], error: string | null = null): ServerNotification => ({
    method: 'turn/completed',
    params: { threadId: T, turn: { ...turn(turnId, status, items), error: error === null ? null : { message: error, codexErrorInfo: 'other', additionalDetails: null, misalignment: null } } },
  }),
};

function turn(id: string, status: TurnStatus, items: ThreadItem[]): Extract<ServerNotification, { method: 'turn/completed' }>['params']['turn'] {
  return { id, rootTurnId: null, items, itemsView: 'summary', status, error: null, startedAt: null, completedAt: null, durationMs: null };
}

export const request = {
  command: (id: number, turnId: string, itemId: string, availableDecisions?: CommandExecutionApprovalDecision[]): ServerRequest => ({
    method: 'item/commandExecution/requestApproval',
    id,
    params: {
      kind: 'command',
      threadId: T,
      turnId,
      itemId,
      startedAtMs: 0,
      environmentId: 'local',
      reason: 'Need to run echo outside the sandbox',
      command: "/bin/bash -lc 'echo hi'",
      cwd: '/abs/ws',
      commandActions: [],
      proposedExecpolicyAmendment: ['echo', 'hi'],
      ...(availableDecisions === undefined ? {} : { availableDecisions }),
    },
  }),
  fileChange: (id: number, turnId: string, itemId: string): ServerRequest => ({
    method: 'item/fileChange/requestApproval',
    id,
    params: { threadId: T, turnId, itemId, startedAtMs: 0, reason: null, grantRoot: null },
  }),
};

let nextSeq = 100;
export function hubMessage(author: { user_id: string; name: string }, body: string, o: Partial<Message> = {}): ChannelEvent {
  const seq = o.seq ?? nextSeq++;
  const message: Message = {
    id: `msg-${seq}`,
    thread_id: HUB_THREAD,
    seq,
    author,
    runner_id: null,
    client_id: null,
    kind: 'text',
    item_key: null,
    body,
    meta: null,
    status: null,
    state: null,
    created_at: '2026-01-01T00:00:00Z',
    ...o,
  };
  return { type: 'message', payload: { seq, message } };
}

export function hubControl(actor: { user_id: string; name: string }, action: ControlAction, seq = nextSeq++, extra: { via?: 'push' | 'email' } = {}): ChannelEvent {
  return { type: 'control', payload: { seq, control_id: `ctl-${seq}`, thread_id: HUB_THREAD, actor, action, ...extra } };
}

export const only = <T extends Effect['type']>(effects: readonly Effect[], type: T): Array<Extract<Effect, { type: T }>> =>
  effects.filter((e): e is Extract<Effect, { type: T }> => e.type === type);

/** Effects without logs, as `[type, payload-ish]` for compact whole-sequence assertions. */
export const wire = (effects: readonly Effect[]): Effect[] => effects.filter((e) => e.type !== 'log');

export interface FakeRow {
  kind: string;
  body: string;
  meta: Record<string, unknown> | null;
  status: string | null;
}

/** The hub's row rules (message-writes.ts) in miniature: offsets must match, closed rows refuse appends. */
export class FakeHub {
  readonly rows = new Map<string, FakeRow>();
  readonly states = new Map<string, Array<{ state: string; reason?: string | null | undefined }>>();
  writes = 0;
  appendedChars = 0;

  apply(effects: readonly Effect[]): this {
    for (const e of effects) {
      switch (e.type) {
        case 'post_row': {
          this.writes += 1;
          const key = e.payload.item_key ?? e.payload.client_id;
          if (!this.rows.has(key)) this.rows.set(key, { kind: e.payload.kind, body: e.payload.body, meta: e.payload.meta ?? null, status: e.payload.status ?? 'streaming' });
          break;
        }
        case 'append': {
          this.writes += 1;
          const row = this.rows.get(e.payload.item_key);
          if (row === undefined) throw new Error(`row_not_found ${e.payload.item_key}`);
          if (e.payload.offset !== row.body.length) throw new Error(`offset_mismatch ${e.payload.item_key}: ${e.payload.offset} != ${row.body.length}`);
          if (row.status !== 'streaming') throw new Error(`row_closed ${e.payload.item_key}`);
          row.body += e.payload.text;
          this.appendedChars += e.payload.text.length;
          break;
        }
        case 'update_row': {
          this.writes += 1;
          const row = this.rows.get(e.payload.item_key);
          if (row === undefined) throw new Error(`row_not_found ${e.payload.item_key}`);
          if (e.payload.body !== undefined) row.body = e.payload.body;
          if (e.payload.meta !== undefined) row.meta = e.payload.meta;
          if (e.payload.status !== undefined) row.status = e.payload.status;
          break;
        }
        case 'set_state': {
          // Refused like the hub refuses it (a too-long reason would leave the message stuck).
          ChannelPushes.set_state.payload.parse(e.payload);
          const list = this.states.get(e.payload.message_id) ?? [];
          list.push({ state: e.payload.state.state, reason: e.payload.state.reason });
          this.states.set(e.payload.message_id, list);
          break;
        }
        case 'runner_status':
        case 'start_turn':
        case 'interrupt':
        case 'answer':
        case 'refuse':
        case 'start_thread':
        case 'preview_open':
        case 'preview_close':
        case 'scan_listeners':
        case 'probe_model':
        case 'log':
        case 'ack':
          break;
        default:
          assertNever(e, 'effect');
      }
    }
    return this;
  }

  row(key: string): FakeRow {
    const row = this.rows.get(key);
    if (row === undefined) throw new Error(`no row ${key}`);
    return row;
  }

  lastState(messageId: string): { state: string; reason?: string | null | undefined } | undefined {
    return this.states.get(messageId)?.at(-1);
  }
}

/** A JSON-RPC answer to a Codex request: its result, or its error message. */
export type Sent = { readonly id: string; readonly result: unknown } | { readonly id: string; readonly error: string };

function sent(id: string, answer: ServerRequestAnswer | undefined): Sent {
  if (answer === undefined) return { id, error: 'no longer pending' };
  return answer.kind === 'result' ? { id, result: answer.result } : { id, error: answer.message };
}

type WithoutNow<I> = I extends SessionInput ? Omit<I, 'now'> : never;

/**
 * Drives a session through `step` at a controlled time, applying its effects to a FakeHub. Codex
 * notifications and requests go through the Codex adapter, and its JSON-RPC answers to the
 * session's answer/refuse effects are kept in `replies`.
 */
export class Harness {
  state: SessionState;
  now = 0;
  readonly hub = new FakeHub();
  readonly effects: Effect[] = [];
  readonly adapter = new CodexAdapter();
  readonly #sent = new WeakMap<Effect, Sent>();

  constructor(options: Partial<SessionOptions> = {}, cursor = 0) {
    const config = sessionConfig({
      threadId: HUB_THREAD,
      agentThreadId: CODEX_THREAD,
      allowed: [{ name: 'alice', user_id: 'u-alice' }],
      policy: { approval_policy: 'on-request', sandbox: 'workspace-write' },
      ...options,
    });
    this.state = createSession(config, cursor);
  }

  feed(input: WithoutNow<SessionInput>): Effect[] {
    const result = step(this.state, { ...input, now: this.now });
    this.state = result.state;
    this.hub.apply(result.effects);
    this.effects.push(...result.effects);
    for (const e of result.effects) {
      if (e.type === 'answer') this.#sent.set(e, sent(e.requestId, this.adapter.answer(e.requestId, e.choice)));
      if (e.type === 'refuse') this.#sent.set(e, sent(e.requestId, this.adapter.refuse(e.requestId, e.message)));
    }
    return result.effects;
  }

  /** What the Codex adapter sent for the answer/refuse effects among `effects`, in order. */
  sent(effects: readonly Effect[]): Sent[] {
    return effects.flatMap((e) => this.#sent.get(e) ?? []);
  }

  hub_(event: ChannelEvent): Effect[] {
    return this.feed({ type: 'hub_event', event });
  }

  codex(...notifications: ServerNotification[]): Effect[] {
    return notifications.flatMap((notification) => this.adapter.notification(notification, this.now).flatMap((input) => this.feed(input)));
  }

  ask(req: ServerRequest): Effect[] {
    return this.feed(this.adapter.request(req, this.now));
  }

  /** Codex refused turn/start with `error` (the adapter tells whether the thread is lost). */
  turnStartFailed(message_id: string, error: string): Effect[] {
    return this.feed({ type: 'turn_start_failed', message_id, error, threadLost: isThreadLost(error) });
  }

  tick(ms: number): Effect[] {
    this.now += ms;
    return this.feed({ type: 'tick' });
  }
}
