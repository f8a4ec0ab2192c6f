// One channel as the page shows it: the thin shell around the pure reducers in state/. It feeds
// every event to the channel, thread-list and open-thread reducers, asks for snapshots when a
// reducer needs one (first join, a stale view, a seq gap), and tells React at most once a frame.

import type { Socket } from 'phoenix';
import {
  TYPING_REFRESH_MS,
  type ChannelEvent,
  type ControlAction,
  type JoinReply,
  type MachineSession,
  type PushPayload,
  type PushReply,
  type SessionEndRequest,
  type SessionStartRequest,
  type ThreadPresence,
} from '@pilothouse/protocol';
import { openFeed, type Feed } from '../api/feed.js';
import { channelStep, emptyChannel, type ChannelInput, type ChannelState } from '../state/channel.js';
import { emptyMachines, machinesStep, type MachinesState } from '../state/machines.js';
import { emptyThreadList, threadListStep, type ThreadListState } from '../state/threads.js';
import { emptyThread, threadStep, type ThreadInput, type ThreadState } from '../state/thread.js';
import { newClientId } from './ids.js';

export interface ChannelView {
  readonly channel: ChannelState;
  readonly list: ThreadListState;
  readonly thread: ThreadState | null;
  /** Why the thread list could not load. */
  readonly listError: string | null;
  /** Why the open thread cannot be shown (no such thread, a failed load). */
  readonly threadError: string | null;
  /** Who watches and who types, by thread (what the hub last sent; ephemeral). */
  readonly presence: Readonly<Record<string, ThreadPresence>>;
  /** Why the open thread's older page could not be loaded (the reader retries). */
  readonly olderError: string | null;
  /** The channel's machines and their sessions (what the hub last sent; ephemeral, asked again after every join). */
  readonly machines: MachinesState;
}

const LIST_LIMIT = 100;
/** Messages per thread page: the newest page at open, then each older one. */
const THREAD_PAGE = 100;
/** `before_seq` past any seq: the newest page (docs/protocol.md §4.4). */
const THE_END = Number.MAX_SAFE_INTEGER;

type ThreadSnapshot = Extract<ThreadInput, { type: 'snapshot' }>;

export class ChannelSession {
  private view: ChannelView = { channel: emptyChannel, list: emptyThreadList, thread: null, listError: null, threadError: null, presence: {}, olderError: null, machines: emptyMachines };
  /** The thread this page watches (announced again after every rejoin: the hub forgets a socket that left). */
  private watching: string | null = null;
  /** When this page last told the hub its person is typing, and in which thread. */
  private typingSent: { threadId: string; at: number } | null = null;
  private readonly feed: Feed;
  private readonly listeners = new Set<() => void>();
  private frame: number | null = null;
  /** Snapshot requests on the wire, by what they load ('list' or the thread id). */
  private readonly inFlight = new Set<string>();

  constructor(
    socket: Socket,
    readonly channel: string,
  ) {
    this.feed = openFeed(socket, channel, () => this.view.channel.seq, {
      joined: (reply: JoinReply) => {
        this.onChannel({ type: 'joined', reply });
        if (this.watching !== null) this.announceWatch(this.watching);
        this.loadMachines();
      },
      presence: (p: ThreadPresence) => this.set({ ...this.view, presence: { ...this.view.presence, [p.thread_id]: p } }),
      machines: (machines) => this.set({ ...this.view, machines: machinesStep(this.view.machines, { type: 'event', machines }) }),
      refused: (code, message) => this.onChannel({ type: 'refused', code, message }),
      event: (event: ChannelEvent) => this.onEvent(event),
    });
  }

  readonly getSnapshot = (): ChannelView => this.view;

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  openThread(threadId: string): void {
    if (this.view.thread?.threadId === threadId) return;
    this.set({ ...this.view, thread: emptyThread(threadId), threadError: null, olderError: null });
    this.reconcile();
  }

  /** Loads the open thread's next older page, if there is one and none is on its way. */
  loadOlder(threadId: string): void {
    const thread = this.view.thread;
    const key = `older:${threadId}`;
    if (thread?.threadId !== threadId || thread.status !== 'ready' || thread.older === null || this.inFlight.has(key)) return;
    this.inFlight.add(key);
    this.feed.push('get_thread', { thread_id: threadId, before_seq: thread.older, limit: THREAD_PAGE }).then(
      (page) => {
        this.inFlight.delete(key);
        const now = this.view.thread;
        if (now?.threadId !== threadId) return;
        this.set({ ...this.view, thread: threadStep(now, { type: 'older', messages: page.messages, clipped: page.clipped, next: page.next }), olderError: null });
      },
      (err: Error) => {
        this.inFlight.delete(key);
        if (this.view.thread?.threadId === threadId) this.set({ ...this.view, olderError: `Older messages could not be loaded: ${err.message}` });
      },
    );
  }

  closeThread(): void {
    if (this.view.thread) this.set({ ...this.view, thread: null, threadError: null });
  }

  post(body: string, threadId?: string): Promise<PushReply<'post_message'>> {
    return this.feed.push('post_message', { client_id: newClientId('web'), body, ...(threadId === undefined ? {} : { thread_id: threadId }) });
  }

  control(threadId: string, action: ControlAction): Promise<PushReply<'control'>> {
    return this.feed.push('control', { client_id: newClientId('ctl'), thread_id: threadId, action });
  }

  /** Names a thread (null: back to the title its first instruction gives). */
  setTitle(threadId: string, title: string | null): Promise<PushReply<'set_title'>> {
    return this.feed.push('set_title', { thread_id: threadId, title });
  }

  /** Starts a session on a machine; the reply comes once its thread holds the first instruction. */
  startSession(request: SessionStartRequest): Promise<PushReply<'session_start'>> {
    return this.feed.push('session_start', request).then((reply) => {
      this.showSession('started', request, reply.session);
      return reply;
    });
  }

  /** A machine session's changes against its base. */
  sessionChanges(ref: PushPayload<'session_changes'>): Promise<PushReply<'session_changes'>> {
    return this.feed.push('session_changes', ref);
  }

  /** Stops a session's agent, or ends it (keep, merge, discard). */
  endSession(request: SessionEndRequest): Promise<PushReply<'session_end'>> {
    return this.feed.push('session_end', request).then((reply) => {
      this.showSession('ended', request, reply.session);
      return reply;
    });
  }

  /** A session as a reply returned it, shown before the `machines` event that follows. */
  private showSession(type: 'started' | 'ended', ref: { owner_id: string; machine: string }, session: MachineSession): void {
    this.set({ ...this.view, machines: machinesStep(this.view.machines, { type, owner_id: ref.owner_id, machine: ref.machine, session }) });
  }

  /** This page shows `threadId` now (null: no thread). */
  watch(threadId: string | null): void {
    if (this.watching === threadId) return;
    this.watching = threadId;
    this.typingSent = null;
    if (this.view.channel.join.status === 'joined') this.announceWatch(threadId);
  }

  /** The person types in `threadId` (sent at most every TYPING_REFRESH_MS), or stopped (`false`: sent once). */
  typing(threadId: string, typing: boolean): void {
    const now = Date.now();
    const sent = this.typingSent;
    if (typing && sent?.threadId === threadId && now - sent.at < TYPING_REFRESH_MS) return;
    if (!typing && sent?.threadId !== threadId) return;
    this.typingSent = typing ? { threadId, at: now } : null;
    // Best effort: presence is a courtesy, never worth an error on the page.
    this.feed.push('typing', { thread_id: threadId, typing }).catch(() => undefined);
  }

  /** The machines list (after every join: the `machines` events missed meanwhile are not replayed). */
  private loadMachines(): void {
    const eventsAtRequest = this.view.machines.events;
    this.feed.push('list_machines', {}).then(
      (reply) => this.set({ ...this.view, machines: machinesStep(this.view.machines, { type: 'reply', machines: reply.machines, eventsAtRequest }) }),
      // A hub without machines (or a refusal) leaves the list empty: the sidebar shows no machines.
      () => undefined,
    );
  }

  private announceWatch(threadId: string | null): void {
    this.feed.push('watch', { thread_id: threadId }).then(
      (reply) => {
        if (reply.presence) this.set({ ...this.view, presence: { ...this.view.presence, [reply.presence.thread_id]: reply.presence } });
      },
      () => undefined,
    );
  }

  /** Loads the whole body of a message the hub sent clipped, one get_body slice after another. */
  async loadBody(messageId: string): Promise<void> {
    let body = '';
    for (;;) {
      const slice = await this.feed.push('get_body', { message_id: messageId, offset: body.length });
      body += slice.text;
      if (slice.complete || slice.text === '') break;
    }
    const thread = this.view.thread;
    if (thread?.byId[messageId]) this.set({ ...this.view, thread: threadStep(thread, { type: 'body', message_id: messageId, body }) });
  }

  close(): void {
    if (this.frame !== null) cancelAnimationFrame(this.frame);
    this.listeners.clear();
    this.feed.leave();
  }

  private onChannel(input: ChannelInput): void {
    this.set({ ...this.view, channel: channelStep(this.view.channel, input) });
    this.reconcile();
  }

  private onEvent(event: ChannelEvent): void {
    const { channel, list, thread } = this.view;
    this.set({
      ...this.view,
      channel: channelStep(channel, { type: 'event', event }),
      list: threadListStep(list, { type: 'event', event }),
      thread: thread && threadStep(thread, { type: 'event', event }),
    });
    this.reconcile();
  }

  /** The effects the state asks for: reload what is stale, load what is missing. */
  private reconcile(): void {
    let { channel, list, thread } = this.view;
    if (channel.join.status !== 'joined') return;
    if (channel.gap) {
      channel = channelStep(channel, { type: 'resynced' });
      list = threadListStep(list, { type: 'load' });
      thread = thread && threadStep(thread, { type: 'load' });
    }
    if (list.stale) list = threadListStep(list, { type: 'load' });
    if (thread?.stale) thread = threadStep(thread, { type: 'load' });
    if (channel !== this.view.channel || list !== this.view.list || thread !== this.view.thread) this.set({ ...this.view, channel, list, thread });
    if (list.status === 'loading') this.loadList();
    if (thread?.status === 'loading') this.loadThread(thread.threadId);
  }

  private loadList(): void {
    if (this.inFlight.has('list')) return;
    this.inFlight.add('list');
    this.feed.push('list_threads', { limit: LIST_LIMIT }).then(
      (reply) => {
        this.inFlight.delete('list');
        this.set({ ...this.view, list: threadListStep(this.view.list, { type: 'snapshot', head_seq: reply.head_seq, threads: reply.threads }), listError: null });
        this.reconcile();
      },
      (err: Error) => {
        // Retried on the next join (the feed rejoins after any reconnect).
        this.inFlight.delete('list');
        this.set({ ...this.view, listError: `The threads could not be loaded: ${err.message}` });
      },
    );
  }

  private loadThread(threadId: string): void {
    if (this.inFlight.has(threadId)) return;
    this.inFlight.add(threadId);
    this.threadPages(threadId).then(
      (reply) => {
        this.inFlight.delete(threadId);
        const thread = this.view.thread;
        if (thread?.threadId !== threadId) return;
        this.set({ ...this.view, thread: threadStep(thread, reply), threadError: null, olderError: null });
        this.reconcile();
      },
      (err: Error & { code?: string }) => {
        this.inFlight.delete(threadId);
        if (this.view.thread?.threadId !== threadId) return;
        // No such thread: give up on it. Anything else (a timeout) is retried on the next event.
        if (err.code === 'thread_not_found') this.set({ ...this.view, thread: null, threadError: `There is no such thread in ${this.channel}.` });
        else this.set({ ...this.view, threadError: `The thread could not be loaded: ${err.message}` });
      },
    );
  }

  /**
   * The thread opened at its end: its root and its newest page (get_thread reads backwards with
   * `before_seq`, docs/protocol.md §4.4); older pages follow as the reader scrolls back. The
   * snapshot's seq is the lower of the two replies' head_seq: the events between are replayed over
   * the newer one, which the idempotent rules skip.
   */
  private async threadPages(threadId: string): Promise<ThreadSnapshot> {
    const [root, newest] = await Promise.all([
      this.feed.push('get_thread', { thread_id: threadId, limit: 1 }),
      this.feed.push('get_thread', { thread_id: threadId, before_seq: THE_END, limit: THREAD_PAGE }),
    ]);
    const rootSeq = root.messages[0]?.seq ?? 0;
    // The newest page reaches the root when there is nothing before it but the root.
    const older = newest.next !== null && newest.next > rootSeq + 1 ? newest.next : null;
    return {
      type: 'snapshot',
      head_seq: Math.min(root.head_seq, newest.head_seq),
      messages: [...root.messages, ...newest.messages],
      clipped: [...root.clipped, ...newest.clipped],
      older,
    };
  }

  private set(view: ChannelView): void {
    this.view = view;
    // Many events can arrive in one frame (a replay after a reconnect): render once per frame.
    this.frame ??= requestAnimationFrame(() => {
      this.frame = null;
      this.listeners.forEach((l) => l());
    });
  }
}
