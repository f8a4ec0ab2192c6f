// The store's codec for raw text columns (messages.body, events.text). PostgreSQL's text cannot
// hold NUL, and both drivers write a lone surrogate as U+FFFD; the codec makes every JS string
// round-trip exactly on both stores. Ordinary text is stored as is (the fast path: no copy, so the
// store stays ≈ 1 byte per output byte); anything else is MARKER + its JSON string literal, which
// escapes NUL and lone surrogates (ECMA-262 well-formed JSON.stringify). Text that itself starts
// with the marker is escaped too, so the stored form is never ambiguous. See
// docs/decisions/text-codec.md.

declare global {
  interface String {
    /** ES2024; in Node 20 (V8 11.3). */
    isWellFormed(): boolean;
  }
}

/** U+FFFF, a noncharacter: never meant to be interchanged, so real text rarely starts with it. */
const MARKER = '\uFFFF';
const MARKER_CODE = 0xffff;

export function encodeText(text: string): string {
  if (text.charCodeAt(0) !== MARKER_CODE && !text.includes('\0') && text.isWellFormed()) return text;
  return MARKER + JSON.stringify(text);
}

export function decodeText(stored: string): string {
  if (stored.charCodeAt(0) !== MARKER_CODE) return stored;
  const text: unknown = JSON.parse(stored.slice(MARKER.length));
  if (typeof text !== 'string') throw new Error('a stored text column holds an escaped value that is not a string');
  return text;
}

/** Whether a stored value (or any prefix of it) is in the escaped form: it must be read whole to decode. */
export const isEscaped = (stored: string): boolean => stored.charCodeAt(0) === MARKER_CODE;
