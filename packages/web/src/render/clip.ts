// Long text, shown in part: the head and the tail, cut at line ends when one is near, with the
// size of what was left out. Keeps a 5 MB command output from turning into 5 MB of DOM until
// someone asks for all of it.

export interface Clipped {
  readonly head: string;
  readonly tail: string;
  /** UTF-16 code units left out between head and tail; 0 when the text is shown whole. */
  readonly hidden: number;
}

/** How far back a cut may move to land on a line end. */
const LINE_SLACK = 2_000;

export function clip(text: string, limit: number): Clipped {
  if (text.length <= limit) return { head: text, tail: '', hidden: 0 };
  const half = Math.floor(limit / 2);
  let headEnd = text.lastIndexOf('\n', half);
  if (headEnd < half - LINE_SLACK) headEnd = half;
  else headEnd += 1;
  let tailStart = text.indexOf('\n', text.length - half);
  if (tailStart === -1 || tailStart > text.length - half + LINE_SLACK) tailStart = text.length - half;
  else tailStart += 1;
  return { head: text.slice(0, headEnd), tail: text.slice(tailStart), hidden: tailStart - headEnd };
}

export function formatSize(units: number): string {
  if (units < 1024) return `${units} characters`;
  if (units < 1024 * 1024) return `${(units / 1024).toFixed(1)} K characters`;
  return `${(units / 1024 / 1024).toFixed(1)} M characters`;
}

/**
 * Splits text into pieces of about `size` code units, each ending at a line end when one is in
 * reach. Boundaries depend only on the text before them, so appending text never moves an
 * earlier piece: a renderer can memoise all but the last.
 */
export function pieces(text: string, size: number): string[] {
  const out: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(start + size, text.length);
    if (end < text.length) {
      const nl = text.lastIndexOf('\n', end - 1);
      if (nl >= start + size / 2) end = nl + 1;
    }
    out.push(text.slice(start, end));
    start = end;
  }
  return out;
}
