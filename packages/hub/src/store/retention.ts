// Retention of bulky event payloads (issue 17): the output of finished rows (command output,
// reasoning, diffs, tool-call results) older than the hub's retention is emptied, in the messages
// table and in every event of the log that carried it, and the row's meta says so (protocol
// PrunedRowMeta). Message bodies people and agents wrote (text, assistant, plan…) are kept, and
// no event is removed: seqs, types and ids stay, so resume (`since`) and thread pages work as before.

import type { Kysely } from 'kysely';
import { assertNever, Meta, type ChannelEvent, type MessageKind, type PrunedRowMeta } from '@pilothouse/protocol';
import type { Database } from './schema.js';
import { splitEvent, toEvent } from './rows.js';
import { encodeText } from './text-codec.js';

type Db = Kysely<Database>;
type Marker = PrunedRowMeta['pruned'];

/** The kinds whose body is output, not words: what retention empties. */
export const PRUNABLE_KINDS = ['command', 'reasoning', 'file_change', 'web_search'] as const satisfies readonly MessageKind[];

/** Statuses of a finished row: a row still streaming is never pruned (its writer may append). */
const FINISHED = ['completed', 'interrupted', 'failed', 'declined'] as const;

export interface PruneOptions {
  /** Rows created before this are pruned. */
  before: Date;
  /** The retention, for the marker (`after_days`). */
  afterDays: number;
  /** Rows pruned at most, in one transaction: the bound on one call's work. */
  limit: number;
  now?: Date;
}

const withMarker = (meta: Record<string, unknown> | null, marker: Marker): Record<string, unknown> => ({ ...(meta ?? {}), pruned: marker });

/** An event as retention leaves it: no body, no appended text (at offset 0, so it extends the empty body), the marker in its meta. */
export function prunedEvent(event: ChannelEvent, marker: Marker): ChannelEvent {
  switch (event.type) {
    case 'message':
      return { ...event, payload: { ...event.payload, message: { ...event.payload.message, body: '', meta: withMarker(event.payload.message.meta, marker) } } };
    case 'append':
      return { ...event, payload: { ...event.payload, offset: 0, text: '' } };
    case 'row_updated': {
      const { body, meta, ...rest } = event.payload;
      return {
        ...event,
        payload: { ...rest, ...(body !== undefined ? { body: '' } : {}), ...(meta !== undefined ? { meta: withMarker(meta, marker) } : {}) },
      };
    }
    case 'state':
    case 'presence':
    case 'control':
    case 'title':
      return event;
    default:
      return assertNever(event, 'channel event');
  }
}

/**
 * Prunes up to `limit` finished rows of PRUNABLE_KINDS created before `before`, not pruned yet, in
 * one transaction, oldest first; answers how many. Run it again until it answers 0. A row another hub pruned
 * meanwhile is skipped (its `pruned_at` is set in the same transaction as its events).
 */
export async function pruneEventPayloads(db: Db, opts: PruneOptions): Promise<number> {
  const now = (opts.now ?? new Date()).toISOString();
  return db.transaction().execute(async (trx) => {
    const rows = await trx
      .selectFrom('messages')
      .select(['id', 'channel_id', 'seq', 'length', 'meta'])
      .where('kind', 'in', [...PRUNABLE_KINDS])
      .where('pruned_at', 'is', null)
      .where('created_at', '<', opts.before.toISOString())
      .where('status', 'in', [...FINISHED])
      // One order for every hub: two hubs pruning one PostgreSQL database take row locks in the
      // same order, so one waits for the other instead of the two deadlocking.
      .orderBy('created_at')
      .orderBy('id')
      .limit(opts.limit)
      .execute();
    let pruned = 0;
    for (const row of rows) {
      const marker: Marker = { at: now, after_days: opts.afterDays, length: Number(row.length) };
      const meta = row.meta === null ? null : Meta.parse(JSON.parse(row.meta));
      const taken = await trx
        .updateTable('messages')
        .set({ body: encodeText(''), length: 0, meta: JSON.stringify(withMarker(meta, marker)), pruned_at: now })
        .where('id', '=', row.id)
        .where('pruned_at', 'is', null)
        .executeTakeFirst();
      if (Number(taken.numUpdatedRows) === 0) continue;
      await trx.updateTable('events').set({ text: encodeText(''), item_offset: 0 }).where('message_id', '=', row.id).where('type', '=', 'append').execute();
      // The event that created the row has the row's seq; its updates are found by message.
      const columns = ['type', 'seq', 'data', 'text', 'message_id', 'item_offset'] as const;
      const created = await trx.selectFrom('events').select(columns).where('channel_id', '=', row.channel_id).where('seq', '=', row.seq).where('type', '=', 'message').execute();
      const updates = await trx.selectFrom('events').select(columns).where('message_id', '=', row.id).where('type', '=', 'row_updated').execute();
      for (const stored of [...created, ...updates]) {
        const { data } = splitEvent(prunedEvent(toEvent({ ...stored, thread_id: null, item_key: null }), marker));
        await trx.updateTable('events').set({ data }).where('channel_id', '=', row.channel_id).where('seq', '=', stored.seq).execute();
      }
      pruned++;
    }
    return pruned;
  });
}
