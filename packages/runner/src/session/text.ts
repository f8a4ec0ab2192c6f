// Bounded text for one row: the first `headChars` of an output are kept (and streamed); after
// that only a rolling tail of `tailChars` stays in memory while the full size is counted. A
// finished row reads head + "… [N bytes omitted] …" + tail, N counting what a producer cut too. Lengths are UTF-16 code units (JS
// string length, as the hub counts append offsets); sizes reported to humans are UTF-8 bytes.

import type { Gap } from '../agent/vocabulary.js';

export interface TextBudget {
  readonly headChars: number;
  readonly tailChars: number;
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

/** One row's text within the budget, as plain data. Memory: headChars + at most 2 x tailChars. */
export interface TextBuffer {
  /** What is streamed: the first headChars of the text. */
  readonly head: string;
  /** Set once text overflowed the head: nothing more is streamed. */
  readonly headClosed: boolean;
  readonly totalChars: number;
  readonly totalBytes: number;
  readonly headBytes: number;
  readonly tail: string;
  /** Bytes left out before we saw the text (skip): the text can never render whole again. */
  readonly skipped: number;
}

export const EMPTY_TEXT: TextBuffer = { head: '', headClosed: false, totalChars: 0, totalBytes: 0, headBytes: 0, tail: '', skipped: 0 };

/** Adds text (what went into the head is what a row streams: compare the heads). */
export function pushText(buf: TextBuffer, budget: TextBudget, text: string): TextBuffer {
  if (text.length === 0) return buf;
  const bytes = utf8Length(text);
  let { head, headClosed, headBytes, tail } = buf;
  let rest = text;
  if (!headClosed) {
    const cut = safeHead(text, budget.headChars - head.length);
    const taken = cut === text.length ? text : text.slice(0, cut);
    head += taken;
    headBytes += taken === text ? bytes : utf8Length(taken);
    rest = cut === text.length ? '' : text.slice(cut);
    if (rest.length > 0) headClosed = true;
  }
  if (rest.length > 0) {
    tail += rest;
    if (tail.length > 2 * budget.tailChars) tail = tail.slice(safeTail(tail, budget.tailChars));
  }
  return { head, headClosed, totalChars: buf.totalChars + text.length, totalBytes: buf.totalBytes + bytes, headBytes, tail, skipped: buf.skipped };
}

/** Records `bytes` the producer left out at this point: the head closes, what follows is tail. */
export function skipText(buf: TextBuffer, bytes: number): TextBuffer {
  if (bytes <= 0) return buf;
  return { ...buf, totalBytes: buf.totalBytes + bytes, skipped: buf.skipped + bytes, headClosed: true };
}

export function renderText(buf: TextBuffer, budget: TextBudget): Rendered {
  if (!buf.headClosed) return { body: buf.head, truncated: false, totalBytes: buf.totalBytes, omittedBytes: 0 };
  const tail = buf.tail.slice(safeTail(buf.tail, budget.tailChars));
  if (buf.skipped === 0 && buf.head.length + tail.length === buf.totalChars) {
    return { body: buf.head + tail, truncated: false, totalBytes: buf.totalBytes, omittedBytes: 0 };
  }
  const omittedBytes = buf.totalBytes - buf.headBytes - utf8Length(tail);
  return { body: buf.head + omissionMarker(omittedBytes) + tail, truncated: true, totalBytes: buf.totalBytes, omittedBytes };
}

/**
 * Renders a complete text exactly as a row streamed with the same budget would end; `gap` marks
 * where the producer already cut the text, and how much it cut.
 */
export function renderBounded(text: string, budget: TextBudget, gap?: Gap): Rendered {
  if (gap === undefined) return renderText(pushText(EMPTY_TEXT, budget, text), budget);
  const cut = skipText(pushText(EMPTY_TEXT, budget, text.slice(0, gap.at)), gap.bytes);
  return renderText(pushText(cut, budget, text.slice(gap.at)), budget);
}
