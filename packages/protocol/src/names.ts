// Names and topics: workspaces, channels and users are lower-case slugs; a channel's feed is `channel:WS/CH`.

import { z } from 'zod';

export const SLUG_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;
export const Slug = z.string().regex(SLUG_PATTERN, 'lower-case letters, digits, "-" and "_", at most 63');
export const UserName = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "-" and "_"');

export interface ChannelRef {
  workspace: string;
  channel: string;
}

/** Parses `WS/CH`; returns null when either half is not a slug. */
export function parseChannelRef(text: string): ChannelRef | null {
  const parts = text.split('/');
  if (parts.length !== 2) return null;
  const [workspace, channel] = parts as [string, string];
  if (!SLUG_PATTERN.test(workspace) || !SLUG_PATTERN.test(channel)) return null;
  return { workspace, channel };
}

export const formatChannelRef = (ref: ChannelRef): string => `${ref.workspace}/${ref.channel}`;

export const CHANNEL_TOPIC_PREFIX = 'channel:';
export const channelTopic = (ref: ChannelRef): string => `${CHANNEL_TOPIC_PREFIX}${formatChannelRef(ref)}`;

/** Parses a topic into its kind; unknown shapes give null (the hub answers `unknown_topic`). */
export function parseTopic(topic: string): { type: 'channel'; ref: ChannelRef } | null {
  if (!topic.startsWith(CHANNEL_TOPIC_PREFIX)) return null;
  const ref = parseChannelRef(topic.slice(CHANNEL_TOPIC_PREFIX.length));
  return ref ? { type: 'channel', ref } : null;
}
