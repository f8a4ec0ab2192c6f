import { describe, expect, it } from 'vitest';
import { closeOpenMarkdown } from './streaming-markdown.js';

describe('closeOpenMarkdown', () => {
  it('closes emphasis the model has opened and not closed yet', () => {
    expect(closeOpenMarkdown('All **3 tests')).toBe('All **3 tests**');
    expect(closeOpenMarkdown('All **3 tests ')).toBe('All **3 tests**');
    expect(closeOpenMarkdown('An *important')).toBe('An *important*');
    expect(closeOpenMarkdown('A _quiet')).toBe('A _quiet_');
    expect(closeOpenMarkdown('**bold and *both')).toBe('**bold and *both***');
    expect(closeOpenMarkdown('Gone ~~soon')).toBe('Gone ~~soon~~');
  });
  it('leaves out a marker with nothing after it yet', () => {
    expect(closeOpenMarkdown('All **')).toBe('All ');
    expect(closeOpenMarkdown('**bold** and `')).toBe('**bold** and ');
  });
  it('closes an open code span, with emphasis markers inside it left alone', () => {
    expect(closeOpenMarkdown('Run `npm te')).toBe('Run `npm te`');
    expect(closeOpenMarkdown('Run `a **b')).toBe('Run `a **b`');
    expect(closeOpenMarkdown('Use ``a ` b')).toBe('Use ``a ` b``');
  });
  it('closes an open fence', () => {
    expect(closeOpenMarkdown('Build it:\n\n```sh\nnpm run bu')).toBe('Build it:\n\n```sh\nnpm run bu\n```');
    expect(closeOpenMarkdown('```sh\nnpm\n')).toBe('```sh\nnpm\n```');
    expect(closeOpenMarkdown('~~~~\ncode')).toBe('~~~~\ncode\n~~~~');
    expect(closeOpenMarkdown('```sh\nnpm\n```\n\nAll **done')).toBe('```sh\nnpm\n```\n\nAll **done**');
  });
  it('leaves complete or marker-free text as it is', () => {
    for (const text of [
      'All **3 tests** pass',
      'plain text',
      '* a bullet\n* another',
      'snake_case_name and 2 * 3 = 6',
      '**closed** in an earlier paragraph\n\nand a new one',
      'a\\*escaped',
      '```\ncode with **\n```',
      '---\n\n***',
    ]) {
      expect(closeOpenMarkdown(text)).toBe(text);
    }
  });
  it('looks only at the last paragraph', () => {
    expect(closeOpenMarkdown('An *unclosed one\n\nthen more')).toBe('An *unclosed one\n\nthen more');
  });
});
