// Names as plain text, with no zod: slugs, channel references `WS/CH`, a channel's topic
// `channel:WS/CH`, preview ids. The CLI parses its flags with these before anything heavy loads.

export const SLUG_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** Lower-case letters and digits only: it is a DNS label in the preview's host name. */
export const PREVIEW_ID_PATTERN = /^[a-z0-9]{8,40}$/;

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
