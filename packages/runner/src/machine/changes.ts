// A session's changes against its base (the Changes view): committed on its branch, changed and
// not committed, and untracked; each with its diff, clipped; read without writing anything.

import { existsSync } from 'node:fs';
import { MAX_CHANGED_FILES, MAX_FILE_DIFF, PilothouseError, type ChangedFile, type SessionChanges } from '@pilothouse/protocol';
import { git, gitFailed, lineOrNull, requireWorkTree } from './git.js';

/** One file's diff is read up to here: enough bytes for MAX_FILE_DIFF characters of any UTF-8. */
const FILE_DIFF_BUFFER = 4 * MAX_FILE_DIFF;
const DIFF_CONCURRENCY = 8;
const DIFF_FLAGS = ['-c', 'core.quotePath=false', 'diff', '--no-color', '--no-ext-diff', '--no-textconv'];

/**
 * The changes in `worktree` against commit `base`: committed on its branch, tracked files changed or
 * deleted and not committed, and untracked files (not ignored ones). Writes nothing: not the index,
 * not the files. Refuses a folder that is not a git work tree (not_a_git_repo) and an unknown base
 * (not_found). Lists at most MAX_CHANGED_FILES files, each diff clipped at MAX_FILE_DIFF characters.
 */
export async function sessionChanges(opts: { worktree: string; base: string }): Promise<SessionChanges> {
  const { worktree } = opts;
  const info = await requireWorkTree(worktree);
  const found = await git(worktree, ['rev-parse', '--verify', '-q', `${opts.base}^{commit}`], { ok: [1] });
  const base = lineOrNull(found);
  if (base === null) throw new PilothouseError('not_found', `The base commit ${opts.base} is not in ${worktree}; was the repository rewritten?`);
  const [tracked, untracked] = await Promise.all([trackedChanges(worktree, base), untrackedFiles(worktree)]);
  const all = [...tracked, ...untracked].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const shown = await mapLimit(all.slice(0, MAX_CHANGED_FILES), DIFF_CONCURRENCY, (change) => withDiff(worktree, base, change));
  return {
    base,
    head: info.head,
    files: shown.filter((file): file is ChangedFile => file !== null),
    truncated: all.length > MAX_CHANGED_FILES,
  };
}

interface Change {
  readonly path: string;
  /** A rename's old path. */
  readonly from: string | null;
  readonly status: ChangedFile['status'];
  readonly additions: number;
  readonly deletions: number;
  readonly binary: boolean;
}

/** Tracked files that differ between `base` and the work tree (committed or not), from -z output. */
async function trackedChanges(worktree: string, base: string): Promise<Change[]> {
  const [names, counts] = await Promise.all([
    git(worktree, [...DIFF_FLAGS, '-M', '--name-status', '-z', base]),
    git(worktree, [...DIFF_FLAGS, '-M', '--numstat', '-z', base]),
  ]);
  const numstat = new Map<string, { additions: number; deletions: number; binary: boolean }>();
  const fields = counts.stdout.split('\0');
  for (let i = 0; i < fields.length - 1; i++) {
    const [added = '', deleted = '', path = ''] = (fields[i] ?? '').split('\t');
    // A rename is `added\tdeleted\t` followed by the old and the new path as fields of their own.
    if (path === '') i += 2;
    const key = path === '' ? (fields[i] ?? '') : path;
    numstat.set(key, { additions: Number(added) || 0, deletions: Number(deleted) || 0, binary: added === '-' });
  }
  const changes: Change[] = [];
  const entries = names.stdout.split('\0');
  for (let i = 0; i < entries.length - 1; ) {
    const letter = (entries[i++] ?? '').charAt(0);
    const from = letter === 'R' || letter === 'C' ? (entries[i++] ?? '') : null;
    const path = entries[i++] ?? '';
    const status = statusOf(letter);
    const count = numstat.get(path) ?? { additions: 0, deletions: 0, binary: false };
    changes.push({ path, from: status === 'R' ? from : null, status, ...count });
  }
  return changes;
}

/** git's status letters as the wire knows them: a copy is an addition, a type change or unmerged file a modification. */
function statusOf(letter: string): ChangedFile['status'] {
  if (letter === 'A' || letter === 'C') return 'A';
  if (letter === 'D') return 'D';
  if (letter === 'R') return 'R';
  return 'M';
}

/** Untracked files, .gitignore respected (a nested repository, listed as `dir/`, is left out). */
async function untrackedFiles(worktree: string): Promise<Change[]> {
  const listed = await git(worktree, ['ls-files', '--others', '--exclude-standard', '-z']);
  return listed.stdout
    .split('\0')
    .filter((path) => path !== '' && !path.endsWith('/'))
    .map((path) => ({ path, from: null, status: '?', additions: 0, deletions: 0, binary: false }));
}

/** The change with its diff; an untracked file gone since it was listed is left out (null). */
async function withDiff(worktree: string, base: string, change: Change): Promise<ChangedFile | null> {
  let count: Pick<Change, 'additions' | 'deletions' | 'binary'> = change;
  let text: string;
  let cut: boolean;
  if (change.status === '?') {
    // `diff --no-index` exits 1 when the files differ, which against /dev/null they always do.
    const paths = ['--', '/dev/null', change.path];
    const numstat = await git(worktree, [...DIFF_FLAGS, '--no-index', '--numstat', '-z', ...paths], { ok: [1, 128] });
    if (numstat.code === 128 && !existsSync(`${worktree}/${change.path}`)) return null;
    if (numstat.code === 128) throw gitFailed(worktree, ['diff', '--no-index', ...paths], numstat.stderr);
    const [added = '', deleted = ''] = numstat.stdout.split('\t');
    count = { additions: Number(added) || 0, deletions: Number(deleted) || 0, binary: added === '-' };
    ({ stdout: text, cut } = await git(worktree, [...DIFF_FLAGS, '--no-index', ...paths], { ok: [1], maxBuffer: FILE_DIFF_BUFFER }));
  } else {
    const paths = change.from === null ? [change.path] : [change.from, change.path];
    ({ stdout: text, cut } = await git(worktree, [...DIFF_FLAGS, '-M', base, '--', ...paths], { maxBuffer: FILE_DIFF_BUFFER }));
  }
  if (count.binary) return { path: change.path, status: change.status, additions: 0, deletions: 0, diff: 'Binary file', clipped: false };
  const clipped = cut || text.length > MAX_FILE_DIFF;
  return { path: change.path, status: change.status, additions: count.additions, deletions: count.deletions, diff: clip(text), clipped };
}

/** `text` cut at MAX_FILE_DIFF characters, never in the middle of a surrogate pair. */
function clip(text: string): string {
  if (text.length <= MAX_FILE_DIFF) return text;
  const end = /[\uD800-\uDBFF]/.test(text.charAt(MAX_FILE_DIFF - 1)) ? MAX_FILE_DIFF - 1 : MAX_FILE_DIFF;
  return text.slice(0, end);
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

