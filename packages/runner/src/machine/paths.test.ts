import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { PilothouseError } from '@pilothouse/protocol';
import { resolveTrustedFolder } from './paths.js';

let root: string;
let trusted: string;
beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'ph-paths-')));
  trusted = join(root, 'trusted');
  mkdirSync(join(trusted, 'app/src'), { recursive: true });
  mkdirSync(join(root, 'outside'));
  mkdirSync(join(root, 'trusted-twin'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function refusal(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (err) {
    if (err instanceof PilothouseError) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected a refusal');
}

it('accepts a trusted folder and a folder nested below it, and answers the real path', () => {
  expect(resolveTrustedFolder([trusted], trusted)).toBe(trusted);
  expect(resolveTrustedFolder([trusted], join(trusted, 'app/src'))).toBe(join(trusted, 'app/src'));
  expect(resolveTrustedFolder([`${trusted}/`], `${join(trusted, 'app')}/`)).toBe(join(trusted, 'app'));
  // A symlink that stays inside the trusted folder is fine; the real path is answered.
  symlinkSync(join(trusted, 'app/src'), join(trusted, 'src-link'));
  expect(resolveTrustedFolder([trusted], join(trusted, 'src-link'))).toBe(join(trusted, 'app/src'));
  // A trusted folder named through a symlink trusts what it points at.
  symlinkSync(trusted, join(root, 'trusted-link'));
  expect(resolveTrustedFolder([join(root, 'trusted-link')], join(trusted, 'app'))).toBe(join(trusted, 'app'));
});

it('refuses a path with .. even when it would land inside', () => {
  expect(refusal(() => resolveTrustedFolder([trusted], join(trusted, 'app') + '/../app'))).toMatchObject({ code: 'path_escape' });
  expect(refusal(() => resolveTrustedFolder([trusted], `${trusted}/../outside`)).code).toBe('path_escape');
});

it('refuses a symlink out of the trusted folder as path_escape, naming both paths', () => {
  symlinkSync(join(root, 'outside'), join(trusted, 'escape'));
  const refused = refusal(() => resolveTrustedFolder([trusted], join(trusted, 'escape')));
  expect(refused.code).toBe('path_escape');
  expect(refused.message).toContain(join(trusted, 'escape'));
  expect(refused.message).toContain(join(root, 'outside'));
});

it('refuses a folder outside every trusted folder, including one that only shares a prefix', () => {
  expect(refusal(() => resolveTrustedFolder([trusted], join(root, 'outside'))).code).toBe('folder_not_trusted');
  expect(refusal(() => resolveTrustedFolder([trusted], join(root, 'trusted-twin'))).code).toBe('folder_not_trusted');
  expect(refusal(() => resolveTrustedFolder([], trusted)).code).toBe('folder_not_trusted');
});

it('refuses a missing folder, a relative path and a file', () => {
  expect(refusal(() => resolveTrustedFolder([trusted], join(trusted, 'gone')))).toMatchObject({ code: 'folder_not_trusted', message: expect.stringContaining('no longer exists') });
  expect(refusal(() => resolveTrustedFolder([trusted], 'trusted/app')).code).toBe('bad_request');
  writeFileSync(join(trusted, 'file.txt'), 'x');
  expect(refusal(() => resolveTrustedFolder([trusted], join(trusted, 'file.txt'))).code).toBe('bad_request');
});
