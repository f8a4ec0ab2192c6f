// A unified diff as a table: jsdiff's parsePatch reads it (several files, no git headers needed),
// this draws the lines with their numbers. A diff that does not parse yet (it is still streaming)
// or is huge is shown as coloured lines.

import { Fragment, memo, useMemo } from 'react';
import { parsePatch, type StructuredPatch } from 'diff';
import { ClippedText } from './ClippedText.js';

const TABLE_LIMIT = 300_000;

const strip = (name: string | undefined) => (name ?? '').replace(/^[ab]\//, '');

function fileTitle(f: StructuredPatch): { name: string; change: string } {
  if (f.oldFileName === '/dev/null') return { name: strip(f.newFileName), change: 'added' };
  if (f.newFileName === '/dev/null') return { name: strip(f.oldFileName), change: 'deleted' };
  const from = strip(f.oldFileName);
  const to = strip(f.newFileName);
  return from === to || from === '' ? { name: to, change: 'modified' } : { name: `${from} → ${to}`, change: 'moved' };
}

function Hunk({ hunk }: { hunk: StructuredPatch['hunks'][number] }) {
  let oldLine = hunk.oldStart;
  let newLine = hunk.newStart;
  return (
    <>
      <tr className="hunk-head">
        <td colSpan={3}>{`@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`}</td>
      </tr>
      {hunk.lines.map((line, i) => {
        const sign = line[0];
        const type = sign === '+' ? 'add' : sign === '-' ? 'del' : sign === '\\' ? 'meta' : 'ctx';
        const o = type === 'ctx' || type === 'del' ? oldLine++ : null;
        const n = type === 'ctx' || type === 'add' ? newLine++ : null;
        return (
          <tr key={i} className={`line ${type}`}>
            <td className="ln">{o}</td>
            <td className="ln">{n}</td>
            <td className="code">{line}</td>
          </tr>
        );
      })}
    </>
  );
}

function parse(text: string): StructuredPatch[] | null {
  if (text.length > TABLE_LIMIT) return null;
  try {
    const files = parsePatch(text).filter((f) => f.hunks.length > 0);
    return files.length > 0 ? files : null;
  } catch {
    return null;
  }
}

export const DiffView = memo(function DiffView({ text }: { text: string }) {
  const files = useMemo(() => parse(text), [text]);
  if (files === null) return <ClippedText text={text} limit={TABLE_LIMIT} ansi={false} />;
  return (
    <div className="diff">
      {files.map((f, i) => {
        const title = fileTitle(f);
        return (
          <div className="diff-file" key={i}>
            <div className="diff-name">
              <span className={`change ${title.change}`}>{title.change}</span> {title.name}
            </div>
            <table className="diff-table">
              <colgroup>
                <col className="ln" />
                <col className="ln" />
                <col />
              </colgroup>
              <tbody>
                {f.hunks.map((h, j) => (
                  <Fragment key={j}>
                    <Hunk hunk={h} />
                  </Fragment>
                ))}
              </tbody>
            </table>
          </div>
        );
      })}
    </div>
  );
});
