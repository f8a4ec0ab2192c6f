import { describe, expect, it } from 'vitest';
import { lineReader } from './lines.js';

function read(chunks: string[], max = 10) {
  const lines: string[] = [];
  const skipped: number[] = [];
  const r = lineReader(max, (l) => lines.push(l), (n) => skipped.push(n));
  for (const c of chunks) r.push(Buffer.from(c));
  return { lines, skipped };
}

describe('lineReader', () => {
  it('splits lines across chunks, drops \\r, keeps a partial line for later', () => {
    expect(read(['ab', 'c\nde\r\n', 'f'])).toEqual({ lines: ['abc', 'de'], skipped: [] });
  });

  it('skips a line over the bound whole, reports its size, and reads on', () => {
    expect(read(['0123456', '789abc\nok\n'])).toEqual({ lines: ['ok'], skipped: [13] });
  });

  it('keeps multi-byte characters split across chunks intact', () => {
    const bytes = Buffer.from('é\n');
    const lines: string[] = [];
    const r = lineReader(10, (l) => lines.push(l), () => undefined);
    r.push(bytes.subarray(0, 1));
    r.push(bytes.subarray(1));
    expect(lines).toEqual(['é']);
  });
});
