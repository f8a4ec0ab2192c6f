// Notifications (docs/notifications.md): the events worth telling a person, the media they reach
// people through, each person's preferences, and the HTTP shapes of the centre, push
// subscriptions, decision codes and channel webhooks. The hub routes; the web shows and sets.

import { z } from 'zod';
import { Id } from './model.js';

export const NotificationKind = z.enum(['approval_requested', 'preview_requested', 'approval_expiring', 'turn_finished', 'turn_failed', 'mention', 'runner_offline']);
export type NotificationKind = z.infer<typeof NotificationKind>;
export const NOTIFICATION_KINDS = NotificationKind.options;

/** Prompts: alerts a person can answer from the alert itself (Approve / Deny). */
export const PROMPT_KINDS: ReadonlySet<NotificationKind> = new Set(['approval_requested', 'preview_requested', 'approval_expiring']);

/** Where a notification reaches a person (webhooks are per channel, set by an admin). */
export const PersonalMedium = z.enum(['page', 'push', 'email']);
export type PersonalMedium = z.infer<typeof PersonalMedium>;

const Clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day as HH:MM (24-hour)');
const TimeZone = z
  .string()
  .max(64)
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'an IANA time zone such as Europe/Berlin');

/** Hours in which push and email wait (the page still shows everything); `start` may be after `end` (overnight). */
export const QuietHours = z.object({ start: Clock, end: Clock, tz: TimeZone }).strict();
export type QuietHours = z.infer<typeof QuietHours>;

const MediaSwitches = z.object({ page: z.boolean(), push: z.boolean(), email: z.boolean() }).strict();

export const NotificationPrefs = z
  .object({
    /** Per kind, per medium: on or off. */
    media: z.record(NotificationKind, MediaSwitches),
    /** Where email goes; null: no email. */
    email: z.string().email().max(254).nullable(),
    /** Also tell me when turns I may not steer finish or fail (in channels I belong to). */
    watch_turns: z.boolean(),
    quiet: QuietHours.nullable(),
    /** Several updates due at once become one message (prompts always come alone). */
    digest: z.boolean(),
  })
  .strict();
export type NotificationPrefs = z.infer<typeof NotificationPrefs>;

export function defaultPrefs(): NotificationPrefs {
  const on = { page: true, push: true, email: true };
  const media = Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, on])) as NotificationPrefs['media'];
  // Updates that need no answer stay off email unless asked for.
  media.turn_finished = { page: true, push: true, email: false };
  media.turn_failed = { page: true, push: true, email: false };
  return { media, email: null, watch_turns: false, quiet: null, digest: true };
}

/** A notification as the centre lists it. */
export const NotificationItem = z.object({
  id: Id,
  kind: NotificationKind,
  title: z.string(),
  body: z.string(),
  /** `workspace/channel` */
  channel: z.string(),
  thread_id: Id,
  message_id: Id.nullable(),
  request_id: z.string().nullable(),
  /** The path of the thread in the web UI. */
  path: z.string(),
  created_at: z.string(),
  read: z.boolean(),
  /** The prompt it asks about was settled. */
  resolved: z.boolean(),
});
export type NotificationItem = z.infer<typeof NotificationItem>;

export const NotificationList = z.object({ items: z.array(NotificationItem), unread: z.number().int().nonnegative(), next_before: z.string().nullable() });
export type NotificationList = z.infer<typeof NotificationList>;

/** `POST /api/notifications/read`: these ids, or all of them up to now. */
export const MarkRead = z.union([z.object({ ids: z.array(Id).min(1).max(500) }).strict(), z.object({ all: z.literal(true) }).strict()]);

/** A browser's PushSubscription.toJSON(), as `POST /api/push/subscriptions` takes it. */
export const PushSubscriptionInput = z
  .object({
    endpoint: z.string().url().max(2048),
    keys: z.object({ p256dh: z.string().min(80).max(100), auth: z.string().min(16).max(32) }),
    expirationTime: z.number().nullable().optional(),
  })
  .strip();

/** `POST /api/decide`: a decision code from a push action or an emailed link. */
export const DecideInput = z.object({ code: z.string().min(20).max(100).regex(/^[A-Za-z0-9_-]+$/, 'a decision code') }).strict();

export const WebhookFormat = z.enum(['json', 'slack']);
export const WebhookInput = z
  .object({
    url: z.string().max(2048),
    format: WebhookFormat.default('json'),
    kinds: z.array(NotificationKind).min(1).default([...NOTIFICATION_KINDS]),
    /** Allow a private or loopback address (an internal service); the hub itself is never allowed. */
    allow_private: z.boolean().default(false),
  })
  .strict();

/** How a decision reached the hub besides a `control` push: an alert's action. */
export const AlertMedium = z.enum(['push', 'email']);
export type AlertMedium = z.infer<typeof AlertMedium>;

/** The web UI's path of a channel (`/c/WS/CH`) and of a thread in it: links in alerts lead there. */
export const channelPath = (channel: string): string => `/c/${channel.split('/').map(encodeURIComponent).join('/')}`;
export const threadPath = (channel: string, threadId: string): string => `${channelPath(channel)}/t/${encodeURIComponent(threadId)}`;
