// Output that may be huge: the head and tail (render/clip.ts), with "show all" for the rest, as
// plain text or with ANSI colours (render/ansi.ts, sanitised). "Show all" renders the text one
// piece per frame, so even megabytes never hold the page for longer than a frame's work.

import { memo, useEffect, useMemo, useState } from 'react';
import { ansiToHtml } from '../render/ansi.js';
import { clip, formatSize, pieces } from '../render/clip.js';

const PIECE = 64 * 1024;

const Part = memo(function Part({ text, ansi, block = false }: { text: string; ansi: boolean; block?: boolean }) {
  const html = useMemo(() => (ansi ? ansiToHtml(text) : null), [text, ansi]);
  // A piece of "show all" is its own block, so adding one lays out that block, not all before it.
  const className = block ? 'piece' : undefined;
  return html === null ? <span className={className}>{text}</span> : <span className={className} dangerouslySetInnerHTML={{ __html: html }} />;
});

function Whole({ text, ansi }: { text: string; ansi: boolean }) {
  const parts = useMemo(() => pieces(text, PIECE), [text]);
  const [shown, setShown] = useState(1);
  useEffect(() => {
    if (shown >= parts.length) return;
    const frame = requestAnimationFrame(() => setShown((n) => n + 1));
    return () => cancelAnimationFrame(frame);
  }, [shown, parts.length]);
  return (
    <>
      {parts.slice(0, shown).map((p, i) => (
        <Part key={i} text={p} ansi={ansi} block />
      ))}
      {shown < parts.length ? (
        <span className="show-progress" role="status">
          {'\n'}… showing {Math.round((100 * shown) / parts.length)}%
        </span>
      ) : null}
    </>
  );
}

export const ClippedText = memo(function ClippedText({ text, limit, ansi }: { text: string; limit: number; ansi: boolean }) {
  const [all, setAll] = useState(false);
  const c = useMemo(() => (all ? null : clip(text, limit)), [text, limit, all]);
  if (c === null) {
    return (
      <pre className="output">
        <Whole text={text} ansi={ansi} />
      </pre>
    );
  }
  return (
    <pre className="output">
      <Part text={c.head} ansi={ansi} />
      {c.hidden > 0 && (
        <button type="button" className="show-all" onClick={() => setAll(true)}>
          … {formatSize(c.hidden)} not shown. Show all
        </button>
      )}
      {c.tail !== '' && <Part text={c.tail} ansi={ansi} />}
    </pre>
  );
});
