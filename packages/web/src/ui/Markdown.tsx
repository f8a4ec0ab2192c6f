// Untrusted text as Markdown (render/markdown.ts sanitises it); the copy buttons on code blocks
// are wired here by delegation. Renders again once the lazily loaded highlighter arrives. Very
// long text is shown as clipped plain text instead: parsing half a megabyte of Markdown on every
// streamed append would stall the page.

import { memo, useMemo, useSyncExternalStore } from 'react';
import { highlighterReady, onHighlighter } from '../render/highlight.js';
import { renderMarkdown } from '../render/markdown.js';
import { copyFromMarkdown } from './copy.js';
import { ClippedText } from './ClippedText.js';

const MARKDOWN_LIMIT = 100_000;

export const Markdown = memo(function Markdown({ text }: { text: string }) {
  const highlighting = useSyncExternalStore(onHighlighter, highlighterReady);
  const html = useMemo(() => (text.length > MARKDOWN_LIMIT ? null : renderMarkdown(text)), [text, highlighting]);
  if (html === null) return <ClippedText text={text} limit={MARKDOWN_LIMIT} ansi={false} />;
  return <div className="md" onClick={copyFromMarkdown} dangerouslySetInnerHTML={{ __html: html }} />;
});
