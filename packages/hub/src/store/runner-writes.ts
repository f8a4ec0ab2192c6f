// Runner presence in the log: a runner registering, and its status (idle, busy, offline) with
// the thread it reports, each one event.

import { PilothouseError, type Actor, type ChannelEvent, type RunnerInfo, type RunnerPresence, type RunnerStatus } from '@pilothouse/protocol';
import { nowIso, toPresence } from './rows.js';
import type { WriteOp } from './write-queue.js';
import { assertSessionRunner, threadRoot } from './session-binding.js';
import { emitted, insertEvent, nextSeq } from './log-events.js';

export function registerRunner(channelId: string, user: Actor, info: RunnerInfo): WriteOp<{ seq: number; runner: RunnerPresence }> {
  return async (trx) => {
    const existing = await trx.selectFrom('runners').selectAll().where('runner_id', '=', info.runner_id).executeTakeFirst();
    if (existing && existing.user_id !== user.user_id) {
      throw new PilothouseError('runner_conflict', `Runner id ${info.runner_id} belongs to another user.`);
    }
    const sameChannel = existing?.channel_id === channelId;
    // The same instance re-registering after a reconnect keeps its status: no online/working flap.
    const sameInstance = sameChannel && existing.status !== 'offline' && (JSON.parse(existing.info) as RunnerInfo).instance_id === info.instance_id;
    const row = {
      runner_id: info.runner_id,
      user_id: user.user_id,
      channel_id: channelId,
      info: JSON.stringify(info),
      status: sameInstance ? existing.status : 'online',
      thread_id: sameChannel ? existing.thread_id : null,
      allowed: sameChannel ? existing.allowed : '[]',
      updated_at: nowIso(),
    };
    if (existing) await trx.updateTable('runners').set(row).where('runner_id', '=', info.runner_id).execute();
    else await trx.insertInto('runners').values(row).execute();
    const seq = await nextSeq(trx, channelId);
    const runner = toPresence(row, user.name);
    const event: ChannelEvent = { type: 'presence', payload: { seq, runner } };
    await insertEvent(trx, channelId, event, { actor_id: user.user_id });
    return emitted(channelId, { seq, runner }, event);
  };
}

export function setRunnerStatus(
  channelId: string,
  user: Actor,
  runnerId: string,
  input: { status: RunnerStatus; thread_id?: string | null | undefined; allowed?: string[] | undefined; instanceId?: string },
): WriteOp<{ seq: number | null }> {
  return async (trx) => {
    const existing = await trx
      .selectFrom('runners')
      .selectAll()
      .where('runner_id', '=', runnerId)
      .where('channel_id', '=', channelId)
      .executeTakeFirst();
    if (!existing || existing.user_id !== user.user_id) throw new PilothouseError('not_runner');
    // A runner reports only a session thread it opened (its own older ones too, after a restart).
    if (typeof input.thread_id === 'string') {
      const root = await threadRoot(trx, channelId, input.thread_id);
      if (!root) throw new PilothouseError('thread_not_found', `No thread ${input.thread_id} in this channel.`);
      if (root.thread_id !== root.id) throw new PilothouseError('not_session_runner', `${input.thread_id} is a reply, not the root of a session thread.`);
      assertSessionRunner(root, { userId: user.user_id, runnerId });
    }
    // A stale socket of an earlier instance must not mark a newer instance offline.
    if (input.instanceId !== undefined && (JSON.parse(existing.info) as RunnerInfo).instance_id !== input.instanceId) {
      return emitted(channelId, { seq: null });
    }
    const next = {
      ...existing,
      status: input.status,
      thread_id: input.thread_id === undefined ? existing.thread_id : input.thread_id,
      allowed: input.allowed === undefined ? existing.allowed : JSON.stringify(input.allowed),
    };
    if (next.status === existing.status && next.thread_id === existing.thread_id && next.allowed === existing.allowed) {
      return emitted(channelId, { seq: null });
    }
    next.updated_at = nowIso();
    await trx.updateTable('runners').set(next).where('runner_id', '=', runnerId).execute();
    const seq = await nextSeq(trx, channelId);
    const event: ChannelEvent = { type: 'presence', payload: { seq, runner: toPresence(next, user.name) } };
    await insertEvent(trx, channelId, event, { actor_id: user.user_id });
    return emitted(channelId, { seq }, event);
  };
}
