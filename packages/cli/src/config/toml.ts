// The small part of TOML v1.0.0 (https://toml.io/en/v1.0.0) that Pilothouse's config file needs:
// `# comments`, `[table]` headers, and `key = value` lines whose value is a string ("basic" with
// escapes, or 'literal'), an integer, a boolean, or a one-line array of those. Anything else is
// refused with the line it is on, rather than half-understood.

export type TomlScalar = string | number | boolean;
export type TomlValue = TomlScalar | TomlScalar[];

export interface TomlEntry {
  /** The table it is in ('' for the top level). */
  readonly table: string;
  readonly key: string;
  readonly value: TomlValue;
  /** 1-based. */
  readonly line: number;
}

export class TomlError extends Error {
  constructor(
    readonly line: number,
    message: string,
    readonly fix: string,
  ) {
    super(message);
  }
}

const BARE = /^[A-Za-z0-9_-]+$/;
const ESCAPES: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', '"': '"', '\\': '\\' };

/** Reads one value at `text[i]`; returns it and the index after it. */
function readValue(text: string, i: number, line: number): { value: TomlValue; end: number } {
  const c = text[i];
  if (c === '"') {
    if (text.startsWith('"""', i)) throw new TomlError(line, 'multi-line strings are not supported here', 'write the value on one line, with \\n for line breaks');
    let out = '';
    for (let j = i + 1; j < text.length; j++) {
      const ch = text[j]!;
      if (ch === '"') return { value: out, end: j + 1 };
      if (ch !== '\\') {
        out += ch;
        continue;
      }
      const e = text[++j];
      if (e !== undefined && e in ESCAPES) out += ESCAPES[e];
      else if (e === 'u' || e === 'U') {
        const digits = text.slice(j + 1, j + 1 + (e === 'u' ? 4 : 8));
        if (!/^[0-9A-Fa-f]+$/.test(digits) || digits.length !== (e === 'u' ? 4 : 8)) throw new TomlError(line, `\\${e} needs ${e === 'u' ? 4 : 8} hex digits`, 'fix the escape, or use a literal string in single quotes');
        out += String.fromCodePoint(parseInt(digits, 16));
        j += digits.length;
      } else throw new TomlError(line, `unknown escape \\${e ?? ''} in a string`, "double the backslash (\\\\), or use a literal string in single quotes: 'C:\\path'");
    }
    throw new TomlError(line, 'the string is not closed', 'end it with " on the same line');
  }
  if (c === "'") {
    if (text.startsWith("'''", i)) throw new TomlError(line, 'multi-line strings are not supported here', 'write the value on one line');
    const close = text.indexOf("'", i + 1);
    if (close === -1) throw new TomlError(line, 'the string is not closed', "end it with ' on the same line");
    return { value: text.slice(i + 1, close), end: close + 1 };
  }
  if (c === '[') {
    const items: TomlScalar[] = [];
    let j = skipSpace(text, i + 1);
    while (text[j] !== ']') {
      if (j >= text.length) throw new TomlError(line, 'the array is not closed', 'end it with ] on the same line');
      const item = readValue(text, j, line);
      if (Array.isArray(item.value)) throw new TomlError(line, 'arrays inside arrays are not supported here', 'use a flat list: ["a", "b"]');
      items.push(item.value);
      j = skipSpace(text, item.end);
      if (text[j] === ',') j = skipSpace(text, j + 1);
      else if (text[j] !== ']') throw new TomlError(line, 'expected , or ] in the array', 'separate the items with commas: ["a", "b"]');
    }
    return { value: items, end: j + 1 };
  }
  if (c === '{') throw new TomlError(line, 'inline tables are not supported here', 'use a [table] header with one key = value per line');
  const word = /^[^\s,\]#]+/.exec(text.slice(i))?.[0] ?? '';
  if (word === 'true' || word === 'false') return { value: word === 'true', end: i + word.length };
  if (/^[+-]?(0|[1-9](_?[0-9])*)$/.test(word)) return { value: Number(word.replace(/_/g, '')), end: i + word.length };
  if (word === '') throw new TomlError(line, 'the value is missing', 'write a value after =, e.g. key = "text"');
  throw new TomlError(line, `${word} is not a value this file understands`, `quote text: "${word.replace(/"/g, '\\"')}"`);
}

function skipSpace(text: string, i: number): number {
  while (text[i] === ' ' || text[i] === '\t') i++;
  return i;
}

function rest(text: string, i: number, line: number): void {
  const j = skipSpace(text, i);
  if (j < text.length && text[j] !== '#') throw new TomlError(line, `unexpected "${text.slice(j)}" after the value`, 'put one key = value per line; comments start with #');
}

/** Parses `text`; every key appears once per table. Throws TomlError with the line. */
export function parseToml(text: string): TomlEntry[] {
  const entries: TomlEntry[] = [];
  const seen = new Map<string, number>();
  const tables = new Set<string>();
  let table = '';
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const start = skipSpace(raw, 0);
    if (start === raw.length || raw[start] === '#') return;
    if (raw[start] === '[') {
      if (raw[start + 1] === '[') throw new TomlError(line, 'arrays of tables ([[...]]) are not supported here', 'use a plain [table] header');
      const close = raw.indexOf(']', start);
      const name = close === -1 ? '' : raw.slice(start + 1, close).trim();
      if (!name.split('.').every((part) => BARE.test(part))) throw new TomlError(line, 'this table header is not valid', 'write it as [name], e.g. [run]');
      if (tables.has(name)) throw new TomlError(line, `[${name}] appears twice`, `merge the two [${name}] sections into one`);
      // TOML gives a name one meaning: a table cannot reuse a key's name (`hub = "…"` and `[hub]`).
      const parts = name.split('.');
      parts.forEach((part, i) => {
        const parent = parts.slice(0, i).join('.');
        const keyLine = seen.get(`${parent}.${part}`);
        if (keyLine !== undefined)
          throw new TomlError(line, `[${name}] reuses the name of the key ${part}${parent ? ` in [${parent}]` : ''} on line ${keyLine}, which TOML does not allow`, `keep either the key ${part} or the [${name}] table`);
      });
      tables.add(name);
      rest(raw, close + 1, line);
      table = name;
      return;
    }
    const eq = raw.indexOf('=', start);
    const key = eq === -1 ? raw.slice(start).trim() : raw.slice(start, eq).trim();
    if (eq === -1) throw new TomlError(line, `"${key}" has no value`, `write it as ${BARE.test(key) ? key : 'key'} = "value"`);
    if (!BARE.test(key)) throw new TomlError(line, `"${key}" is not a key this file understands`, 'use letters, digits, _ and - in keys (no quotes or dots)');
    const { value, end } = readValue(raw, skipSpace(raw, eq + 1), line);
    rest(raw, end, line);
    const id = `${table}.${key}`;
    const first = seen.get(id);
    if (first !== undefined) throw new TomlError(line, `${key} is set twice${table ? ` in [${table}]` : ''} (first on line ${first})`, 'keep one of the two lines');
    seen.set(id, line);
    entries.push({ table, key, value, line });
  });
  return entries;
}
