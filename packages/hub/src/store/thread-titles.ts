// Thread titles people set (set_title): the current title per thread, and the `title` event that
// tells every open page. Who may set one is the push handler's check (protocol's mayRetitle).

import type { Kysely } from 'kysely';
import { PilothouseError, type Actor, type ChannelEvent } from '@pilothouse/protocol';
import type { Database } from './schema.js';
import type { WriteOp } from './write-queue.js';
import { emitted, insertEvent, nextSeq } from './log-events.js';
import { nowIso } from './rows.js';

/** Sets (or, with `null`, clears) a thread root's title; `seq: null` when it is already so. */
export function setTitle(channelId: string, actor: Actor, input: { thread_id: string; title: string | null }): WriteOp<{ seq: number | null }> {
  return async (trx) => {
    const root = await trx.selectFrom('messages').select(['id', 'thread_id']).where('channel_id', '=', channelId).where('id', '=', input.thread_id).executeTakeFirst();
    if (root?.thread_id !== input.thread_id) throw new PilothouseError('thread_not_found', `No thread ${input.thread_id} in this channel.`);
    const current = await trx.selectFrom('thread_titles').select('title').where('channel_id', '=', channelId).where('thread_id', '=', input.thread_id).executeTakeFirst();
    if ((current?.title ?? null) === input.title) return emitted(channelId, { seq: null });
    if (input.title === null) {
      await trx.deleteFrom('thread_titles').where('channel_id', '=', channelId).where('thread_id', '=', input.thread_id).execute();
    } else if (current) {
      await trx
        .updateTable('thread_titles')
        .set({ title: input.title, actor_id: actor.user_id, updated_at: nowIso() })
        .where('channel_id', '=', channelId)
        .where('thread_id', '=', input.thread_id)
        .execute();
    } else {
      await trx.insertInto('thread_titles').values({ channel_id: channelId, thread_id: input.thread_id, title: input.title, actor_id: actor.user_id, updated_at: nowIso() }).execute();
    }
    const seq = await nextSeq(trx, channelId);
    const event: ChannelEvent = { type: 'title', payload: { seq, thread_id: input.thread_id, title: input.title, actor } };
    await insertEvent(trx, channelId, event, { actor_id: actor.user_id });
    return emitted(channelId, { seq }, event);
  };
}

/** The set titles of these threads, by thread id. */
export async function titlesOf(db: Pick<Kysely<Database>, 'selectFrom'>, channelId: string, threadIds: readonly string[]): Promise<Map<string, string>> {
  if (threadIds.length === 0) return new Map();
  const rows = await db.selectFrom('thread_titles').select(['thread_id', 'title']).where('channel_id', '=', channelId).where('thread_id', 'in', [...threadIds]).execute();
  return new Map(rows.map((r) => [r.thread_id, r.title]));
}
