import { describe, expect, it } from 'vitest';
import { LineSplitter } from './lines.js';

function collect(max: number, chunks: string[], end = false) {
  const lines: string[] = [];
  const dropped: number[] = [];
  const s = new LineSplitter(max, { line: (l) => lines.push(l), tooLong: (n) => dropped.push(n) });
  for (const c of chunks) s.push(c);
  if (end) s.end();
  return { lines, dropped };
}

describe('LineSplitter', () => {
  it('joins lines across chunks and drops a CR before LF', () => {
    expect(collect(100, ['{"a"', ':1}\r\n{"b":2}\n{"c"'])).toEqual({ lines: ['{"a":1}', '{"b":2}'], dropped: [] });
  });

  it('keeps a last line without a newline at the end', () => {
    expect(collect(100, ['one\ntwo'], true)).toEqual({ lines: ['one', 'two'], dropped: [] });
  });

  it('drops a line over the bound once, then reads the next lines', () => {
    expect(collect(5, ['abc', 'defgh', 'ijk\nok\n'])).toEqual({ lines: ['ok'], dropped: [8] });
    expect(collect(5, ['abcdefgh\nok\n'])).toEqual({ lines: ['ok'], dropped: [8] });
  });
});
