import { describe, expect, it } from 'vitest';
import { patchEdits, resolvePath } from './patch-edits.js';

describe('patchEdits', () => {
  it('reads added, updated (one edit per hunk) and deleted files in order', () => {
    const patch = [
      '*** Begin Patch',
      '*** Add File: docs/new.md',
      '+# New',
      '+',
      '+text',
      '*** Update File: greet.js',
      '@@ function greet',
      ' function greet(name) {',
      "-  return 'Hello ' + name;",
      '+  return `Hello, ${name}!`;',
      ' }',
      '@@',
      '-old tail',
      '+new tail',
      '*** Delete File: stale.txt',
      '*** End Patch',
      '',
    ].join('\n');
    expect(patchEdits(patch)).toEqual([
      { kind: 'add', path: 'docs/new.md', content: '# New\n\ntext\n' },
      { kind: 'update', path: 'greet.js', oldText: "function greet(name) {\n  return 'Hello ' + name;\n}", newText: 'function greet(name) {\n  return `Hello, ${name}!`;\n}' },
      { kind: 'update', path: 'greet.js', oldText: 'old tail', newText: 'new tail' },
      { kind: 'delete', path: 'stale.txt' },
    ]);
  });

  it('makes relative paths absolute against a known working directory only', () => {
    expect(resolvePath('a/b.txt', '/work/x')).toBe('/work/x/a/b.txt');
    expect(resolvePath('/etc/hosts', '/work/x')).toBe('/etc/hosts');
    expect(resolvePath('a/b.txt', undefined)).toBe('a/b.txt');
  });
});
