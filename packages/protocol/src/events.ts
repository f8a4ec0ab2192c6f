// Server → client events on `channel:WS/CH`. Every change to a channel is one of these, with the
// channel's next `seq`; a join with `since` replays them in seq order before live ones.

import { z } from 'zod';
import {
  Actor,
  ControlAction,
  Id,
  ItemKey,
  Message,
  MessageState,
  Meta,
  RowStatus,
  RunnerPresence,
  Seq,
} from './model.js';
import { SessionTitle } from './sessions.js';
import { AlertMedium } from './notifications.js';

export const ChannelEvents = {
  /** A new message or row. */
  message: z.object({ seq: Seq, message: Message }),
  /** Text appended to a streaming row at `offset` (UTF-16 code units). */
  append: z.object({ seq: Seq, message_id: Id, thread_id: Id, item_key: ItemKey, offset: z.number().int().nonnegative(), text: z.string() }),
  /** A row changed: only the changed fields are present. `body` replaces the whole text. */
  row_updated: z.object({
    seq: Seq,
    message_id: Id,
    thread_id: Id,
    item_key: ItemKey.nullable(),
    body: z.string().optional(),
    meta: Meta.nullable().optional(),
    status: RowStatus.nullable().optional(),
  }),
  /** A human message's state changed. */
  state: z.object({ seq: Seq, message_id: Id, thread_id: Id, state: MessageState }),
  /** A runner came online, changed status, or went away. */
  presence: z.object({ seq: Seq, runner: RunnerPresence }),
  /** A human's control for the runner attached to `thread_id`. */
  control: z.object({
    seq: Seq,
    control_id: Id,
    thread_id: Id,
    actor: Actor,
    action: ControlAction,
    /** Set by the hub when the person decided from an alert (a push action, an emailed link); absent for a `control` push. */
    via: AlertMedium.optional(),
  }),
  /** A thread's title was set (`title`) or cleared back to the one its first instruction gives (`null`). */
  title: z.object({ seq: Seq, thread_id: Id, title: SessionTitle.nullable(), actor: Actor }),
} as const;

export type ChannelEventName = keyof typeof ChannelEvents;
export type ChannelEventPayloads = { [K in ChannelEventName]: z.infer<(typeof ChannelEvents)[K]> };
/** A stored channel event: the tagged union of every event. */
export type ChannelEvent = { [K in ChannelEventName]: { type: K; payload: ChannelEventPayloads[K] } }[ChannelEventName];

export const CHANNEL_EVENT_NAMES = Object.keys(ChannelEvents) as ChannelEventName[];
