import { describe, expect, it } from 'vitest';
import { parseToml, TomlError } from './toml.js';

const errorOf = (text: string): { line: number; message: string; fix: string } => {
  try {
    parseToml(text);
  } catch (err) {
    if (err instanceof TomlError) return { line: err.line, message: err.message, fix: err.fix };
    throw err;
  }
  throw new Error('expected a TomlError');
};

describe('parseToml (the subset config.toml uses)', () => {
  it('reads keys, tables, strings, integers, booleans and flat arrays, with their lines', () => {
    const text = [
      '# Pilothouse',
      'hub = "http://127.0.0.1:4860"   # the hub',
      "token = 'ph_abc\\n'",
      '',
      '[run]',
      '  model = "gpt-5.5"',
      'fast = true',
      'retries = 1_000',
      'allow = ["bob", \'carol\', 3, false]',
      'quote = "a \\"b\\" \\\\ \\u00e9 \\t#"',
    ].join('\r\n');
    expect(parseToml(text)).toEqual([
      { table: '', key: 'hub', value: 'http://127.0.0.1:4860', line: 2 },
      { table: '', key: 'token', value: 'ph_abc\\n', line: 3 },
      { table: 'run', key: 'model', value: 'gpt-5.5', line: 6 },
      { table: 'run', key: 'fast', value: true, line: 7 },
      { table: 'run', key: 'retries', value: 1000, line: 8 },
      { table: 'run', key: 'allow', value: ['bob', 'carol', 3, false], line: 9 },
      { table: 'run', key: 'quote', value: 'a "b" \\ é \t#', line: 10 },
    ]);
  });

  it('an empty file, or only comments, has no entries', () => {
    expect(parseToml('')).toEqual([]);
    expect(parseToml('# nothing\n\n   # here\n')).toEqual([]);
  });

  it.each([
    ['hub = http://x', 1, 'http://x is not a value this file understands', 'quote text: "http://x"'],
    ['\nhub = "open', 2, 'the string is not closed', 'end it with " on the same line'],
    ['hub', 1, '"hub" has no value', 'write it as hub = "value"'],
    ['hub =', 1, 'the value is missing', 'write a value after =, e.g. key = "text"'],
    ['a = 1\na = 2', 2, 'a is set twice (first on line 1)', 'keep one of the two lines'],
    ['[run]\n[run]', 2, '[run] appears twice', 'merge the two [run] sections into one'],
    ['[run', 1, 'this table header is not valid', 'write it as [name], e.g. [run]'],
    ['hub = "http://x"\n[hub]', 2, '[hub] reuses the name of the key hub on line 1, which TOML does not allow', 'keep either the key hub or the [hub] table'],
    ['[a]\nb = 1\n[a.b]', 3, '[a.b] reuses the name of the key b in [a] on line 2, which TOML does not allow', 'keep either the key b or the [a.b] table'],
    ['[[run]]', 1, 'arrays of tables ([[...]]) are not supported here', 'use a plain [table] header'],
    ['x = { a = 1 }', 1, 'inline tables are not supported here', 'use a [table] header with one key = value per line'],
    ['x = """a', 1, 'multi-line strings are not supported here', 'write the value on one line, with \\n for line breaks'],
    ['x = "a" "b"', 1, 'unexpected ""b"" after the value', 'put one key = value per line; comments start with #'],
    ['x = "C:\\path"', 1, 'unknown escape \\p in a string', "double the backslash (\\\\), or use a literal string in single quotes: 'C:\\path'"],
    ['x = ["a" "b"]', 1, 'expected , or ] in the array', 'separate the items with commas: ["a", "b"]'],
    ['"quoted key" = 1', 1, '""quoted key"" is not a key this file understands', 'use letters, digits, _ and - in keys (no quotes or dots)'],
    ['x = 1.5', 1, '1.5 is not a value this file understands', 'quote text: "1.5"'],
  ])('refuses %j on line %i, with the fix', (text, line, message, fix) => {
    expect(errorOf(text)).toEqual({ line, message, fix });
  });
});
