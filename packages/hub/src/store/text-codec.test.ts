import { describe, expect, it } from 'vitest';
import { decodeText, encodeText } from './text-codec.js';

describe('text codec', () => {
  it('stores ordinary text as is (the same string, no copy)', () => {
    for (const s of ['', 'hello', 'ünïcödé ✓', '😀 4-byte', '\x1b[31mred\x1b[0m\n', '"quoted" \\ back', '\uFFFE', 'a\uFFFF']) {
      expect(encodeText(s)).toBe(s);
      expect(decodeText(s)).toBe(s);
    }
  });

  it('escapes NUL, lone surrogates and a leading marker, and decodes them exactly', () => {
    const hard = ['before\0after', '\0', '\uD800', '\uDC00', 'x\uD83Dy', '\uDE00😀\uD83D', '\uFFFF', '\uFFFF"x"', '\uFFFF\0'];
    for (const s of hard) {
      const stored = encodeText(s);
      expect(stored).not.toBe(s);
      expect(stored.includes('\0')).toBe(false);
      expect(stored.isWellFormed()).toBe(true);
      expect(decodeText(stored)).toBe(s);
    }
  });

  it('a pair split across two appends decodes back to the pair once joined', () => {
    const [hi, lo] = ['\uD83D', '\uDE00'];
    expect(decodeText(encodeText(hi)) + decodeText(encodeText(lo))).toBe('😀');
  });
});
