// A unified diff as a table: jsdiff's parsePatch reads it (several files, no git headers needed),
// render/diff-rows.ts lays out its lines unified or side by side (one choice for the page,
// app/diff-mode.ts), and each line's code is highlighted for the file's language once the lazy
// highlighter has loaded (sanitised like all HTML). A diff that does not parse yet (it is still
// streaming) or is huge is shown as plain lines.

import { Fragment, memo, useMemo, useSyncExternalStore } from 'react';
import { parsePatch, type StructuredPatch } from 'diff';
import { getDiffMode, onDiffMode, setDiffMode, type DiffMode } from '../app/diff-mode.js';
import { hunkLines, splitRows, type DiffLine } from '../render/diff-rows.js';
import { highlighter, highlighterReady, onHighlighter } from '../render/highlight.js';
import { sanitizeTokens } from '../render/markdown.js';
import { ClippedText } from './ClippedText.js';

const TABLE_LIMIT = 300_000;
/** Larger diffs are drawn without highlighting: it costs a regex pass per line. */
const HIGHLIGHT_LIMIT = 100_000;

const strip = (name: string | undefined) => (name ?? '').replace(/^[ab]\//, '');

function fileTitle(f: StructuredPatch): { name: string; change: string } {
  if (f.oldFileName === '/dev/null') return { name: strip(f.newFileName), change: 'added' };
  if (f.newFileName === '/dev/null') return { name: strip(f.oldFileName), change: 'deleted' };
  const from = strip(f.oldFileName);
  const to = strip(f.newFileName);
  return from === to || from === '' ? { name: to, change: 'modified' } : { name: `${from} → ${to}`, change: 'moved' };
}

/** A line's code: highlighted when there is a language and the highlighter, else plain text. */
type Paint = (line: DiffLine) => string | null;

function Code({ line, paint }: { line: DiffLine; paint: Paint }) {
  const html = line.type === 'meta' ? null : paint(line);
  return (
    <td className="code">
      <span className="sign">{line.sign}</span>
      {html === null ? line.text : <span dangerouslySetInnerHTML={{ __html: html }} />}
    </td>
  );
}

const hunkHead = (h: StructuredPatch['hunks'][number]) => `@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`;

function UnifiedHunk({ hunk, paint }: { hunk: StructuredPatch['hunks'][number]; paint: Paint }) {
  return (
    <>
      <tr className="hunk-head">
        <td colSpan={3}>{hunkHead(hunk)}</td>
      </tr>
      {hunkLines(hunk).map((line, i) => (
        <tr key={i} className={`line ${line.type}`}>
          <td className="ln">{line.old}</td>
          <td className="ln">{line.new}</td>
          <Code line={line} paint={paint} />
        </tr>
      ))}
    </>
  );
}

function Side({ line, side, paint }: { line: DiffLine | null; side: 'old' | 'new'; paint: Paint }) {
  if (line === null) {
    return (
      <>
        <td className="ln empty" />
        <td className="code empty" />
      </>
    );
  }
  return (
    <>
      <td className={`ln ${line.type}`}>{side === 'old' ? line.old : line.new}</td>
      <Code line={line} paint={paint} />
    </>
  );
}

function SplitHunk({ hunk, paint }: { hunk: StructuredPatch['hunks'][number]; paint: Paint }) {
  return (
    <>
      <tr className="hunk-head">
        <td colSpan={4}>{hunkHead(hunk)}</td>
      </tr>
      {splitRows(hunkLines(hunk)).map((row, i) => (
        <tr key={i} className={`line ${row.left?.type ?? 'none'}-${row.right?.type ?? 'none'}`}>
          <Side line={row.left} side="old" paint={paint} />
          <Side line={row.right} side="new" paint={paint} />
        </tr>
      ))}
    </>
  );
}

function ModeSwitch({ mode }: { mode: DiffMode }) {
  const option = (value: DiffMode, label: string) => (
    <button type="button" aria-pressed={mode === value} onClick={() => setDiffMode(value)}>
      {label}
    </button>
  );
  return (
    <span className="diff-mode" role="group" aria-label="Diff layout">
      {option('unified', 'Unified')}
      {option('split', 'Side by side')}
    </span>
  );
}

function parse(text: string): StructuredPatch[] | null {
  if (text.length > TABLE_LIMIT) return null;
  try {
    const files = parsePatch(text).filter((f) => f.hunks.length > 0);
    return files.length > 0 ? files : null;
  } catch {
    // not a whole patch yet (still streaming) or not a patch: shown as plain lines
    return null;
  }
}

function painter(file: StructuredPatch, enabled: boolean): Paint {
  const h = enabled ? highlighter() : null;
  const language = h?.languageOfPath(strip(file.newFileName === '/dev/null' ? file.oldFileName : file.newFileName));
  if (!h || !language) return () => null;
  return (line) => {
    const html = h.highlightCode(line.text, language);
    return html === null ? null : sanitizeTokens(html);
  };
}

export const DiffView = memo(function DiffView({ text }: { text: string }) {
  const files = useMemo(() => parse(text), [text]);
  const mode = useSyncExternalStore(onDiffMode, getDiffMode);
  const highlighting = useSyncExternalStore(onHighlighter, highlighterReady);
  const paints = useMemo(() => files?.map((f) => painter(f, text.length <= HIGHLIGHT_LIMIT)) ?? [], [files, text.length, highlighting]);
  if (files === null) return <ClippedText text={text} limit={TABLE_LIMIT} ansi={false} />;
  return (
    <div className="diff">
      {files.map((f, i) => {
        const title = fileTitle(f);
        const paint = paints[i]!;
        return (
          <div className="diff-file" key={i}>
            <div className="diff-name">
              <span>
                <span className={`change ${title.change}`}>{title.change}</span> {title.name}
              </span>
              <ModeSwitch mode={mode} />
            </div>
            <div className="diff-scroll">
              <table className={`diff-table${mode === 'split' ? ' split' : ''}`}>
                {mode === 'split' ? (
                  <colgroup>
                    <col className="ln" />
                    <col />
                    <col className="ln" />
                    <col />
                  </colgroup>
                ) : (
                  <colgroup>
                    <col className="ln" />
                    <col className="ln" />
                    <col />
                  </colgroup>
                )}
                <tbody>
                  {f.hunks.map((h, j) => (
                    <Fragment key={j}>{mode === 'split' ? <SplitHunk hunk={h} paint={paint} /> : <UnifiedHunk hunk={h} paint={paint} />}</Fragment>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
        );
      })}
    </div>
  );
});
