// Who watches which thread of a channel and who is typing: ephemeral state, one hub process's view
// (docs/protocol.md §6.1). The rules are a pure step over plain data; PresenceTracker keeps one
// state per channel, expires typing marks on the hub's sweep and publishes what changed.

import { MAX_WATCHERS_PER_CHANNEL, PilothouseError, TYPING_TTL_MS, assertNever, type Actor, type ThreadPresence } from '@pilothouse/protocol';

export interface Watcher {
  readonly actor: Actor;
  readonly threadId: string;
  /** When the typing mark expires (ms since epoch), or null when not typing. */
  readonly typingUntil: number | null;
}

/** One channel: the watching sockets by socket id, in the order they came. */
export type ChannelPresence = Readonly<Record<string, Watcher>>;

export type PresenceInput =
  | { type: 'watch'; socketId: string; actor: Actor; threadId: string | null }
  | { type: 'typing'; socketId: string; actor: Actor; threadId: string; typing: boolean }
  | { type: 'left'; socketId: string }
  | { type: 'sweep' };

export type PresenceResult =
  | { type: 'ok'; state: ChannelPresence; changed: string[] }
  | { type: 'refused'; code: 'presence_full' };

const live = (w: Watcher, now: number) => w.typingUntil !== null && w.typingUntil > now;

/** A thread's presence: each person once, in the order they came; typing marks not yet expired. */
export function threadPresence(state: ChannelPresence, threadId: string, now: number): ThreadPresence {
  const watching = new Map<string, Actor>();
  const typing = new Map<string, Actor>();
  for (const w of Object.values(state)) {
    if (w.threadId !== threadId) continue;
    if (!watching.has(w.actor.user_id)) watching.set(w.actor.user_id, w.actor);
    if (live(w, now) && !typing.has(w.actor.user_id)) typing.set(w.actor.user_id, w.actor);
  }
  return { thread_id: threadId, watching: [...watching.values()], typing: [...typing.values()] };
}

export function presenceStep(state: ChannelPresence, input: PresenceInput, now: number): PresenceResult {
  switch (input.type) {
    case 'watch':
    case 'typing': {
      const before = state[input.socketId];
      const threadId = input.threadId;
      if (threadId === null) {
        if (!before) return { type: 'ok', state, changed: [] };
        const { [input.socketId]: _gone, ...rest } = state;
        return diff(state, rest, [before.threadId], now);
      }
      if (!before && Object.keys(state).length >= MAX_WATCHERS_PER_CHANNEL) return { type: 'refused', code: 'presence_full' };
      const typingUntil = input.type === 'typing' ? (input.typing ? now + TYPING_TTL_MS : null) : before?.threadId === threadId ? before.typingUntil : null;
      const next = { ...state, [input.socketId]: { actor: input.actor, threadId, typingUntil } };
      return diff(state, next, before ? [before.threadId, threadId] : [threadId], now);
    }
    case 'left': {
      const before = state[input.socketId];
      if (!before) return { type: 'ok', state, changed: [] };
      const { [input.socketId]: _gone, ...rest } = state;
      return diff(state, rest, [before.threadId], now);
    }
    case 'sweep': {
      const expired = Object.entries(state).filter(([, w]) => w.typingUntil !== null && !live(w, now));
      if (expired.length === 0) return { type: 'ok', state, changed: [] };
      const next = { ...state };
      for (const [id, w] of expired) next[id] = { ...w, typingUntil: null };
      return diff(state, next, expired.map(([, w]) => w.threadId), now);
    }
    default:
      return assertNever(input, 'presence input');
  }
}

/**
 * The state after a step, with expired typing marks cleared, and the threads among `touched` whose
 * presence differs from what was last published. Every stored mark was live when it was published
 * (marks are cleared as they expire), so the published view counts every mark in `before`.
 */
function diff(before: ChannelPresence, after: ChannelPresence, touched: string[], now: number): PresenceResult {
  const state = Object.values(after).some((w) => w.typingUntil !== null && !live(w, now))
    ? Object.fromEntries(Object.entries(after).map(([id, w]) => [id, live(w, now) ? w : { ...w, typingUntil: null }]))
    : after;
  const same = (a: ThreadPresence, b: ThreadPresence) => JSON.stringify(a) === JSON.stringify(b);
  const changed = [...new Set(touched)].filter((t) => !same(threadPresence(before, t, Number.NEGATIVE_INFINITY), threadPresence(state, t, now)));
  return { type: 'ok', state, changed };
}

/** A view another hub shared: dropped when not refreshed within REMOTE_TTL_MS (that hub may be gone). */
export const REMOTE_TTL_MS = 30_000;
/** How often a hub shares again the views it has, so other hubs keep them. */
export const SHARE_EVERY_MS = 10_000;

/** Each person once, in order: the first list's people, then the others'. */
function mergeViews(threadId: string, views: readonly ThreadPresence[]): ThreadPresence {
  const watching = new Map<string, Actor>();
  const typing = new Map<string, Actor>();
  for (const v of views) {
    for (const a of v.watching) if (!watching.has(a.user_id)) watching.set(a.user_id, a);
    for (const a of v.typing) if (!typing.has(a.user_id)) typing.set(a.user_id, a);
  }
  return { thread_id: threadId, watching: [...watching.values()].slice(0, MAX_WATCHERS_PER_CHANNEL), typing: [...typing.values()].slice(0, MAX_WATCHERS_PER_CHANNEL) };
}

/**
 * The hub's presence: a state per channel with watchers. What changes goes to `publish` (this
 * hub's sockets, merged with what other hubs shared) and to `share` (this hub's own view, for
 * the other hubs on the same PostgreSQL: channels/pg-presence.ts).
 */
export class PresenceTracker {
  private readonly channels = new Map<string, ChannelPresence>();
  /** Views other hubs shared: channel → thread → hub → view and when it came. */
  private readonly remote = new Map<string, Map<string, Map<string, { view: ThreadPresence; at: number }>>>();
  private lastShare = 0;

  constructor(
    private readonly deps: {
      now: () => number;
      publish: (channelId: string, presence: ThreadPresence) => void;
      share?: (channelId: string, presence: ThreadPresence) => void;
    },
  ) {}

  /** Applies one input; returns the channel's state after it, or throws presence_full. */
  apply(channelId: string, input: PresenceInput): ChannelPresence {
    const now = this.deps.now();
    const result = presenceStep(this.channels.get(channelId) ?? {}, input, now);
    if (result.type === 'refused') throw presenceFull();
    if (Object.keys(result.state).length === 0) this.channels.delete(channelId);
    else this.channels.set(channelId, result.state);
    for (const t of result.changed) {
      const local = threadPresence(result.state, t, now);
      this.deps.share?.(channelId, local);
      this.deps.publish(channelId, this.merged(channelId, t, local));
    }
    return result.state;
  }

  /** A view of another hub's sockets (an empty one: none of its sockets watch the thread any more). */
  remoteView(hubId: string, channelId: string, view: ThreadPresence): void {
    const byThread = this.remote.get(channelId) ?? new Map<string, Map<string, { view: ThreadPresence; at: number }>>();
    const byHub = byThread.get(view.thread_id) ?? new Map<string, { view: ThreadPresence; at: number }>();
    const before = byHub.get(hubId)?.view;
    if (view.watching.length === 0 && view.typing.length === 0) byHub.delete(hubId);
    else byHub.set(hubId, { view, at: this.deps.now() });
    if (byHub.size === 0) byThread.delete(view.thread_id);
    else byThread.set(view.thread_id, byHub);
    if (byThread.size === 0) this.remote.delete(channelId);
    else this.remote.set(channelId, byThread);
    if (JSON.stringify(before) !== JSON.stringify(view.watching.length + view.typing.length === 0 ? undefined : view)) this.deps.publish(channelId, this.view(channelId, view.thread_id));
  }

  view(channelId: string, threadId: string): ThreadPresence {
    return this.merged(channelId, threadId, threadPresence(this.channels.get(channelId) ?? {}, threadId, this.deps.now()));
  }

  private merged(channelId: string, threadId: string, local: ThreadPresence): ThreadPresence {
    const others = this.remote.get(channelId)?.get(threadId);
    if (!others || others.size === 0) return local;
    return mergeViews(threadId, [local, ...[...others.values()].map((o) => o.view)]);
  }

  /** Expires typing marks and stale remote views, and shares this hub's views again (the hub calls this about once a second). */
  sweep(): void {
    const now = this.deps.now();
    for (const id of [...this.channels.keys()]) this.apply(id, { type: 'sweep' });
    for (const [channelId, byThread] of [...this.remote]) {
      for (const [threadId, byHub] of [...byThread]) {
        for (const [hubId, r] of [...byHub]) if (now - r.at > REMOTE_TTL_MS) this.remoteView(hubId, channelId, { thread_id: threadId, watching: [], typing: [] });
      }
    }
    if (this.deps.share && now - this.lastShare >= SHARE_EVERY_MS) {
      this.lastShare = now;
      for (const [channelId, state] of this.channels) {
        for (const threadId of new Set(Object.values(state).map((w) => w.threadId))) this.deps.share(channelId, threadPresence(state, threadId, now));
      }
    }
  }

  /** Sockets tracked, over every channel. */
  size(): number {
    let n = 0;
    for (const s of this.channels.values()) n += Object.keys(s).length;
    return n;
  }
}

const presenceFull = () => new PilothouseError('presence_full', `This hub already tracks ${MAX_WATCHERS_PER_CHANNEL} watchers in this channel; try again later.`);
