// One handler per push in the protocol's table (an exhaustive mapped type: a push added to the
// protocol does not compile until it is handled here). Payloads arrive already parsed.

import { BODY_CLIP, BODY_SLICE_MAX, THREAD_PAGE_BYTES, PilothouseError, mayDecide, mayRetitle, sessionRunner, type ChannelPushName, type PushPayload, type PushReply } from '@pilothouse/protocol';
import type { Author, Channel, Store } from '../store/store.js';
import * as reads from '../store/log-reads.js';
import * as pages from '../store/thread-pages.js';
import type { Principal, Subscription } from '../socket/types.js';
import type { PreviewPushes } from '../previews/service.js';
import type { AuditEntry } from '../limits/audit-coalesce.js';
import type { PresenceTracker } from './presence.js';
import type { MachineRegistry } from '../machines/registry.js';
import { machinePushHandlers } from '../machines/pushes.js';

export interface PushContext {
  store: Store;
  channel: Channel;
  principal: Principal;
  /** Set once this socket sent `runner_register` on the topic. */
  runner: { runnerId: string; instanceId: string } | null;
  setRunner(runner: { runnerId: string; instanceId: string }): void;
  /** This socket's membership in the topic: a runner's previews reach it through this. */
  sub: Subscription;
  previews: PreviewPushes;
  /** Writes a refusal to the audit log (coalesced: a flood of refusals is one row per window). */
  audit(entry: AuditEntry): Promise<void>;
  /** Who watches which thread, and who types (ephemeral). */
  presence: PresenceTracker;
  /** The channel's machines and the requests forwarded to them. */
  machines: MachineRegistry;
  /** The machine this socket reported (`machine_state`, lower-cased name), or null. */
  machine: string | null;
  setMachine(name: string): void;
}

/** Messages per get_thread page when the client names no limit. */
const THREAD_PAGE_LIMIT = 200;

type Handlers = { [K in ChannelPushName]: (ctx: PushContext, payload: PushPayload<K>) => Promise<PushReply<K>> };

const actorOf = (p: Principal) => ({ user_id: p.userId, name: p.name });
const runnerAuthor = (ctx: PushContext): Author => ({ userId: ctx.principal.userId, name: ctx.principal.name, runnerId: ctx.runner?.runnerId ?? null });

/** The root of thread `threadId` in this channel (not a reply's id), or thread_not_found. */
async function threadRootOf(ctx: PushContext, threadId: string) {
  const root = await ctx.store.threadRoot(ctx.channel.id, threadId);
  if (root?.thread_id !== threadId) throw new PilothouseError('thread_not_found', `No thread ${threadId} in this channel.`);
  return { id: root.id, runner_id: root.runner_id, author: { user_id: root.author_id, name: '' } };
}

export const pushHandlers: Handlers = {
  async post_message(ctx, p) {
    const author: Author = { userId: ctx.principal.userId, name: ctx.principal.name, runnerId: null };
    return ctx.store.postMessage(ctx.channel.id, author, { client_id: p.client_id, body: p.body, thread_id: p.thread_id, kind: 'text' });
  },

  async list_threads(ctx, p) {
    return ctx.store.snapshot(async (db) => ({
      head_seq: await reads.headSeq(db, ctx.channel.id),
      threads: await reads.listThreads(db, ctx.channel.id, { beforeSeq: p.before_seq, limit: p.limit ?? 50 }),
    }));
  },

  async get_thread(ctx, p) {
    const { head_seq, page } = await ctx.store.snapshot(async (db) => {
      // Any message id of the thread finds the whole thread.
      const threadId = (await pages.threadIdOf(db, ctx.channel.id, p.thread_id)) ?? p.thread_id;
      const cursor: pages.PageCursor = p.before_seq !== undefined ? { beforeSeq: p.before_seq } : { afterSeq: p.after_seq ?? 0 };
      const opts = { ...cursor, limit: p.limit ?? THREAD_PAGE_LIMIT, pageChars: THREAD_PAGE_BYTES, clip: BODY_CLIP };
      return { head_seq: await reads.headSeq(db, ctx.channel.id), page: await pages.threadPage(db, ctx.channel.id, threadId, opts) };
    });
    // A first page (forwards, or backwards from past the head) that is empty: no such thread.
    const first = p.after_seq === undefined && (p.before_seq === undefined || p.before_seq > head_seq);
    if (page.messages.length === 0 && first) throw new PilothouseError('thread_not_found', `No thread ${p.thread_id} in this channel.`);
    return { head_seq, messages: page.messages, clipped: page.clipped, next: page.next, complete: page.next === null };
  },

  async get_body(ctx, p) {
    const slice = await pages.bodySlice(ctx.store.db, ctx.channel.id, p.message_id, p.offset, p.limit ?? BODY_SLICE_MAX);
    if (!slice) throw new PilothouseError('message_not_found', `No message ${p.message_id} in this channel.`);
    return { offset: p.offset, text: slice.text, length: slice.length, complete: p.offset + slice.text.length >= slice.length };
  },

  async control(ctx, p) {
    // The attached runner is the one that opened the thread (its root row), never a later claim.
    const [root, runners] = await Promise.all([ctx.store.getMessage(ctx.channel.id, p.thread_id), ctx.store.runnersOf(ctx.channel.id)]);
    const runner = root ? sessionRunner(root, runners) : null;
    const detail = { thread_id: p.thread_id, action: p.action };
    const channel = `${ctx.channel.workspace}/${ctx.channel.name}`;
    const actor = { id: ctx.principal.userId, name: ctx.principal.name };
    // A retry of a control already recorded gets its original reply, whatever changed since.
    const earlier = await ctx.store.findControl(ctx.channel.id, ctx.principal.userId, p.client_id);
    if (earlier) return earlier;
    if (!runner) throw new PilothouseError('no_runner', `No runner is attached to thread ${p.thread_id}.`);
    if (!mayDecide(runner.allowed, actorOf(ctx.principal))) {
      await ctx.audit({ actor, action: 'control_refused', channel, detail: { ...detail, code: 'sender_not_allowed' } });
      throw new PilothouseError('sender_not_allowed', `${ctx.principal.name} may not steer this session; allowed: ${runner.allowed.join(', ') || 'nobody'}.`);
    }
    const result = await ctx.store.recordControl(ctx.channel.id, actorOf(ctx.principal), p);
    const action = p.action.type === 'resolve_approval' || p.action.type === 'resolve_port_forward' ? 'approval_decided' : 'control';
    await ctx.store.audit({ actor, action, channel, detail: { ...detail, control_id: result.control_id } });
    return result;
  },

  async set_title(ctx, p) {
    const [root, runners] = await Promise.all([threadRootOf(ctx, p.thread_id), ctx.store.runnersOf(ctx.channel.id)]);
    const channel = `${ctx.channel.workspace}/${ctx.channel.name}`;
    const actor = { id: ctx.principal.userId, name: ctx.principal.name };
    if (!mayRetitle(root, runners, actorOf(ctx.principal))) {
      await ctx.audit({ actor, action: 'title_refused', channel, detail: { thread_id: p.thread_id, code: 'sender_not_allowed' } });
      throw new PilothouseError('sender_not_allowed', `${ctx.principal.name} may not rename this thread: only the people who may steer it can.`);
    }
    const result = await ctx.store.setTitle(ctx.channel.id, actorOf(ctx.principal), p);
    if (result.seq !== null) await ctx.store.audit({ actor, action: 'title_set', channel, detail: { thread_id: p.thread_id, title: p.title, seq: result.seq } });
    return result;
  },

  async watch(ctx, p) {
    if (p.thread_id !== null) await threadRootOf(ctx, p.thread_id);
    // The actor is the socket's principal: a member announces only themselves.
    ctx.presence.apply(ctx.channel.id, { type: 'watch', socketId: ctx.sub.socketId, actor: actorOf(ctx.principal), threadId: p.thread_id });
    return { presence: p.thread_id === null ? null : ctx.presence.view(ctx.channel.id, p.thread_id) };
  },

  async typing(ctx, p) {
    await threadRootOf(ctx, p.thread_id);
    ctx.presence.apply(ctx.channel.id, { type: 'typing', socketId: ctx.sub.socketId, actor: actorOf(ctx.principal), threadId: p.thread_id, typing: p.typing });
    return { ok: true as const };
  },

  async runner_register(ctx, p) {
    // People's logins are not runner credentials (docs/protocol.md §5): only a runner-scoped token registers.
    if (ctx.principal.via === 'session') {
      throw new PilothouseError('runner_token_required', 'A browser session cannot register a runner; run `pilothouse run` with a runner token (pilothouse token create --user NAME).');
    }
    if (ctx.principal.scope !== 'runner') {
      throw new PilothouseError('runner_token_required', `This token is scoped ${ctx.principal.scope}: it cannot register a runner; create one with pilothouse token create --user ${ctx.principal.name} --scope runner.`);
    }
    const result = await ctx.store.registerRunner(ctx.channel.id, actorOf(ctx.principal), p);
    ctx.setRunner({ runnerId: p.runner_id, instanceId: p.instance_id });
    return result;
  },

  async runner_status(ctx, p) {
    const runner = ctx.runner!;
    return ctx.store.setRunnerStatus(ctx.channel.id, actorOf(ctx.principal), runner.runnerId, p);
  },

  async post_row(ctx, p) {
    return ctx.store.postMessage(ctx.channel.id, runnerAuthor(ctx), p);
  },

  async append(ctx, p) {
    return ctx.store.appendRow(ctx.channel.id, runnerAuthor(ctx), p);
  },

  async update_row(ctx, p) {
    return ctx.store.updateRow(ctx.channel.id, runnerAuthor(ctx), p);
  },

  async set_state(ctx, p) {
    return ctx.store.setState(ctx.channel.id, runnerAuthor(ctx), p);
  },

  async preview_open(ctx, p) {
    return ctx.previews.open({ ...ctx, runner: ctx.runner! }, p);
  },

  async preview_close(ctx, p) {
    return ctx.previews.close({ ...ctx, runner: ctx.runner! }, p);
  },

  ...machinePushHandlers,
};
