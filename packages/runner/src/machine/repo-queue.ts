// git changes per repository, one at a time: two `git worktree add` in one repository at once race
// on its .git/worktrees ("failed to read …/commondir"), and a merge must not meet either.

export type RepoQueue = <T>(repo: string, fn: () => Promise<T>) => Promise<T>;

/** Runs each `fn` after the ones queued before it for the same repository (failed or not). */
export function repoQueue(): RepoQueue {
  const tails = new Map<string, Promise<unknown>>();
  return <T>(repo: string, fn: () => Promise<T>): Promise<T> => {
    const run = (tails.get(repo) ?? Promise.resolve()).then(fn, fn);
    const tail = run.catch(() => undefined);
    tails.set(repo, tail);
    void tail.then(() => {
      if (tails.get(repo) === tail) tails.delete(repo);
    });
    return run;
  };
}
