// The session-thread binding (docs/protocol.md §5, docs/security.md §2): a thread belongs to the
// runner that posted its root row, and only that runner writes to it as a runner.

import type { Kysely, Transaction } from 'kysely';
import { PilothouseError } from '@pilothouse/protocol';
import type { Database, MessagesTable } from './schema.js';

type Reader = Pick<Transaction<Database> | Kysely<Database>, 'selectFrom'>;

/** The root row of a thread: who opened it decides who may write to it as a runner. */
export type ThreadRoot = Pick<MessagesTable, 'id' | 'thread_id' | 'runner_id' | 'author_id'>;

export async function threadRoot(db: Reader, channelId: string, threadId: string): Promise<ThreadRoot | undefined> {
  return db
    .selectFrom('messages')
    .select(['id', 'thread_id', 'runner_id', 'author_id'])
    .where('channel_id', '=', channelId)
    .where('id', '=', threadId)
    .executeTakeFirst();
}

/** The root of the thread that the message `messageId` (any message of it) is in. */
export async function rootOf(db: Reader, channelId: string, messageId: string): Promise<ThreadRoot | undefined> {
  const row = await threadRoot(db, channelId, messageId);
  return row && row.thread_id !== row.id ? threadRoot(db, channelId, row.thread_id) : row;
}

/**
 * A session thread belongs to the runner that posted its root row, for that runner's user: only it
 * posts rows into the thread, sets states there, reports it in its presence and serves it
 * (docs/protocol.md §5). A people's thread (root without a runner) belongs to no runner.
 */
export function assertSessionRunner(root: ThreadRoot, author: { userId: string; runnerId: string | null }): void {
  if (root.runner_id !== null && root.runner_id === author.runnerId && root.author_id === author.userId) return;
  const whose = root.runner_id === null ? 'is not a session thread (no runner opened it)' : 'belongs to the runner that opened it';
  throw new PilothouseError('not_session_runner', `Thread ${root.id} ${whose}; runner ${author.runnerId ?? '(none)'} may not write to it, report it or serve it.`);
}
