// A diff hunk's lines as the two views draw them: unified (one line per row, with the old and
// new line numbers) and side by side (removed lines on the left paired with the added lines that
// replace them on the right, context on both sides). Pure; DiffView.tsx draws the rows.

export type DiffLineType = 'add' | 'del' | 'ctx' | 'meta';

export interface DiffLine {
  readonly type: DiffLineType;
  /** "+", "-", " " or "\" (a "\ No newline at end of file" line). */
  readonly sign: string;
  /** The line without its sign. */
  readonly text: string;
  readonly old: number | null;
  readonly new: number | null;
}

export interface Hunk {
  readonly oldStart: number;
  readonly newStart: number;
  readonly lines: readonly string[];
}

const TYPES: Record<string, DiffLineType> = { '+': 'add', '-': 'del', '\\': 'meta' };

export function hunkLines(hunk: Hunk): DiffLine[] {
  let oldLine = hunk.oldStart;
  let newLine = hunk.newStart;
  return hunk.lines.map((line) => {
    const sign = line[0] ?? ' ';
    const type = TYPES[sign] ?? 'ctx';
    return {
      type,
      sign,
      text: line.slice(1),
      old: type === 'ctx' || type === 'del' ? oldLine++ : null,
      new: type === 'ctx' || type === 'add' ? newLine++ : null,
    };
  });
}

export interface SplitRow {
  readonly left: DiffLine | null;
  readonly right: DiffLine | null;
}

/** Side by side: each run of removed lines beside the run of added lines that follows it. */
export function splitRows(lines: readonly DiffLine[]): SplitRow[] {
  const rows: SplitRow[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.type === 'ctx') {
      rows.push({ left: line, right: line });
      i++;
      continue;
    }
    if (line.type === 'meta') {
      // "\ No newline at end of file" belongs to the side of the line before it.
      const side = lines[i - 1]?.type === 'add' ? 'right' : 'left';
      rows.push(side === 'right' ? { left: null, right: line } : { left: line, right: null });
      i++;
      continue;
    }
    const dels: DiffLine[] = [];
    const adds: DiffLine[] = [];
    while (lines[i]?.type === 'del') dels.push(lines[i++]!);
    while (lines[i]?.type === 'add') adds.push(lines[i++]!);
    for (let k = 0; k < Math.max(dels.length, adds.length); k++) rows.push({ left: dels[k] ?? null, right: adds[k] ?? null });
  }
  return rows;
}
