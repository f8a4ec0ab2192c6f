import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_CHANGED_FILES, MAX_FILE_DIFF, PilothouseError } from '@pilothouse/protocol';
import { branchExists, commitAll, createWorktree, gitInfo, mergeInto, removeWorktree } from './git.js';
import { sessionChanges } from './changes.js';

let root: string;
let repo: string;

// No global or system git config: the tests see only what each repo configures.
beforeAll(() => {
  const empty = join(mkdtempSync(join(tmpdir(), 'ph-gitcfg-')), 'gitconfig');
  writeFileSync(empty, '');
  vi.stubEnv('GIT_CONFIG_GLOBAL', empty);
  vi.stubEnv('GIT_CONFIG_NOSYSTEM', '1');
});
afterAll(() => vi.unstubAllEnvs());

beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'ph-git-')));
  repo = join(root, 'repo');
  mkdirSync(repo);
  sh(repo, 'init', '-q', '-b', 'main');
  sh(repo, 'config', 'user.name', 'Test');
  sh(repo, 'config', 'user.email', 'test@example.com');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function sh(dir: string, ...args: string[]): string {
  // No optional index refresh, so that looking at a checkout does not change what is compared.
  return execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C', GIT_OPTIONAL_LOCKS: '0' } }).trim();
}

function write(dir: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) writeFileSync(join(dir, path), text);
}

function commit(dir: string, files: Record<string, string>, message = 'change'): string {
  write(dir, files);
  sh(dir, 'add', '-A');
  sh(dir, 'commit', '-q', '-m', message);
  return sh(dir, 'rev-parse', 'HEAD');
}

async function refusal(promise: Promise<unknown>): Promise<PilothouseError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof PilothouseError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

/** What `git` says the state of a checkout is: HEAD, index bytes, status. */
function snapshot(dir: string): { head: string; index: string; status: string } {
  const index = sh(dir, 'rev-parse', '--path-format=absolute', '--git-path', 'index');
  return { head: sh(dir, 'rev-parse', 'HEAD'), index: readFileSync(index).toString('hex'), status: sh(dir, 'status', '--porcelain', '--untracked-files=all') };
}

async function session(branch = 'pilothouse/task'): Promise<{ worktree: string; base: string }> {
  const worktree = join(root, 'worktrees', branch.replace('/', '-'));
  const { baseCommit } = await createWorktree({ repo, worktree, branch });
  return { worktree, base: baseCommit };
}

describe('gitInfo', () => {
  it('tells a work tree, its branch and HEAD; a plain folder is not git', async () => {
    const plain = join(root, 'plain');
    mkdirSync(plain);
    expect(await gitInfo(plain)).toEqual({ git: false, branch: null, head: null, toplevel: null });
    expect(await gitInfo(join(root, 'missing'))).toEqual({ git: false, branch: null, head: null, toplevel: null });
    expect(await gitInfo(repo)).toEqual({ git: true, branch: 'main', head: null, toplevel: repo });
    const head = commit(repo, { 'a.txt': 'a\n' });
    mkdirSync(join(repo, 'sub'));
    expect(await gitInfo(join(repo, 'sub'))).toEqual({ git: true, branch: 'main', head, toplevel: repo });
    sh(repo, 'checkout', '-q', '--detach');
    expect(await gitInfo(repo)).toEqual({ git: true, branch: null, head, toplevel: repo });
  });
});

describe('createWorktree', () => {
  it('makes a worktree on a new branch from HEAD', async () => {
    const head = commit(repo, { 'a.txt': 'a\n' });
    const worktree = join(root, 'worktrees', 'one');
    expect(await createWorktree({ repo, worktree, branch: 'pilothouse/one' })).toEqual({ baseBranch: 'main', baseCommit: head });
    expect(await gitInfo(worktree)).toEqual({ git: true, branch: 'pilothouse/one', head, toplevel: worktree });
    expect(readFileSync(join(worktree, 'a.txt'), 'utf8')).toBe('a\n');
    expect(await branchExists(repo, 'pilothouse/one')).toBe(true);
    expect(await branchExists(repo, 'pilothouse/two')).toBe(false);
  });

  it('refuses an existing branch and leaves nothing on disk', async () => {
    commit(repo, { 'a.txt': 'a\n' });
    sh(repo, 'branch', 'pilothouse/taken');
    const worktree = join(root, 'worktrees', 'taken');
    const refused = await refusal(createWorktree({ repo, worktree, branch: 'pilothouse/taken' }));
    expect(refused.code).toBe('branch_exists');
    expect(refused.message).toMatch(/pilothouse\/taken.*another slug/);
    expect(existsSync(join(root, 'worktrees'))).toBe(false);
    expect(sh(repo, 'worktree', 'list', '--porcelain').split('\n').filter((l) => l.startsWith('worktree '))).toEqual([`worktree ${repo}`]);
  });

  it('cleans up folders and branch when git itself fails', async () => {
    commit(repo, { 'a.txt': 'a\n' });
    // refs/heads/pilothouse exists, so refs/heads/pilothouse/x cannot: git refuses after our checks.
    sh(repo, 'branch', 'pilothouse');
    const worktree = join(root, 'deep', 'er', 'wt');
    await expect(createWorktree({ repo, worktree, branch: 'pilothouse/x' })).rejects.toThrow(PilothouseError);
    expect(existsSync(join(root, 'deep'))).toBe(false);
    expect(await branchExists(repo, 'pilothouse/x')).toBe(false);
    expect(sh(repo, 'worktree', 'list', '--porcelain')).not.toContain(worktree);

    // A failing post-checkout hook: git made the folders, the worktree and the branch, then failed.
    writeFileSync(join(repo, '.git/hooks/post-checkout'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
    await expect(createWorktree({ repo, worktree, branch: 'pilothouse-y' })).rejects.toThrow(/git worktree failed/);
    expect(existsSync(join(root, 'deep'))).toBe(false);
    expect(await branchExists(repo, 'pilothouse-y')).toBe(false);
    expect(sh(repo, 'worktree', 'list', '--porcelain')).not.toContain(worktree);
  });

  it('refuses a plain folder, a repo without commits, an existing path and a bad branch name', async () => {
    const plain = join(root, 'plain');
    mkdirSync(plain);
    expect((await refusal(createWorktree({ repo: plain, worktree: join(root, 'w1'), branch: 'pilothouse/a' }))).code).toBe('not_a_git_repo');
    expect((await refusal(createWorktree({ repo, worktree: join(root, 'w2'), branch: 'pilothouse/a' }))).code).toBe('bad_request');
    commit(repo, { 'a.txt': 'a\n' });
    expect((await refusal(createWorktree({ repo, worktree: plain, branch: 'pilothouse/a' }))).code).toBe('bad_request');
    expect((await refusal(createWorktree({ repo, worktree: join(root, 'w3'), branch: 'pilothouse/a..b' }))).code).toBe('bad_request');
    expect(existsSync(join(root, 'w2')) || existsSync(join(root, 'w3'))).toBe(false);
    expect(await branchExists(repo, 'pilothouse/a')).toBe(false);
  });
});

describe('sessionChanges', () => {
  it('lists committed, modified, deleted, renamed and untracked files without touching the index', async () => {
    commit(repo, { 'keep.txt': 'keep\n', 'modify.txt': 'one\ntwo\n', 'delete.txt': 'bye\n', 'committed.txt': 'old\n', 'move.txt': 'moving\nlines\n', '.gitignore': '*.log\n' });
    const { worktree, base } = await session();
    const head = commit(worktree, { 'committed.txt': 'new\n', 'ünïcode ñame.md': 'hi\n' }, 'agent work');
    write(worktree, { 'modify.txt': 'one\nTWO\nthree\n', 'new file.txt': 'fresh\nlines\n', 'debug.log': 'ignored\n', 'blob.bin': 'a\0b' });
    unlinkSync(join(worktree, 'delete.txt'));
    sh(worktree, 'mv', 'move.txt', 'moved.txt');
    const before = snapshot(worktree);

    const changes = await sessionChanges({ worktree, base });
    expect(changes).toMatchObject({ base, head, truncated: false });
    expect(changes.files.map(({ path, status, additions, deletions, clipped }) => ({ path, status, additions, deletions, clipped }))).toEqual([
      { path: 'blob.bin', status: '?', additions: 0, deletions: 0, clipped: false },
      { path: 'committed.txt', status: 'M', additions: 1, deletions: 1, clipped: false },
      { path: 'delete.txt', status: 'D', additions: 0, deletions: 1, clipped: false },
      { path: 'modify.txt', status: 'M', additions: 2, deletions: 1, clipped: false },
      { path: 'moved.txt', status: 'R', additions: 0, deletions: 0, clipped: false },
      { path: 'new file.txt', status: '?', additions: 2, deletions: 0, clipped: false },
      { path: 'ünïcode ñame.md', status: 'A', additions: 1, deletions: 0, clipped: false },
    ]);
    const diff = (path: string): string => changes.files.find((f) => f.path === path)?.diff ?? '';
    expect(diff('blob.bin')).toBe('Binary file');
    expect(diff('new file.txt')).toContain('+fresh\n+lines');
    expect(diff('new file.txt')).toContain('new file mode');
    expect(diff('modify.txt')).toContain('-two\n+TWO\n+three');
    expect(diff('moved.txt')).toContain('rename from move.txt');
    expect(diff('ünïcode ñame.md')).toContain('b/ünïcode ñame.md');
    expect(diff('delete.txt')).toContain('-bye');
    expect(snapshot(worktree)).toEqual(before);
  });

  it('reports no files for an untouched worktree', async () => {
    commit(repo, { 'a.txt': 'a\n' });
    const { worktree, base } = await session();
    expect(await sessionChanges({ worktree, base })).toEqual({ base, head: base, files: [], truncated: false });
  });

  it('clips long diffs and caps the number of files', async () => {
    commit(repo, { 'big.txt': 'x\n' });
    const { worktree, base } = await session();
    const lines = Array.from({ length: 40_000 }, (_, i) => `line ${i}`).join('\n') + '\n';
    write(worktree, { 'big.txt': lines, 'huge new.txt': lines });
    const changes = await sessionChanges({ worktree, base });
    for (const file of changes.files) {
      expect(file.clipped).toBe(true);
      expect(file.diff.length).toBe(MAX_FILE_DIFF);
      expect(file.additions).toBe(40_000);
    }
    expect(changes.files.map((f) => f.path)).toEqual(['big.txt', 'huge new.txt']);

    mkdirSync(join(worktree, 'many'));
    for (let i = 0; i <= MAX_CHANGED_FILES; i++) writeFileSync(join(worktree, 'many', `f${String(i).padStart(3, '0')}`), `${i}\n`);
    const capped = await sessionChanges({ worktree, base });
    expect(capped.truncated).toBe(true);
    expect(capped.files).toHaveLength(MAX_CHANGED_FILES);
  });

  it('refuses an unknown base commit', async () => {
    commit(repo, { 'a.txt': 'a\n' });
    const { worktree } = await session();
    expect((await refusal(sessionChanges({ worktree, base: 'f'.repeat(40) }))).code).toBe('not_found');
  });
});

describe('commitAll', () => {
  it('commits every change, or nothing when clean', async () => {
    commit(repo, { 'a.txt': 'a\n', 'b.txt': 'b\n' });
    const { worktree } = await session();
    expect(await commitAll({ worktree, message: 'nothing' })).toBeNull();
    write(worktree, { 'a.txt': 'A\n', 'c d.txt': 'c\n' });
    unlinkSync(join(worktree, 'b.txt'));
    const made = await commitAll({ worktree, message: 'Session work' });
    expect(made).toBe(sh(worktree, 'rev-parse', 'HEAD'));
    expect(sh(worktree, 'status', '--porcelain')).toBe('');
    expect(sh(worktree, 'log', '-1', '--format=%an <%ae>|%s')).toBe('Test <test@example.com>|Session work');
  });

  it('commits as Pilothouse when no identity is configured', async () => {
    commit(repo, { 'a.txt': 'a\n' });
    sh(repo, 'config', '--unset', 'user.name');
    sh(repo, 'config', '--unset', 'user.email');
    const { worktree } = await session();
    write(worktree, { 'a.txt': 'A\n' });
    expect(await commitAll({ worktree, message: 'Session work' })).not.toBeNull();
    expect(sh(worktree, 'log', '-1', '--format=%an <%ae>')).toBe('Pilothouse <pilothouse@localhost>');
  });
});

describe('mergeInto', () => {
  const merge = (branch = 'pilothouse/task') => mergeInto({ repo, baseBranch: 'main', branch, message: `Merge ${branch}` });

  it('fast-forwards when the base has not moved, then is up to date', async () => {
    commit(repo, { 'a.txt': 'a\n' });
    const { worktree } = await session();
    const work = commit(worktree, { 'a.txt': 'A\n' });
    expect(await merge()).toEqual({ how: 'fast-forward', commit: work });
    expect(readFileSync(join(repo, 'a.txt'), 'utf8')).toBe('A\n');
    expect(await merge()).toEqual({ how: 'up-to-date', commit: work });
  });

  it('makes a merge commit when the base moved', async () => {
    commit(repo, { 'a.txt': 'a\n', 'b.txt': 'b\n' });
    const { worktree } = await session();
    const work = commit(worktree, { 'a.txt': 'A\n' });
    const moved = commit(repo, { 'b.txt': 'B\n' });
    const result = await merge();
    expect(result.how).toBe('merge-commit');
    expect(sh(repo, 'rev-parse', 'HEAD')).toBe(result.commit);
    expect(sh(repo, 'log', '-1', '--format=%P|%s')).toBe(`${moved} ${work}|Merge pilothouse/task`);
    expect(sh(repo, 'status', '--porcelain')).toBe('');
  });

  it('reports a conflict with its files and changes nothing', async () => {
    commit(repo, { 'a b.txt': 'a\n', 'c.txt': 'c\n' });
    const { worktree } = await session();
    commit(worktree, { 'a b.txt': 'from the session\n', 'c.txt': 'C\n' });
    commit(repo, { 'a b.txt': 'from the base\n' });
    const before = snapshot(repo);
    const refused = await refusal(merge());
    expect(refused.code).toBe('merge_conflict');
    expect(refused.details).toEqual({ files: ['a b.txt'] });
    expect(refused.message).toContain('a b.txt');
    expect(snapshot(repo)).toEqual(before);
    expect(existsSync(join(repo, '.git', 'MERGE_HEAD'))).toBe(false);
  });

  it('refuses a dirty base, listing its files, and a base on another branch', async () => {
    commit(repo, { 'a.txt': 'a\n' });
    const { worktree } = await session();
    commit(worktree, { 'a.txt': 'A\n' });
    write(repo, { 'notes draft.txt': 'mine\n' });
    const before = snapshot(repo);
    const dirty = await refusal(merge());
    expect(dirty.code).toBe('base_dirty');
    expect(dirty.message).toContain('notes draft.txt');
    expect(snapshot(repo)).toEqual(before);

    rmSync(join(repo, 'notes draft.txt'));
    sh(repo, 'checkout', '-q', '-b', 'other');
    const wrong = await refusal(merge());
    expect(wrong.code).toBe('bad_request');
    expect(wrong.message).toMatch(/other.*main/);
  });
});

describe('removeWorktree', () => {
  it('removes the worktree with its changes and the branch, and can run again', async () => {
    commit(repo, { 'a.txt': 'a\n' });
    const { worktree } = await session();
    write(worktree, { 'a.txt': 'changed\n', 'new.txt': 'untracked\n' });
    await removeWorktree({ repo, worktree, branch: 'pilothouse/task' });
    expect(existsSync(worktree)).toBe(false);
    expect(await branchExists(repo, 'pilothouse/task')).toBe(false);
    expect(sh(repo, 'worktree', 'list', '--porcelain')).not.toContain(worktree);
    await removeWorktree({ repo, worktree, branch: 'pilothouse/task' });
  });

  it('keeps the branch when none is named, and prunes a worktree whose folder is already gone', async () => {
    commit(repo, { 'a.txt': 'a\n' });
    const { worktree } = await session();
    rmSync(worktree, { recursive: true, force: true });
    await removeWorktree({ repo, worktree, branch: null });
    expect(sh(repo, 'worktree', 'list', '--porcelain')).not.toContain(worktree);
    expect(await branchExists(repo, 'pilothouse/task')).toBe(true);
  });
});
