// Newline-delimited messages read from a byte stream with a bound on each line (ACP over stdio:
// one JSON-RPC message per line). A line longer than the bound is skipped whole, reported once,
// and never buffered beyond the bound: a runaway agent cannot grow the runner's memory.

export interface LineReader {
  push(chunk: Buffer): void;
}

/** `onLine` gets each complete line (UTF-8, without `\n` or `\r\n`); `onOversize` the size of each skipped one. */
export function lineReader(maxBytes: number, onLine: (line: string) => void, onOversize: (bytes: number) => void): LineReader {
  let parts: Buffer[] = [];
  let size = 0;
  /** Bytes of a line being skipped (over the bound), or null while reading normally. */
  let skipped: number | null = null;
  const take = (segment: Buffer): void => {
    if (skipped !== null) {
      skipped += segment.length;
      return;
    }
    if (size + segment.length > maxBytes) {
      skipped = size + segment.length;
      parts = [];
      size = 0;
      return;
    }
    parts.push(segment);
    size += segment.length;
  };
  return {
    push(chunk) {
      let start = 0;
      for (let nl = chunk.indexOf(10, start); nl >= 0; nl = chunk.indexOf(10, start)) {
        take(chunk.subarray(start, nl));
        start = nl + 1;
        if (skipped !== null) {
          onOversize(skipped);
          skipped = null;
          continue;
        }
        const line = Buffer.concat(parts, size).toString('utf8');
        parts = [];
        size = 0;
        onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
      }
      if (start < chunk.length) take(chunk.subarray(start));
    },
  };
}
