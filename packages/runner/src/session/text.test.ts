import { describe, expect, it } from 'vitest';
import { EMPTY_TEXT, omissionMarker, pushText, renderBounded, renderText, utf8Length, type TextBudget, type TextBuffer } from './text.js';

/** A text buffer threaded through the pure functions; `push` returns what went into the head. */
class BoundedText {
  buf: TextBuffer = EMPTY_TEXT;
  constructor(readonly budget: TextBudget) {}
  push(text: string): string {
    const before = this.buf.head.length;
    this.buf = pushText(this.buf, this.budget, text);
    return this.buf.head.slice(before);
  }
  get headClosed(): boolean {
    return this.buf.headClosed;
  }
  get totalChars(): number {
    return this.buf.totalChars;
  }
  render() {
    return renderText(this.buf, this.budget);
  }
}

const budget = { headChars: 10, tailChars: 5 };

describe('utf8Length', () => {
  it('matches TextEncoder, lone surrogates included', () => {
    for (const s of ['', 'abc', 'é', '€', '😀', 'a😀b', '\ud83d', 'x\ude00y']) {
      expect(utf8Length(s)).toBe(new TextEncoder().encode(s).length);
    }
  });
});

describe('bounded text (plain data)', () => {
  it('never changes the buffer it is given', () => {
    const frozen = Object.freeze({ ...EMPTY_TEXT });
    expect(pushText(frozen, budget, 'hello').head).toBe('hello');
    expect(frozen).toEqual(EMPTY_TEXT);
  });

  it('keeps short text whole', () => {
    const t = new BoundedText(budget);
    expect(t.push('hello')).toBe('hello');
    expect(t.push(' you')).toBe(' you');
    expect(t.render()).toEqual({ body: 'hello you', truncated: false, totalBytes: 9, omittedBytes: 0 });
  });

  it('streams the head, then keeps only a rolling tail and counts the rest', () => {
    const t = new BoundedText(budget);
    expect(t.push('0123456')).toBe('0123456');
    expect(t.push('789abc')).toBe('789');
    expect(t.headClosed).toBe(true);
    expect(t.push('defghijklmnop')).toBe('');
    const r = t.render();
    expect(r).toEqual({ body: `0123456789${omissionMarker(11)}lmnop`, truncated: true, totalBytes: 26, omittedBytes: 11 });
  });

  it('shows everything when the overflow fits the tail', () => {
    const t = new BoundedText(budget);
    t.push('0123456789abc');
    expect(t.render()).toEqual({ body: '0123456789abc', truncated: false, totalBytes: 13, omittedBytes: 0 });
  });

  it('never splits a surrogate pair at the head or the tail', () => {
    const t = new BoundedText({ headChars: 3, tailChars: 3 });
    expect(t.push('ab😀cdefg😀')).toBe('ab');
    const r = t.render();
    expect(r.body.startsWith('ab\n')).toBe(true);
    expect(r.body.endsWith('g😀')).toBe(true);
    expect(r.omittedBytes).toBe(utf8Length('😀cdef'));
  });

  it('bounds memory: 5 MB in small deltas keeps head + at most two tails', () => {
    const t = new BoundedText({ headChars: 1024, tailChars: 1024 });
    const line = 'x'.repeat(99) + '\n';
    for (let i = 0; i < 50_000; i += 1) t.push(line);
    expect(t.totalChars).toBe(5_000_000);
    expect(t.buf.head.length + t.buf.tail.length).toBeLessThanOrEqual(1024 + 2 * 1024);
    const r = t.render();
    expect(r.body.length).toBe(1024 + omissionMarker(r.omittedBytes).length + 1024);
    expect(r.omittedBytes).toBe(5_000_000 - 2048);
  });

  it('renderBounded ends exactly where a streamed row ends', () => {
    const text = 'lorem ipsum dolor sit amet, consectetur';
    const streamed = new BoundedText(budget);
    for (const ch of text) streamed.push(ch);
    expect(renderBounded(text, budget)).toEqual(streamed.render());
  });

  it('renders a gap the producer cut as omitted, even when what is left fits', () => {
    const gap = { at: 4, bytes: 1000 };
    expect(renderBounded('headtail', budget, gap)).toEqual({ body: `head${omissionMarker(1000)}tail`, truncated: true, totalBytes: 1008, omittedBytes: 1000 });
    // Cut again by our own budget: both cuts count, and the marker says so.
    const r = renderBounded(`${'h'.repeat(20)}${'t'.repeat(20)}`, budget, { at: 20, bytes: 1000 });
    expect(r).toEqual({ body: `${'h'.repeat(10)}${omissionMarker(1025)}${'t'.repeat(5)}`, truncated: true, totalBytes: 1040, omittedBytes: 1025 });
  });
});
