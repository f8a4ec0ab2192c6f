// The git operations behind worktree sessions: what a folder is, a worktree and branch of its own
// for a session, and merging or discarding it (its changes against its base: changes.ts).
// Every call is `git -C <dir>` through execFile (no shell) in the C locale, with prompts off and
// no optional index writes, so reading a session's changes never touches its index or files.

import { execFile } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { PilothouseError } from '@pilothouse/protocol';

const execFileAsync = promisify(execFile);

const MAX_BUFFER = 64 * 1024 * 1024;
const TIMEOUT_MS = 120_000;
/** Variables that would point git at another repository than `-C dir` (a daemon started from a hook). */
const REPO_OVERRIDES = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY', 'GIT_COMMON_DIR', 'GIT_PREFIX'];

export interface GitInfo {
  readonly git: boolean;
  /** The current branch; null when HEAD is detached or not git. */
  readonly branch: string | null;
  /** The HEAD commit; null in a repository without commits. */
  readonly head: string | null;
  readonly toplevel: string | null;
}

/** What a folder is: a git work tree or not, its branch, its HEAD commit and its top level. Refuses nothing. */
export async function gitInfo(dir: string): Promise<GitInfo> {
  const inside = await git(dir, ['rev-parse', '--is-inside-work-tree'], { ok: [128] });
  if (inside.code !== 0 || inside.stdout.trim() !== 'true') return { git: false, branch: null, head: null, toplevel: null };
  const [branch, head, toplevel] = await Promise.all([
    git(dir, ['symbolic-ref', '--short', '-q', 'HEAD'], { ok: [1] }),
    git(dir, ['rev-parse', '--verify', '-q', 'HEAD^{commit}'], { ok: [1] }),
    git(dir, ['rev-parse', '--show-toplevel']),
  ]);
  return { git: true, branch: lineOrNull(branch), head: lineOrNull(head), toplevel: lineOrNull(toplevel) };
}

/** Whether `refs/heads/<branch>` exists in `repo`. */
export async function branchExists(repo: string, branch: string): Promise<boolean> {
  const found = await git(repo, ['show-ref', '--verify', '--quiet', `refs/heads/${branch}`], { ok: [1] });
  return found.code === 0;
}

/**
 * Makes `worktree` a new worktree of `repo` on a new `branch` from the repo's HEAD commit. Refuses
 * a folder that is not a git work tree (not_a_git_repo), a repo without commits, a branch name git
 * does not allow, an existing `worktree` path (bad_request) and an existing branch (branch_exists).
 * When git fails, the folders it made and the branch are removed again.
 */
export async function createWorktree(opts: { repo: string; worktree: string; branch: string }): Promise<{ baseBranch: string | null; baseCommit: string }> {
  const { repo, worktree, branch } = opts;
  const info = await requireWorkTree(repo);
  if (info.head === null) {
    throw new PilothouseError('bad_request', `The repository ${repo} has no commits yet; commit something first, then start the session.`);
  }
  const valid = await git(repo, ['check-ref-format', '--branch', branch], { ok: [128] });
  if (valid.code !== 0) throw new PilothouseError('bad_request', `"${branch}" is not a valid branch name; choose another slug.`);
  if (await branchExists(repo, branch)) {
    throw new PilothouseError('branch_exists', `The branch ${branch} already exists in ${repo}; choose another slug, or delete the branch first.`, { branch });
  }
  if (existsSync(worktree)) {
    throw new PilothouseError('bad_request', `The worktree folder ${worktree} already exists; remove it or choose another slug.`);
  }
  const made = topmostMissing(worktree);
  try {
    await git(repo, ['worktree', 'add', '-b', branch, worktree, info.head]);
  } catch (err) {
    rmSync(made, { recursive: true, force: true });
    await git(repo, ['worktree', 'prune']);
    if (await branchExists(repo, branch)) await git(repo, ['branch', '-D', branch]);
    throw err;
  }
  return { baseBranch: info.branch, baseCommit: info.head };
}

/**
 * Commits everything in `worktree` (`git add -A`, ignored files left out) with `message`; returns the
 * new commit, or null when there was nothing to commit. Without a git identity it commits as
 * Pilothouse <pilothouse@localhost>. The repo's hooks run.
 */
export async function commitAll(opts: { worktree: string; message: string }): Promise<string | null> {
  const { worktree, message } = opts;
  await requireWorkTree(worktree);
  await git(worktree, ['add', '-A']);
  const staged = await git(worktree, ['diff', '--cached', '--quiet'], { ok: [1] });
  if (staged.code === 0) return null;
  await git(worktree, [...(await identity(worktree)), 'commit', '-q', '-m', message]);
  return (await git(worktree, ['rev-parse', 'HEAD'])).stdout.trim();
}

/**
 * Merges `branch` into `baseBranch` in `repo`, the checkout the session's worktree was made from:
 * a fast-forward when possible, else a merge commit with `message`. Refuses when `repo` is not on
 * `baseBranch` (bad_request), has uncommitted or untracked files (base_dirty), the branch is gone
 * (not_found), or the merge would conflict (merge_conflict, details.files); nothing is changed
 * then. Never forces, resets or checks out.
 */
export async function mergeInto(opts: { repo: string; baseBranch: string; branch: string; message: string }): Promise<{ how: 'fast-forward' | 'merge-commit' | 'up-to-date'; commit: string }> {
  const { repo, baseBranch, branch, message } = opts;
  const info = await requireWorkTree(repo);
  if (info.branch !== baseBranch) {
    const current = info.branch === null ? 'a detached HEAD' : `the branch ${info.branch}`;
    throw new PilothouseError('bad_request', `${repo} is on ${current}, not on ${baseBranch}; check out ${baseBranch} there, then merge again.`);
  }
  const dirty = await statusPaths(repo);
  if (dirty.length > 0) {
    const more = dirty.length > 10 ? ` and ${dirty.length - 10} more` : '';
    throw new PilothouseError(
      'base_dirty',
      `${repo} has uncommitted changes (${dirty.slice(0, 10).join(', ')}${more}); commit or stash them there, then merge again.`,
      { files: dirty.slice(0, 10) },
    );
  }
  if (!(await branchExists(repo, branch))) throw new PilothouseError('not_found', `The branch ${branch} no longer exists in ${repo}; nothing to merge.`);
  const conflicts = await mergeConflicts(repo, baseBranch, branch);
  if (conflicts.length > 0) {
    throw new PilothouseError(
      'merge_conflict',
      `Merging ${branch} into ${baseBranch} would conflict in ${conflicts.join(', ')}; nothing was changed. Keep the branch and resolve it by hand, or ask the agent to rebase it on ${baseBranch}.`,
      { files: conflicts },
    );
  }
  const head = async (): Promise<string> => (await git(repo, ['rev-parse', 'HEAD'])).stdout.trim();
  if (await isAncestor(repo, branch, baseBranch)) return { how: 'up-to-date', commit: await head() };
  if (await isAncestor(repo, baseBranch, branch)) {
    await git(repo, ['merge', '-q', '--ff-only', branch]);
    return { how: 'fast-forward', commit: await head() };
  }
  try {
    await git(repo, [...(await identity(repo)), 'merge', '-q', '--no-ff', '--no-edit', '-m', message, branch]);
  } catch (err) {
    // merge-tree said it merges cleanly; if `git merge` still stops (a hook, other merge settings),
    // abandon it so the base is as it was (the base was clean, so nothing of the person's is lost).
    await git(repo, ['merge', '--abort'], { ok: [128] });
    throw err;
  }
  return { how: 'merge-commit', commit: await head() };
}

/**
 * Removes a session's worktree (with whatever is in it) and, when named, its branch. Does nothing
 * for what is already gone, so it can be called again.
 */
export async function removeWorktree(opts: { repo: string; worktree: string; branch: string | null }): Promise<void> {
  const { repo, worktree, branch } = opts;
  await requireWorkTree(repo);
  if (existsSync(worktree)) await git(repo, ['worktree', 'remove', '--force', worktree]);
  await git(repo, ['worktree', 'prune']);
  if (branch !== null && (await branchExists(repo, branch))) await git(repo, ['branch', '-D', branch]);
}

/** The paths `git status` reports in `repo` (staged, unstaged, untracked), -z so any name survives. */
async function statusPaths(repo: string): Promise<string[]> {
  const status = await git(repo, ['status', '--porcelain', '-z', '--untracked-files=all']);
  const paths: string[] = [];
  const entries = status.stdout.split('\0');
  for (let i = 0; i < entries.length - 1; i++) {
    const entry = entries[i] ?? '';
    paths.push(entry.slice(3));
    // A rename or copy is followed by its old path as a field of its own.
    if (entry.startsWith('R') || entry.startsWith('C')) i++;
  }
  return paths;
}

/** The files a merge of `branch` into `base` would conflict in, computed without touching any checkout. */
async function mergeConflicts(repo: string, base: string, branch: string): Promise<string[]> {
  const merged = await git(repo, ['merge-tree', '--write-tree', '--name-only', '-z', base, branch], { ok: [1] });
  if (merged.code === 0) return [];
  // -z output: the tree, then each conflicted path, then an empty field, then the messages.
  const fields = merged.stdout.split('\0');
  const end = fields.indexOf('', 1);
  return [...new Set(fields.slice(1, end === -1 ? undefined : end))];
}

async function isAncestor(repo: string, ancestor: string, of: string): Promise<boolean> {
  const result = await git(repo, ['merge-base', '--is-ancestor', ancestor, of], { ok: [1] });
  return result.code === 0;
}

/** `-c` options naming Pilothouse as the author when the repo has no identity configured. */
async function identity(dir: string): Promise<string[]> {
  const [name, email] = await Promise.all([
    git(dir, ['config', '--get', 'user.name'], { ok: [1] }),
    git(dir, ['config', '--get', 'user.email'], { ok: [1] }),
  ]);
  return [...(name.code === 0 ? [] : ['-c', 'user.name=Pilothouse']), ...(email.code === 0 ? [] : ['-c', 'user.email=pilothouse@localhost'])];
}

export async function requireWorkTree(dir: string): Promise<GitInfo> {
  const info = await gitInfo(dir);
  if (!info.git) throw new PilothouseError('not_a_git_repo', `${dir} is not a git work tree; run \`git init\` there and commit, or start the session without a worktree.`);
  return info;
}

/** The first folder of `path` (or `path` itself) that does not exist: what `git worktree add` may create. */
function topmostMissing(path: string): string {
  let missing = path;
  while (dirname(missing) !== missing && !existsSync(dirname(missing))) missing = dirname(missing);
  return missing;
}

export function lineOrNull(result: GitResult): string | null {
  const line = result.stdout.trim();
  return result.code === 0 && line !== '' ? line : null;
}

export interface GitResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout stopped at maxBuffer (only when a smaller one was asked for). */
  readonly cut: boolean;
}

function gitEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0', GIT_LITERAL_PATHSPECS: '1', GIT_MERGE_AUTOEDIT: 'no', LC_ALL: 'C' };
  for (const name of REPO_OVERRIDES) delete env[name];
  return env;
}

/**
 * Runs `git -C dir ...args`. Exit codes in `ok` are answers, not failures (e.g. 1 for "no such
 * ref"); any other exit is a PilothouseError naming the command and git's own words.
 */
export async function git(dir: string, args: readonly string[], opts: { ok?: readonly number[]; maxBuffer?: number } = {}): Promise<GitResult> {
  const maxBuffer = opts.maxBuffer ?? MAX_BUFFER;
  try {
    const { stdout, stderr } = await execFileAsync('git', ['-C', dir, ...args], { env: gitEnv(), maxBuffer, timeout: TIMEOUT_MS, windowsHide: true, encoding: 'utf8' });
    return { code: 0, stdout, stderr, cut: false };
  } catch (err) {
    const out = err instanceof Error && 'stdout' in err && typeof err.stdout === 'string' ? err.stdout : '';
    const errText = err instanceof Error && 'stderr' in err && typeof err.stderr === 'string' ? err.stderr : '';
    const code = err instanceof Error && 'code' in err ? err.code : undefined;
    if (typeof code === 'number' && (opts.ok ?? []).includes(code)) return { code, stdout: out, stderr: errText, cut: false };
    if (code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER' && opts.maxBuffer !== undefined) return { code: 0, stdout: out, stderr: errText, cut: true };
    if (code === 'ENOENT') throw new PilothouseError('internal', 'git is not installed or not on PATH; install git and start the machine daemon again.', undefined, { cause: err });
    throw gitFailed(dir, args, errText || (err instanceof Error ? err.message : String(err)), err);
  }
}

export function gitFailed(dir: string, args: readonly string[], stderr: string, cause?: unknown): PilothouseError {
  const command = args.find((arg, i) => arg !== '-c' && args[i - 1] !== '-c') ?? '';
  return new PilothouseError('internal', `git ${command} failed in ${dir}: ${stderr.trim().slice(0, 1000)}`, undefined, { cause });
}
