// Splits a byte stream into lines (LF, an optional CR before it dropped) with a bound on line
// length: a line longer than `maxChars` is dropped as it streams (reported once, with its size),
// so a runaway line can never grow the runner's memory.

export interface LineSink {
  line(text: string): void;
  /** A line was dropped: `chars` so far when the bound was hit. */
  tooLong(chars: number): void;
}

export class LineSplitter {
  #buffer = '';
  #skipping = false;

  constructor(
    private readonly maxChars: number,
    private readonly sink: LineSink,
  ) {}

  push(chunk: string): void {
    let rest = chunk;
    for (;;) {
      const nl = rest.indexOf('\n');
      if (nl < 0) break;
      const piece = rest.slice(0, nl);
      rest = rest.slice(nl + 1);
      if (this.#skipping) {
        this.#skipping = false;
        this.#buffer = '';
        continue;
      }
      const text = this.#buffer + piece;
      this.#buffer = '';
      if (text.length > this.maxChars) this.sink.tooLong(text.length);
      else this.sink.line(text.endsWith('\r') ? text.slice(0, -1) : text);
    }
    if (this.#skipping) return;
    this.#buffer += rest;
    if (this.#buffer.length > this.maxChars) {
      this.sink.tooLong(this.#buffer.length);
      this.#buffer = '';
      this.#skipping = true;
    }
  }

  /** The stream ended: a last line without a newline still counts. */
  end(): void {
    if (!this.#skipping && this.#buffer !== '') this.sink.line(this.#buffer);
    this.#buffer = '';
    this.#skipping = false;
  }
}
