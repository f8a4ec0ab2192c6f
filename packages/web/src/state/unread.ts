// Unread markers. `seen` maps a thread id to the newest seq the person saw in it, and a channel
// key to the baseline taken the first time the channel was loaded in this browser (older threads
// count as read). Pure; the shell keeps `seen` in localStorage.

import type { ThreadSummary } from './threads.js';

/** What the markers read of a thread. */
type Marked = Pick<ThreadSummary, 'root' | 'last_seq'>;

export type Seen = Readonly<Record<string, number>>;

const channelEntry = (channel: string) => `channel:${channel}`;

export function isThreadUnread(seen: Seen, channel: string, t: Marked): boolean {
  const baseline = Math.max(seen[t.root.id] ?? 0, seen[channelEntry(channel)] ?? 0);
  return t.last_seq > baseline;
}

export const isChannelUnread = (seen: Seen, channel: string, threads: readonly Marked[]): boolean =>
  threads.some((t) => isThreadUnread(seen, channel, t));

/** The first load of a channel sets its baseline; later loads leave it alone. */
export function withBaseline(seen: Seen, channel: string, threads: readonly Marked[]): Seen {
  if (seen[channelEntry(channel)] !== undefined) return seen;
  return { ...seen, [channelEntry(channel)]: Math.max(0, ...threads.map((t) => t.last_seq)) };
}

export function markThreadSeen(seen: Seen, threadId: string, lastSeq: number): Seen {
  return (seen[threadId] ?? 0) >= lastSeq ? seen : { ...seen, [threadId]: lastSeq };
}
