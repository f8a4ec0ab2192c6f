// Client → hub pushes on `channel:WS/CH`: one table of event → {payload, reply, who}. The hub's
// dispatcher, the runner's client and docs/protocol.md all derive from it.

import { z } from 'zod';
import { PreviewCloseReason, PreviewId, Port } from './previews.js';
import { SessionTitle } from './sessions.js';
import { ThreadPresence } from './presence.js';
import { MachineInfo, MachinePresence, MachineReply, SessionChanges, SessionEndRequest, SessionEndResult, SessionRef, SessionStartRequest, SessionStarted } from './machines.js';
import { ClientId, ControlAction, Id, ItemKey, Message, MessageKind, MessageState, Meta, RowStatus, RunnerInfo, RunnerPresence, RunnerStatus, Seq } from './model.js';

/** Largest body or append text accepted in one push (the frame limit still applies). */
export const MAX_TEXT = 512 * 1024;

const Body = z.string().max(MAX_TEXT);

/** get_thread sends a body longer than this clipped to this many characters (docs/protocol.md §5). */
export const BODY_CLIP = 64 * 1024;
/** get_thread stops adding messages to a page once their bodies reach this many characters. */
export const THREAD_PAGE_BYTES = 512 * 1024;
/** The largest slice one get_body returns (and its default `limit`). */
export const BODY_SLICE_MAX = 512 * 1024;

export const JoinPayload = z.object({ since: Seq.optional() }).strict();
export const JoinReply = z.object({
  /** The channel's newest seq when the join was answered; replayed events end here. */
  head_seq: Seq,
  channel: z.object({ id: Id, workspace: z.string(), name: z.string() }),
  runners: z.array(RunnerPresence),
  user: z.object({ user_id: Id, name: z.string() }),
});

/** One thread in `list_threads`: its root, counts, and what tells it apart from the others. */
export const ThreadSummary = z.object({
  root: Message,
  reply_count: z.number().int(),
  last_seq: Seq,
  /** The title a person set (`set_title`), or null. */
  title: SessionTitle.nullable(),
  /** The title the thread's first instruction gives (protocol's instructionTitle), or null. */
  instruction: z.string().nullable(),
  /** When the newest message of the thread was created (ISO-8601). */
  last_at: z.string(),
});
export type ThreadSummary = z.infer<typeof ThreadSummary>;

/**
 * `who`: `member` = any channel member; `runner` = a socket that sent `runner_register` on this topic;
 * `machine` = a socket that sent `machine_state` on this topic.
 */
export const ChannelPushes = {
  post_message: {
    who: 'member',
    payload: z.object({ client_id: ClientId, body: Body.min(1), thread_id: Id.optional() }).strict(),
    reply: z.object({ seq: Seq, message_id: Id, thread_id: Id }),
  },
  list_threads: {
    who: 'member',
    payload: z.object({ before_seq: Seq.optional(), limit: z.number().int().min(1).max(200).optional() }).strict(),
    reply: z.object({
      head_seq: Seq,
      threads: z.array(ThreadSummary),
    }),
  },
  /**
   * One page of a thread: messages with seq > `after_seq` (reading forwards, the default), or the
   * newest ones with seq < `before_seq` (reading backwards: a client opens a long thread at its end),
   * in seq order, at most `limit` and about THREAD_PAGE_BYTES of bodies (at least one message). A
   * body longer than BODY_CLIP is sent as its first BODY_CLIP characters and listed in `clipped`
   * with its full length; `get_body` reads the rest.
   */
  get_thread: {
    who: 'member',
    payload: z
      .object({ thread_id: Id, after_seq: Seq.optional(), before_seq: Seq.optional(), limit: z.number().int().min(1).max(500).optional() })
      .strict()
      .refine((p) => p.after_seq === undefined || p.before_seq === undefined, { message: 'after_seq and before_seq read in opposite directions: send one of them' }),
    reply: z.object({
      head_seq: Seq,
      messages: z.array(Message),
      clipped: z.array(z.object({ message_id: Id, length: z.number().int().nonnegative() })),
      /** The cursor of the next page in the direction read (its `after_seq`, or its `before_seq`); null at the thread's end. */
      next: Seq.nullable(),
      complete: z.boolean(),
    }),
  },
  /** A slice of a message's current body (UTF-16 code units, as `append` offsets): `[offset, offset + limit)`. */
  get_body: {
    who: 'member',
    payload: z.object({ message_id: Id, offset: z.number().int().nonnegative(), limit: z.number().int().min(1).max(BODY_SLICE_MAX).optional() }).strict(),
    reply: z.object({ offset: z.number().int(), text: z.string(), length: z.number().int(), complete: z.boolean() }),
  },
  control: {
    who: 'member',
    payload: z.object({ client_id: ClientId, thread_id: Id, action: ControlAction }).strict(),
    reply: z.object({ seq: Seq, control_id: Id }),
  },
  /** Names a thread (or clears the name with `null`): the people who may steer it (sessions.ts mayRetitle). */
  set_title: {
    who: 'member',
    payload: z.object({ thread_id: Id, title: SessionTitle.nullable() }).strict(),
    reply: z.object({ seq: Seq.nullable() }),
  },
  /** This socket watches `thread_id` now (null: none). Ephemeral; answered with the thread's presence. */
  watch: {
    who: 'member',
    payload: z.object({ thread_id: Id.nullable() }).strict(),
    reply: z.object({ presence: ThreadPresence.nullable() }),
  },
  /** This socket's person is typing in `thread_id` (refresh within TYPING_TTL_MS) or stopped. Implies `watch`. */
  typing: {
    who: 'member',
    payload: z.object({ thread_id: Id, typing: z.boolean() }).strict(),
    reply: z.object({ ok: z.literal(true) }),
  },
  runner_register: {
    who: 'member',
    payload: RunnerInfo.strict(),
    reply: z.object({ seq: Seq, runner: RunnerPresence }),
  },
  runner_status: {
    who: 'runner',
    payload: z
      .object({
        status: RunnerStatus.exclude(['offline']),
        thread_id: Id.nullable().optional(),
        allowed: z.array(z.string().min(1).max(100)).max(64).optional(),
      })
      .strict(),
    reply: z.object({ seq: Seq.nullable() }),
  },
  post_row: {
    who: 'runner',
    payload: z
      .object({
        client_id: ClientId,
        thread_id: Id.optional(),
        item_key: ItemKey.optional(),
        kind: MessageKind,
        body: Body,
        meta: Meta.optional(),
        status: RowStatus.optional(),
      })
      .strict(),
    reply: z.object({ seq: Seq, message_id: Id, thread_id: Id }),
  },
  append: {
    who: 'runner',
    payload: z.object({ item_key: ItemKey, offset: z.number().int().nonnegative(), text: Body.min(1) }).strict(),
    reply: z.object({ seq: Seq, length: z.number().int() }),
  },
  update_row: {
    who: 'runner',
    payload: z
      .object({ item_key: ItemKey, body: Body.optional(), meta: Meta.nullable().optional(), status: RowStatus.nullable().optional() })
      .strict(),
    reply: z.object({ seq: Seq.nullable() }),
  },
  set_state: {
    who: 'runner',
    payload: z.object({ message_id: Id, state: MessageState }).strict(),
    reply: z.object({ seq: Seq.nullable() }),
  },
  /** Serve an approved port as a preview (idempotent by preview_id: a runner re-sends its open previews after a reconnect). */
  preview_open: {
    who: 'runner',
    payload: z.object({ preview_id: PreviewId, port: Port, thread_id: Id }).strict(),
    reply: z.object({ preview_id: PreviewId, url: z.string() }),
  },
  /** Stop serving a preview: its tunnel streams are closed and its origin answers 410 from then on. */
  preview_close: {
    who: 'runner',
    payload: z.object({ preview_id: PreviewId, reason: PreviewCloseReason }).strict(),
    reply: z.object({ ok: z.literal(true) }),
  },
  /** A machine daemon's whole state (docs/protocol.md §15): the first one registers the socket as that machine (runner-scoped token only). */
  machine_state: {
    who: 'member',
    payload: MachineInfo.strict(),
    reply: z.object({ ok: z.literal(true) }),
  },
  /** The daemon's answer to a `machine_request` event. */
  machine_reply: {
    who: 'machine',
    payload: MachineReply,
    reply: z.object({ ok: z.literal(true) }),
  },
  list_machines: {
    who: 'member',
    payload: z.object({}).strict(),
    reply: z.object({ machines: z.array(MachinePresence) }),
  },
  /** Start a session on a machine (its owner's `may_start`); answered once the session thread exists and holds the first instruction. */
  session_start: {
    who: 'member',
    payload: SessionStartRequest,
    reply: SessionStarted,
  },
  /** A session's changes against its base (any member: the thread shows the same diffs). */
  session_changes: {
    who: 'member',
    payload: SessionRef.strict(),
    reply: SessionChanges,
  },
  /** Stop a session's agent, or end it: keep, merge or discard its branch (the people allowed to steer it). */
  session_end: {
    who: 'member',
    payload: SessionEndRequest,
    reply: SessionEndResult,
  },
} as const;

export type ChannelPushName = keyof typeof ChannelPushes;
export type PushPayload<K extends ChannelPushName> = z.infer<(typeof ChannelPushes)[K]['payload']>;
export type PushReply<K extends ChannelPushName> = z.infer<(typeof ChannelPushes)[K]['reply']>;
export type JoinPayload = z.infer<typeof JoinPayload>;
export type JoinReply = z.infer<typeof JoinReply>;

export function isChannelPushName(event: string): event is ChannelPushName {
  return Object.hasOwn(ChannelPushes, event);
}
