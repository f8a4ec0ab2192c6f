import { describe, expect, it } from 'vitest';
import { clip, formatSize, pieces } from './clip.js';

describe('clip', () => {
  it('keeps short text whole', () => {
    expect(clip('abc', 10)).toEqual({ head: 'abc', tail: '', hidden: 0 });
  });

  it('keeps a head and a tail of long text, cut at line ends, and counts the rest', () => {
    const text = Array.from({ length: 1000 }, (_, i) => `line ${i}`).join('\n');
    const c = clip(text, 200);
    expect(c.head.endsWith('\n')).toBe(true);
    expect(c.tail.startsWith('line ')).toBe(true);
    expect(c.head.length + c.hidden + c.tail.length).toBe(text.length);
    expect(c.head.length).toBeLessThanOrEqual(100);
    expect(c.tail.length).toBeLessThanOrEqual(100);
  });

  it('cuts a huge unbroken string at the limit', () => {
    const c = clip('x'.repeat(5_000_000), 20_000);
    expect([c.head.length, c.tail.length, c.hidden]).toEqual([10_000, 10_000, 4_980_000]);
    expect(formatSize(c.hidden)).toBe('4.7 M characters');
  });
});

describe('pieces', () => {
  it('cuts at line ends near the size, and keeps earlier pieces when text is appended', () => {
    const text = Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n');
    const a = pieces(text, 50);
    expect(a.join('')).toBe(text);
    expect(a.slice(0, -1).every((p) => p.endsWith('\n') && p.length <= 50)).toBe(true);
    const b = pieces(`${text}\nmore\nand more`, 50);
    expect(b.slice(0, a.length - 1)).toEqual(a.slice(0, -1));
    expect(pieces('x'.repeat(120), 50)).toEqual(['x'.repeat(50), 'x'.repeat(50), 'x'.repeat(20)]);
    expect(pieces('', 50)).toEqual([]);
  });
});
