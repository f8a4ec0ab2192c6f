import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { TrustStore } from './trust.js';

let root: string;
let trust: TrustStore;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ph-trust-'));
  trust = new TrustStore(join(root, 'home'));
  mkdirSync(join(root, 'repo/sub'), { recursive: true });
  mkdirSync(join(root, 'repo-other'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

it('trusts a folder and everything below it, nothing beside it', () => {
  expect(trust.trustedRoot(join(root, 'repo'))).toBeNull();
  const real = trust.add(join(root, 'repo'));
  expect(trust.trustedRoot(join(root, 'repo/sub'))).toBe(real);
  expect(trust.trustedRoot(join(root, 'repo-other'))).toBeNull();
  trust.add(join(root, 'repo'));
  expect(trust.list()).toEqual([real]);
  expect(trust.remove(join(root, 'repo'))).toBe(true);
  expect(trust.trustedRoot(join(root, 'repo'))).toBeNull();
});

it('resolves symlinks so a link cannot smuggle an untrusted folder in', () => {
  trust.add(join(root, 'repo'));
  symlinkSync(join(root, 'repo-other'), join(root, 'repo/link'));
  expect(trust.trustedRoot(join(root, 'repo/link'))).toBeNull();
});

it('refuses missing folders and files with a clear error', () => {
  expect(() => trust.add(join(root, 'nope'))).toThrow(/No such folder/);
  writeFileSync(join(root, 'file'), 'x');
  expect(() => trust.add(join(root, 'file'))).toThrow(/is not a folder/);
});
