import { describe, expect, it } from 'vitest';
import { unifiedDiff } from './diff.js';

describe('unifiedDiff', () => {
  it('a new file adds every line', () => {
    expect(unifiedDiff('a.txt', null, 'one\ntwo\n')).toBe('--- /dev/null\n+++ a.txt\n@@ -0,0 +1,2 @@\n+one\n+two\n');
  });

  it('an edit is one hunk with up to three lines of context', () => {
    const before = ['1', '2', '3', '4', '5', '6', '7', '8'].join('\n') + '\n';
    const after = ['1', '2', '3', '4', 'five', '6', '7', '8'].join('\n') + '\n';
    expect(unifiedDiff('n.txt', before, after)).toBe('--- n.txt\n+++ n.txt\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n');
  });

  it('an insertion and a deletion of whole lines; no change is no diff', () => {
    expect(unifiedDiff('f', 'a\nc\n', 'a\nb\nc\n')).toBe('--- f\n+++ f\n@@ -1,2 +1,3 @@\n a\n+b\n c\n');
    expect(unifiedDiff('f', 'a\n', '')).toBe('--- f\n+++ f\n@@ -1,1 +0,0 @@\n-a\n');
    expect(unifiedDiff('f', 'same\n', 'same\n')).toBe('');
  });
});
