import { describe, expect, it } from 'vitest';
import { hunkLines, splitRows, type DiffLine } from './diff-rows.js';

const hunk = { oldStart: 10, newStart: 10, lines: [' keep', '-old a', '-old b', '+new a', ' keep 2', '+added', '-gone', '\\ No newline at end of file'] };

const ctx = (text: string, old: number, n: number): DiffLine => ({ type: 'ctx', sign: ' ', text, old, new: n });
const del = (text: string, old: number): DiffLine => ({ type: 'del', sign: '-', text, old, new: null });
const add = (text: string, n: number): DiffLine => ({ type: 'add', sign: '+', text, old: null, new: n });
const meta: DiffLine = { type: 'meta', sign: '\\', text: ' No newline at end of file', old: null, new: null };

describe('hunkLines', () => {
  it('numbers the old and new lines', () => {
    expect(hunkLines(hunk)).toEqual([ctx('keep', 10, 10), del('old a', 11), del('old b', 12), add('new a', 11), ctx('keep 2', 13, 12), add('added', 13), del('gone', 14), meta]);
  });
});

describe('splitRows', () => {
  it('pairs removed lines with the added lines that follow, context on both sides', () => {
    expect(splitRows(hunkLines(hunk))).toEqual([
      { left: ctx('keep', 10, 10), right: ctx('keep', 10, 10) },
      { left: del('old a', 11), right: add('new a', 11) },
      { left: del('old b', 12), right: null },
      { left: ctx('keep 2', 13, 12), right: ctx('keep 2', 13, 12) },
      { left: null, right: add('added', 13) },
      { left: del('gone', 14), right: null },
      { left: meta, right: null },
    ]);
  });
});
