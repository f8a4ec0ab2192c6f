// Copy to the clipboard, with one button for it everywhere: `CopyButton` in React rows (command
// lines, command output, answers) and the same markup in rendered Markdown (render/markdown.ts
// `COPY_BUTTON_HTML`, wired by `copyFromMarkdown`). Both say "Copied" for a moment.
// The async Clipboard API where the page is a secure context, else the old selection-and-execCommand
// path (a hub reached over plain http on a LAN address).

import { useEffect, useState, type MouseEvent } from 'react';

const FLASH_MS = 1500;

export async function copyText(text: string): Promise<void> {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  document.execCommand('copy');
  area.remove();
}

/** `text` may be a function, for text that is costly to build (ANSI stripped from megabytes). */
export function CopyButton({ text, label }: { text: string | (() => string); label: string }) {
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const t = window.setTimeout(() => setCopied(false), FLASH_MS);
    return () => window.clearTimeout(t);
  }, [copied]);
  return (
    <button
      type="button"
      className="copy"
      aria-label={label}
      onClick={(e) => {
        e.stopPropagation();
        void copyText(typeof text === 'string' ? text : text()).then(() => setCopied(true));
      }}
    >
      {copied ? 'Copied' : 'Copy'}
    </button>
  );
}

/** Click handler for a block of rendered Markdown: a code block's copy button copies its code. */
export function copyFromMarkdown(e: MouseEvent<HTMLElement>): void {
  const button = e.target instanceof Element ? e.target.closest('button[data-copy]') : null;
  if (!button) return;
  const code = button.closest('.code-block')?.querySelector('pre');
  void copyText(code?.textContent ?? '').then(() => {
    button.textContent = 'Copied';
    window.setTimeout(() => (button.textContent = 'Copy'), FLASH_MS);
  });
}
