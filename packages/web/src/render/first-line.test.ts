import { describe, expect, it } from 'vitest';
import { firstLine } from './first-line.js';

describe('firstLine', () => {
  it('takes the first line without backticks, cut to the limit', () => {
    expect(firstLine('Codex session in `/tmp/x`.\nmore', 100)).toBe('Codex session in /tmp/x.');
    expect(firstLine('abcdef', 3)).toBe('abc…');
    expect(firstLine('', 3)).toBe('');
  });
});
