import { describe, expect, it } from 'vitest';
import { stripAnsi } from './strip-ansi.js';

describe('stripAnsi', () => {
  it('leaves the text and drops colours, cursor moves and OSC 8 links', () => {
    expect(stripAnsi('\x1b[32mgreen\x1b[0m and plain\n')).toBe('green and plain\n');
    expect(stripAnsi('\x1b[1;31mbold red\x1b[m\x1b[2K\r')).toBe('bold red\r');
    expect(stripAnsi('\x1b]8;;https://example.com\x07link\x1b]8;;\x07 and \x1b]0;title\x1b\\')).toBe('link and ');
    expect(stripAnsi('no escapes <b>here</b>')).toBe('no escapes <b>here</b>');
  });
});
