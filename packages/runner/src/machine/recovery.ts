// A daemon starting where the last one stopped: a session whose runner still runs is adopted; one
// whose runner is gone is shown "resuming" (never "running") until `run --resume` brought it back;
// one that cannot resume is shown ended or stopped, saying why.

import { existsSync } from 'node:fs';
import type { MachineSession } from '@pilothouse/protocol';
import { isLive, type SessionRecord } from './records.js';
import { isOurRunner, type Launched } from './supervisor.js';

/** The records as a new daemon first reports them: a live session without its runner is resuming. Pure but for the pid check. */
export function markResuming(sessions: readonly SessionRecord[]): SessionRecord[] {
  return sessions.map((r) =>
    isLive(r.session) && !(r.pid !== null && isOurRunner(r.pid, r.session.session_id))
      ? { ...r, pid: null, session: { ...r.session, state: 'starting' as const, detail: 'Resuming after the machine restarted…' } }
      : r,
  );
}

export interface RecoveryContext {
  setSession: (id: string, change: Partial<MachineSession>, pid?: number | null) => void;
  watch: (id: string, pid: number, exited: Launched['exited'] | null) => void;
  resume: (rec: SessionRecord) => Promise<Launched>;
  log: (fields: Record<string, unknown>, message: string) => void;
}

/** Adopts, resumes or ends each live session of `sessions` (marked by markResuming), one at a time. */
export async function recoverSessions(sessions: readonly SessionRecord[], ctx: RecoveryContext): Promise<void> {
  for (const rec of sessions) {
    const s = rec.session;
    if (!isLive(s)) continue;
    if (rec.pid !== null && isOurRunner(rec.pid, s.session_id)) {
      ctx.log({ event: 'runner_adopted', session: s.session_id, pid: rec.pid }, 'adopted a running session');
      ctx.setSession(s.session_id, { state: 'running' });
      ctx.watch(s.session_id, rec.pid, null);
      continue;
    }
    if (s.thread_id === null || !existsSync(rec.runner.cwd)) {
      const why = s.thread_id === null ? 'opened its thread' : `could resume: ${rec.runner.cwd} is gone`;
      ctx.setSession(s.session_id, { state: 'ended', ending: s.worktree ? 'kept' : null, detail: `The machine restarted before the session ${why}.` }, null);
      continue;
    }
    try {
      const launched = await ctx.resume(rec);
      ctx.log({ event: 'runner_resumed', session: s.session_id, pid: launched.pid }, 'resumed a session after a restart');
      ctx.setSession(s.session_id, { state: 'running', thread_id: launched.threadId, detail: 'Resumed after the machine restarted.' }, launched.pid);
      ctx.watch(s.session_id, launched.pid, launched.exited);
    } catch (err) {
      ctx.setSession(s.session_id, { state: 'stopped', detail: `The machine restarted and the session could not resume: ${(err as Error).message}` }, null);
    }
  }
}
