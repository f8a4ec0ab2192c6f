// What `--resume` does before the session core starts: end what the dead runner process left
// running (its Codex app-server and every command it started, found by the session marker in
// their environment), and read the session thread from the hub, every page, for the core's
// `recover` input (session/recovery.ts; docs/protocol.md, "Runner restarts").

import { existsSync } from 'node:fs';
import type { Logger } from 'pino';
import type { PushPayload } from '@pilothouse/protocol';
import type { HubClient } from '../hub/api.js';
import { environMarker, readProcessStats } from '../previews/listeners/procfs.js';
import type { ThreadSnapshot } from '../session/index.js';
import { describeError, systemCode } from '../errors.js';

/** At most this many pages of one thread (a bound, not an expectation: a page is a byte budget). */
const MAX_PAGES = 10_000;

/** The whole thread, page after page (`get_thread` is paged by count and size: docs/protocol.md §5). */
export async function readThread(hub: HubClient, threadId: string): Promise<ThreadSnapshot> {
  const messages: ThreadSnapshot['messages'][number][] = [];
  let head: number | null = null;
  let after: number | null = null;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const payload: PushPayload<'get_thread'> = after === null ? { thread_id: threadId } : { thread_id: threadId, after_seq: after };
    const reply = await hub.push('get_thread', payload);
    // The head of the first page: later events are the replay's to deliver.
    head ??= reply.head_seq;
    messages.push(...reply.messages);
    if (reply.complete || reply.next === null) return { head_seq: head, messages };
    after = reply.next;
  }
  throw new Error(`get_thread ${threadId}: more than ${MAX_PAGES} pages`);
}

/**
 * SIGKILLs every process that carries `marker` (`NAME=value`) in its environment: what an earlier
 * runner process of this session started, which would otherwise keep running commands (and
 * writing files) beside the new session. Linux only (/proc); elsewhere Codex exits when its stdin
 * closes, and a command it was running is left to finish. Returns how many processes were ended.
 */
export async function endLeftovers(marker: string, log: Logger, procRoot = '/proc'): Promise<number> {
  if (!existsSync(`${procRoot}/self/environ`)) return 0;
  let ended = 0;
  // A process may fork while we look: look again until nothing marked is left (bounded).
  for (let round = 0; round < 20; round += 1) {
    const marked = [...(await readProcessStats(procRoot)).keys()].filter((pid) => pid !== process.pid && environMarker(pid, marker, procRoot) === 'marked');
    if (marked.length === 0) break;
    for (const pid of marked) {
      try {
        process.kill(pid, 'SIGKILL');
        ended += 1;
      } catch (err) {
        // Gone already (ESRCH) is what we want; anything else (EPERM) is worth a line.
        const { message } = describeError(err);
        if (systemCode(err) !== 'ESRCH') log.warn({ event: 'leftover_kill_failed', pid, code: systemCode(err), err: message }, 'could not end a leftover process');
      }
    }
    await waitGone(marked, procRoot);
  }
  if (ended > 0) log.warn({ event: 'leftovers_ended', count: ended }, 'ended processes the earlier runner process left running');
  return ended;
}

/** Until each pid has left /proc (a SIGKILLed process goes at once unless it is a zombie to reap). */
async function waitGone(pids: readonly number[], procRoot: string): Promise<void> {
  for (let i = 0; i < 100; i += 1) {
    if (pids.every((pid) => !existsSync(`${procRoot}/${pid}/stat`) || environMarker(pid, 'x=y', procRoot) === 'unknown')) return;
    await new Promise((r) => setImmediate(r));
  }
}
