// A Markdown body that is still streaming, made renderable: markers the model opened but has not
// closed yet (a code fence, a code span, **bold**, *em*, _em_, ~~strike~~) are closed for display,
// and a marker with nothing after it yet is left out, so the reader never sees raw `**` mid-answer.
// Only for display while the row streams: the stored body is never changed.
// Delimiter rules follow CommonMark's flanking rules in a simplified form (§6.2, "Emphasis").

interface Open {
  readonly marker: string;
  /** Where the marker starts in the text. */
  readonly at: number;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/** The open fence at the end of the text, if any: its marker (``` or ~~~, maybe longer). */
function openFence(text: string): string | null {
  let open: string | null = null;
  for (const line of text.split('\n')) {
    const m = FENCE.exec(line);
    if (!m) continue;
    const run = m[1]!;
    if (open === null) open = run;
    else if (run[0] === open[0] && run.length >= open.length && line.trim() === run) open = null;
  }
  return open;
}

const isSpace = (c: string | undefined) => c === undefined || /\s/.test(c);
const isWord = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}]/u.test(c);

/** Opened and not closed inline markers in one paragraph, innermost last. */
function openInline(block: string): Open[] {
  const stack: Open[] = [];
  let i = 0;
  while (i < block.length) {
    const c = block[i]!;
    if (c === '\\') {
      i += 2;
      continue;
    }
    let n = 1;
    while (block[i + n] === c) n++;
    if (c === '`') {
      const close = block.indexOf('`'.repeat(n), i + n);
      // A code span runs to the same run of backticks; without one the rest is code.
      if (close === -1) {
        stack.push({ marker: '`'.repeat(n), at: i });
        return stack;
      }
      i = close + n;
      continue;
    }
    if (c === '*' || c === '_' || c === '~') {
      const before = block[i - 1];
      const after = block[i + n];
      const lineStart = i === 0 || before === '\n';
      const bullet = lineStart && c === '*' && n === 1 && after === ' ';
      const marker = c.repeat(n);
      const canOpen = !isSpace(after) && !(c === '_' && isWord(before)) && !(c === '~' && n !== 2);
      const canClose = !isSpace(before) && !(c === '_' && isWord(after)) && !(c === '~' && n !== 2);
      const top = stack.at(-1);
      // A run at the very end may be an opener whose text has not arrived yet.
      const pending = i + n === block.length && !isWord(before) && !(lineStart && n >= 3);
      if (!bullet && canClose && top && top.marker[0] === c) stack.pop();
      else if (!bullet && (canOpen || pending)) stack.push({ marker, at: i });
    }
    i += n;
  }
  return stack;
}

export function closeOpenMarkdown(text: string): string {
  const fence = openFence(text);
  if (fence !== null) return `${text}${text.endsWith('\n') ? '' : '\n'}${fence}`;
  // Inline markers do not cross a blank line: only the last paragraph can hold open ones.
  const breaks = [...text.matchAll(/\n[ \t]*\n/g)];
  const start = breaks.length > 0 ? breaks.at(-1)!.index + breaks.at(-1)![0].length : 0;
  const block = text.slice(start);
  const open = openInline(block);
  if (open.length === 0) return text;
  let body = block;
  const closers: string[] = [];
  for (const o of open) {
    // A marker with nothing after it yet ("All **") is dropped, not closed around nothing.
    if (block.slice(o.at + o.marker.length).trim() === '') {
      body = block.slice(0, o.at);
      break;
    }
    closers.unshift(o.marker);
  }
  // A closing marker must follow text, not a space ("**3 tests **" would not close).
  const shown = closers.length > 0 && !open[0]!.marker.startsWith('`') ? body.trimEnd() : body;
  return text.slice(0, start) + shown + closers.join('');
}
