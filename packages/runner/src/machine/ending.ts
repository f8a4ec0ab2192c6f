// How a machine session ends (`session_end`): stop the agent; keep the branch and worktree; merge
// into the base branch (clean base, no conflict, never forced; a refusal leaves the base untouched
// and the work a commit on the session branch); or discard the worktree and the branch, confirmed.

import { PilothouseError, type MachineSession, type SessionEndRequest, type SessionEndResult } from '@pilothouse/protocol';
import type { TrustStore } from '../local/trust.js';
import { commitAll, gitInfo, mergeInto, removeWorktree } from './git.js';
import type { SessionRecord } from './records.js';
import type { RepoQueue } from './repo-queue.js';

/** What ending a session needs of the daemon. */
export interface EndContext {
  machineName: string;
  record: (id: string) => SessionRecord;
  setSession: (id: string, change: Partial<MachineSession>) => void;
  /** Stops the session's runner (if any) and waits until it is gone. */
  stop: (rec: SessionRecord) => Promise<void>;
  inRepo: RepoQueue;
  trust: Pick<TrustStore, 'remove'>;
  log: (fields: Record<string, unknown>, message: string) => void;
}

export async function endSession(ctx: EndContext, req: SessionEndRequest): Promise<SessionEndResult> {
  const { record: recordOf, setSession, stop, inRepo, trust } = ctx;
  const rec = recordOf(req.session_id);
  const s = rec.session;
  const id = s.session_id;
  if (s.state === 'ended') throw new PilothouseError('session_not_ended', `Session ${id} already ended (${s.ending ?? 'ended'}).`);
  const result = (message: string): SessionEndResult => ({ session: recordOf(id).session, message });
  switch (req.how) {
    case 'stop':
      await stop(rec);
      setSession(id, { state: 'stopped', detail: 'Stopped from the web.' });
      return result(`Stopped the agent; the ${s.worktree ? `worktree ${s.worktree} and branch ${s.branch ?? ''}` : `folder ${s.folder}`} stay as they are.`);
    case 'keep':
      await stop(rec);
      setSession(id, { state: 'ended', ending: 'kept', detail: null });
      return result(s.branch ? `Kept the branch ${s.branch} and its worktree ${s.worktree ?? ''}.` : `Kept the changes in ${s.folder}.`);
    case 'merge': {
      if (s.worktree === null || s.branch === null || s.base_branch === null) {
        throw new PilothouseError('bad_request', s.worktree === null ? `Session ${id} runs in ${s.folder} itself: there is no branch to merge; end it with keep.` : `Session ${id} was started from a detached HEAD: there is no base branch to merge into.`);
      }
      // Refused before anything stops: the base must be clean (mergeInto checks again, after the commit).
      const base = await gitInfo(s.folder);
      if (base.branch !== s.base_branch) throw new PilothouseError('bad_request', `${s.folder} has ${base.branch ?? 'a detached HEAD'} checked out, not ${s.base_branch}; check out ${s.base_branch} there to merge.`);
      await stop(rec);
      const committed = await commitAll({ worktree: s.worktree, message: `pilothouse: session ${id}\n\n${s.started_by.name} started it on ${ctx.machineName}.` });
      try {
        const merge = { repo: s.folder, baseBranch: s.base_branch, branch: s.branch, message: `Merge ${s.branch} (Pilothouse session ${id})` };
        const merged = await inRepo(s.folder, () => mergeInto(merge));
        const worktree = s.worktree;
        await inRepo(s.folder, () => removeWorktree({ repo: s.folder, worktree, branch: null }));
        trust.remove(s.worktree);
        setSession(id, { state: 'ended', ending: 'merged', detail: `${merged.how} at ${merged.commit.slice(0, 12)}` });
        const how = merged.how === 'fast-forward' ? 'fast-forwarded' : merged.how === 'merge-commit' ? 'merged with a merge commit' : 'found already up to date';
        return result(`${s.base_branch} ${how} (${merged.commit.slice(0, 12)}); the worktree is removed, the branch ${s.branch} kept.`);
      } catch (err) {
        // Nothing changed in the base; the agent is stopped and its work is a commit on its branch.
        setSession(id, { state: 'stopped', detail: `Merge refused: ${(err as Error).message}` });
        if (committed) ctx.log({ event: 'merge_refused', session: id, committed }, 'merge refused; the work is committed on the branch');
        throw err;
      }
    }
    case 'discard': {
      if (req.confirm !== true) throw new PilothouseError('confirmation_required', `Discarding deletes ${s.worktree ?? s.folder}${s.branch ? ` and the branch ${s.branch}` : ''}; confirm to go on.`);
      if (s.worktree === null) throw new PilothouseError('bad_request', `Session ${id} runs in ${s.folder} itself: discarding would throw away that folder's changes; end it with keep.`);
      await stop(rec);
      const worktree = s.worktree;
      await inRepo(s.folder, () => removeWorktree({ repo: s.folder, worktree, branch: s.branch }));
      trust.remove(s.worktree);
      setSession(id, { state: 'ended', ending: 'discarded', detail: null });
      return result(`Discarded: the worktree ${s.worktree} and the branch ${s.branch ?? ''} are gone.`);
    }
    default: {
      const never: never = req.how;
      return never;
    }
  }
}
