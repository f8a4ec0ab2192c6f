// Which committed channel events are worth telling someone, and whom (as a rule, not yet as
// users): a pure function of the event and the message it concerns. derive.ts resolves the
// audience against members and preferences inside the event's own transaction.

import {
  Approval,
  isChatCommand,
  PortForwardMeta,
  type AllowedEntry,
  type ChannelEvent,
  type Message,
  type MessageState,
  type NotificationKind,
} from '@pilothouse/protocol';

/** Who a trigger is for. */
export type Audience =
  /** The people an approval names as allowed to decide it. */
  | { readonly type: 'deciders'; readonly allowed: readonly AllowedEntry[] }
  /** The people who may steer the thread's session; with `watchers`, members who opted in too. */
  | { readonly type: 'steerers'; readonly watchers: boolean }
  /** Members by name (mentions). */
  | { readonly type: 'named'; readonly names: readonly string[] };

/** The prompt an alert can answer. */
export interface PromptRef {
  readonly prompt: 'approval' | 'port_forward';
  readonly request_id: string;
  /** The answers the alert offers (the prompt's choice ids `approve` / `deny` when it has them). */
  readonly actions: readonly ('approve' | 'deny')[];
  readonly expires_at: string | null;
}

export interface Trigger {
  readonly kind: NotificationKind;
  readonly threadId: string;
  readonly messageId: string | null;
  /** One notification per person per key. */
  readonly key: string;
  readonly title: string;
  readonly body: string;
  readonly audience: Audience;
  /** The person whose action this is: never told of it. */
  readonly actorId: string | null;
  readonly prompt: PromptRef | null;
  /** Shown and sent from then on (ISO-8601); null: now. */
  readonly visibleAt: string | null;
}

/** A prompt settled: notifications about `messageId` prompts other than `openRequest` are resolved. */
export interface Settle {
  readonly messageId: string;
  readonly openRequest: string | null;
}

export interface Derived {
  readonly triggers: readonly Trigger[];
  readonly settles: readonly Settle[];
}

/** What derive.ts loads for an event before asking (null when the event concerns no message). */
export interface EventContext {
  /** The message the event is about (a state's instruction, an updated row), body clipped. */
  readonly message: Pick<Message, 'id' | 'thread_id' | 'kind' | 'body' | 'runner_id' | 'author' | 'meta'> | null;
  /** For a runner going offline: the instruction its session was running, if any. */
  readonly running: Pick<Message, 'id' | 'thread_id' | 'body'> | null;
  /** For a state: the seq of the instruction's latest `processing` state before it (its run; a retry is a new one), 0 if none. */
  readonly run: number;
}

const NONE: Derived = { triggers: [], settles: [] };

/** How long before an approval's deadline its deciders are reminded (at most). */
export const EXPIRY_LEAD_MS = 60_000;

/** One line, at most `max` characters. */
export function clip(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

/** `@name` mentions in a person's text (names as UserName allows them), lower-cased, unique. */
export function mentionsIn(body: string): string[] {
  const names = new Set<string>();
  for (const m of body.matchAll(/(?:^|[^\w@.])@([A-Za-z0-9][A-Za-z0-9_.-]{0,63})/g)) names.add(m[1]!.replace(/[.-]+$/, '').toLowerCase());
  return [...names].filter((n) => n.length > 0);
}

const actionsOf = (choices: readonly { id: string }[]): ('approve' | 'deny')[] =>
  (['approve', 'deny'] as const).filter((id) => choices.some((c) => c.id === id));

/** The time to remind deciders of an approval that expires at `expiresAt`, or null when there is no room for it. */
export function reminderAt(createdAt: number, expiresAt: string | null): string | null {
  if (expiresAt === null) return null;
  const end = Date.parse(expiresAt);
  if (!Number.isFinite(end)) return null;
  const window = end - createdAt;
  const lead = Math.min(EXPIRY_LEAD_MS, Math.floor(window / 4));
  // A short window needs no reminder: the first alert is still fresh.
  if (window < 4 * 10_000) return null;
  return new Date(end - lead).toISOString();
}

function approvalTriggers(threadId: string, messageId: string, approval: Approval, now: number): Trigger[] {
  const expiresAt = typeof approval.detail?.expires_at === 'string' ? approval.detail.expires_at : null;
  const prompt: PromptRef = { prompt: 'approval', request_id: approval.request_id, actions: actionsOf(approval.choices), expires_at: expiresAt };
  const what = clip(approval.summary, 100);
  const base = { threadId, messageId, audience: { type: 'deciders', allowed: approval.allowed } as const, actorId: null, prompt };
  const kind: NotificationKind = approval.kind === 'port_forward' ? 'preview_requested' : 'approval_requested';
  const out: Trigger[] = [
    { ...base, kind, key: `prompt:${approval.request_id}`, title: `Approval needed: ${what}`, body: clip([approval.summary, approval.reason ?? ''].filter(Boolean).join(' — '), 400), visibleAt: null },
  ];
  const remind = reminderAt(now, expiresAt);
  if (remind !== null) {
    out.push({ ...base, kind: 'approval_expiring', key: `expiring:${approval.request_id}`, title: `Approval expires soon: ${what}`, body: `Nobody has decided yet; it expires at ${expiresAt}.`, visibleAt: remind });
  }
  return out;
}

function stateDerived(event: Extract<ChannelEvent, { type: 'state' }>['payload'], ctx: EventContext, now: number): Derived {
  const state: MessageState = event.state;
  const instruction = ctx.message === null ? '' : clip(ctx.message.body, 80);
  const settles: Settle[] = [{ messageId: event.message_id, openRequest: state.approval?.request_id ?? null }];
  const triggers: Trigger[] = state.approval ? approvalTriggers(event.thread_id, event.message_id, state.approval, now) : [];
  // A chat command's state is the runner's answer to it, not a turn.
  const command = ctx.message !== null && isChatCommand(ctx.message.body);
  if ((state.state === 'processed' || state.state === 'failed') && !command) {
    const failed = state.state === 'failed';
    triggers.push({
      kind: failed ? 'turn_failed' : 'turn_finished',
      threadId: event.thread_id,
      messageId: event.message_id,
      // One per outcome of a run: a later state change of the same outcome (a decision recorded)
      // tells nothing new, the outcome of a retry does.
      key: `turn:${event.message_id}:${state.state}:${ctx.run}`,
      title: `${failed ? 'Turn failed' : 'Turn finished'}: ${instruction || 'an instruction'}`,
      body: failed ? clip(state.reason ?? 'The turn failed.', 400) : 'The agent finished this instruction.',
      audience: { type: 'steerers', watchers: true },
      actorId: null,
      prompt: null,
      visibleAt: null,
    });
  }
  return { triggers, settles };
}

/** A `port_forward` row's prompt (its meta carries the approval while it waits). */
function portForwardDerived(threadId: string, messageId: string, meta: unknown, now: number): Derived {
  const parsed = PortForwardMeta.extend({ approval: Approval.nullable().optional() }).safeParse(meta);
  if (!parsed.success) return NONE;
  const m = parsed.data;
  const open = m.phase === 'prompt' && m.approval ? m.approval : null;
  const settles: Settle[] = [{ messageId, openRequest: open?.request_id ?? null }];
  if (open === null) return { triggers: [], settles };
  const process = m.command === null ? '' : ` (${clip(m.command, 60)}${m.pid === null ? '' : `, pid ${m.pid}`})`;
  const [first] = approvalTriggers(threadId, messageId, { ...open, kind: 'port_forward' }, now);
  const trigger: Trigger = { ...first!, kind: 'preview_requested', prompt: { ...first!.prompt!, prompt: 'port_forward' }, title: `Preview requested: port ${m.port}${process}`, body: clip(open.summary, 400) };
  return { triggers: [trigger], settles };
}

/** What `event` asks to tell, and which prompts it settles. */
export function deriveTriggers(event: ChannelEvent, ctx: EventContext, now: number): Derived {
  switch (event.type) {
    case 'state':
      return stateDerived(event.payload, ctx, now);
    case 'message': {
      const m = event.payload.message;
      if (m.kind === 'port_forward' && m.runner_id !== null) return portForwardDerived(m.thread_id, m.id, m.meta, now);
      if (m.kind !== 'text' || m.runner_id !== null) return NONE;
      const names = mentionsIn(m.body);
      if (names.length === 0) return NONE;
      const trigger: Trigger = {
        kind: 'mention',
        threadId: m.thread_id,
        messageId: m.id,
        key: `mention:${m.id}`,
        title: `${m.author.name} mentioned you`,
        body: clip(m.body, 400),
        audience: { type: 'named', names },
        actorId: m.author.user_id,
        prompt: null,
        visibleAt: null,
      };
      return { triggers: [trigger], settles: [] };
    }
    case 'row_updated': {
      const m = ctx.message;
      if (event.payload.meta === undefined || m === null || m.kind !== 'port_forward') return NONE;
      return portForwardDerived(event.payload.thread_id, event.payload.message_id, event.payload.meta, now);
    }
    case 'presence': {
      const r = event.payload.runner;
      if (r.status !== 'offline' || ctx.running === null) return NONE;
      const trigger: Trigger = {
        kind: 'runner_offline',
        threadId: ctx.running.thread_id,
        messageId: ctx.running.id,
        key: `offline:${r.runner_id}:${event.payload.seq}`,
        title: `Runner offline during a turn: ${clip(r.name, 60)}`,
        body: `It went away while working on: ${clip(ctx.running.body, 200)}`,
        audience: { type: 'steerers', watchers: false },
        actorId: null,
        prompt: null,
        visibleAt: null,
      };
      return { triggers: [trigger], settles: [] };
    }
    case 'append':
    case 'control':
    case 'title':
      return NONE;
  }
}

/** Whether deriveTriggers could say anything of this event without loading its context (the hot path: appends). */
export function mayNotify(event: ChannelEvent): boolean {
  switch (event.type) {
    case 'state':
      return true;
    case 'message':
      return event.payload.message.kind === 'port_forward' || (event.payload.message.kind === 'text' && event.payload.message.body.includes('@'));
    case 'row_updated':
      return event.payload.meta !== undefined && event.payload.meta !== null && 'phase' in event.payload.meta;
    case 'presence':
      return event.payload.runner.status === 'offline' && event.payload.runner.thread_id !== null;
    case 'append':
    case 'control':
    case 'title':
      return false;
  }
}
