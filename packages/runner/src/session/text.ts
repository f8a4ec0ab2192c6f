// Bounded text for one row: the first `headChars` of an output are kept (and streamed); after
// that only a rolling tail of `tailChars` stays in memory while the full size is counted. A
// finished row reads head + "… [N bytes omitted] …" + tail, N counting what a producer cut too. Lengths are UTF-16 code units (JS
// string length, as the hub counts append offsets); sizes reported to humans are UTF-8 bytes.

export interface TextBudget {
  readonly headChars: number;
  readonly tailChars: number;
}

/** Content the producer already left out of a text: `bytes` UTF-8 bytes missing at index `at`. */
export interface Gap {
  readonly at: number;
  readonly bytes: number;
}

export interface Rendered {
  readonly body: string;
  readonly truncated: boolean;
  readonly totalBytes: number;
  readonly omittedBytes: number;
}

export function omissionMarker(bytes: number): string {
  return `\n… [${bytes} bytes omitted] …\n`;
}

/** UTF-8 length; a lone surrogate counts as U+FFFD (3 bytes), like TextEncoder. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && isLow(text.charCodeAt(i + 1))) {
      bytes += 4;
      i += 1;
    } else bytes += 3;
  }
  return bytes;
}

const isHigh = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff;

/** The longest prefix length <= n that does not end inside a surrogate pair. */
function safeHead(text: string, n: number): number {
  if (n >= text.length) return text.length;
  return n > 0 && isHigh(text.charCodeAt(n - 1)) && isLow(text.charCodeAt(n)) ? n - 1 : n;
}

/** The start of the shortest suffix of length >= min(n, length) that does not begin inside a pair. */
function safeTail(text: string, n: number): number {
  const start = Math.max(0, text.length - n);
  return start > 0 && isLow(text.charCodeAt(start)) && isHigh(text.charCodeAt(start - 1)) ? start + 1 : start;
}

/** Accumulates one row's text within the budget. Memory: headChars + at most 2 x tailChars. */
export class BoundedText {
  head = '';
  /** Set once text overflowed the head: nothing more is streamed. */
  headClosed = false;
  totalChars = 0;
  totalBytes = 0;
  #headBytes = 0;
  #tail = '';
  /** Bytes left out before we saw the text (skip): the text can never render whole again. */
  #skipped = 0;

  constructor(readonly budget: TextBudget) {}

  /** Adds text; returns the part that went into the head (the part a row streams). */
  push(text: string): string {
    if (text.length === 0) return '';
    this.totalChars += text.length;
    const bytes = utf8Length(text);
    this.totalBytes += bytes;
    let rest = text;
    let taken = '';
    if (!this.headClosed) {
      const cut = safeHead(text, this.budget.headChars - this.head.length);
      taken = cut === text.length ? text : text.slice(0, cut);
      this.head += taken;
      this.#headBytes += taken === text ? bytes : utf8Length(taken);
      rest = cut === text.length ? '' : text.slice(cut);
      if (rest.length > 0) this.headClosed = true;
    }
    if (rest.length > 0) {
      this.#tail += rest;
      if (this.#tail.length > 2 * this.budget.tailChars) this.#tail = this.#tail.slice(safeTail(this.#tail, this.budget.tailChars));
    }
    return taken;
  }

  /** Records `bytes` the producer left out at this point: the head closes, what follows is tail. */
  skip(bytes: number): void {
    if (bytes <= 0) return;
    this.totalBytes += bytes;
    this.#skipped += bytes;
    this.headClosed = true;
  }

  render(): Rendered {
    if (!this.headClosed) return { body: this.head, truncated: false, totalBytes: this.totalBytes, omittedBytes: 0 };
    const tail = this.#tail.slice(safeTail(this.#tail, this.budget.tailChars));
    if (this.#skipped === 0 && this.head.length + tail.length === this.totalChars) {
      return { body: this.head + tail, truncated: false, totalBytes: this.totalBytes, omittedBytes: 0 };
    }
    const omittedBytes = this.totalBytes - this.#headBytes - utf8Length(tail);
    return { body: this.head + omissionMarker(omittedBytes) + tail, truncated: true, totalBytes: this.totalBytes, omittedBytes };
  }
}

/**
 * Renders a complete text exactly as a row streamed with the same budget would end; `gap` marks
 * where the producer already cut the text, and how much it cut.
 */
export function renderBounded(text: string, budget: TextBudget, gap?: Gap): Rendered {
  const bounded = new BoundedText(budget);
  if (gap === undefined) bounded.push(text);
  else {
    bounded.push(text.slice(0, gap.at));
    bounded.skip(gap.bytes);
    bounded.push(text.slice(gap.at));
  }
  return bounded.render();
}
