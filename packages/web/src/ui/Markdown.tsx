// Untrusted text as Markdown (render/markdown.ts sanitises it); the copy buttons on code blocks
// are wired here by delegation. Very long text is shown as clipped plain text instead: parsing
// half a megabyte of Markdown on every streamed append would stall the page.

import { memo, useMemo, type MouseEvent } from 'react';
import { renderMarkdown } from '../render/markdown.js';
import { copyText } from './copy.js';
import { ClippedText } from './ClippedText.js';

const MARKDOWN_LIMIT = 100_000;

function onCopy(e: MouseEvent<HTMLDivElement>) {
  const button = e.target instanceof Element ? e.target.closest('button[data-copy]') : null;
  if (!button) return;
  const code = button.parentElement?.querySelector('pre');
  void copyText(code?.textContent ?? '').then(() => {
    button.textContent = 'Copied';
    window.setTimeout(() => (button.textContent = 'Copy'), 1500);
  });
}

export const Markdown = memo(function Markdown({ text }: { text: string }) {
  const html = useMemo(() => (text.length > MARKDOWN_LIMIT ? null : renderMarkdown(text)), [text]);
  if (html === null) return <ClippedText text={text} limit={MARKDOWN_LIMIT} ansi={false} />;
  return <div className="md" onClick={onCopy} dangerouslySetInnerHTML={{ __html: html }} />;
});
