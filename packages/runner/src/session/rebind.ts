// Re-binding the session to an older session thread of this runner (docs/protocol.md, "Runner
// restarts"). An instruction sent there is queued like any other; when it reaches the head of
// the queue with nothing running, the session moves to that thread (its rows, notices, states
// and presence go there from then on), asks for that thread's agent thread back (`start_thread`
// resuming it; a resume that fails starts a new one and says so) and then runs the instruction.
// The thread it leaves becomes an older one: a reply there re-binds back.

import { clientId, log } from './effects.js';
import type { QueuedMessage } from './queue.js';
import { MAX_OLDER_THREADS, type Ctx, type SessionState } from './state.js';

export const REBOUND_NOTICE = 'Session re-bound to this thread; resuming its agent thread.';

export const isOlderThread = (s: SessionState, threadId: string): boolean => s.older.some((t) => t.threadId === threadId);

/** Moves the session to `next`'s thread and asks for its agent thread; `next` stays at the head of the queue. */
export function rebind(ctx: Ctx, next: QueuedMessage): void {
  const { s, out } = ctx;
  const from = s.bound;
  const to = next.thread_id;
  const resume = s.older.find((t) => t.threadId === to)?.agentThreadId ?? null;
  const leaving = s.agent.status === 'ready' ? s.agent.threadId : s.agent.previous;
  s.older = [{ threadId: from, agentThreadId: leaving }, ...s.older.filter((t) => t.threadId !== to)].slice(0, MAX_OLDER_THREADS);
  s.bound = to;
  // Port-forward prompts and preview rows follow the session.
  if (s.previews !== null) s.previews = { ...s.previews, threadId: to };
  out.push(log('info', 'thread_rebound', { from, to, message_id: next.message_id, agent_thread: resume }));
  out.push({ type: 'runner_status', status: 'working', thread_id: to });
  s.lastBeatAt ??= ctx.now;
  out.push({
    type: 'post_row',
    turn_id: null,
    payload: { client_id: clientId('rebound', `${to}:${next.message_id}`), thread_id: to, kind: 'notice', body: REBOUND_NOTICE, meta: { from_thread: from, message_id: next.message_id } },
  });
  out.push({ type: 'start_thread', resume, reason: 're-bound to an older session thread' });
  out.push(log('info', 'thread_starting', { previous: resume, resume: resume !== null }));
  // What a restart of the agent meanwhile resumes (agent-events.ts onAgentExited): the thread asked for.
  s.agent = { status: 'starting', previous: resume };
}
