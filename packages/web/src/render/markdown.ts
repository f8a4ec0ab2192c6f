// Markdown for untrusted text (agent output and human messages alike): markdown-it with raw HTML
// off and its link validation (javascript:, vbscript:, file: and non-image data: URLs stay text),
// then DOMPurify over the result, so nothing executable reaches the DOM even if one layer slips.
// Fenced code is highlighted once the highlighter has loaded (render/highlight.ts); its HTML goes
// through the same DOMPurify pass. Code blocks get a copy button, wired by the component that
// shows the HTML. Table alignment becomes a class (inline styles are not allowed through).

import MarkdownIt from 'markdown-it';
import DOMPurify from 'dompurify';
import { highlighter } from './highlight.js';

const md = new MarkdownIt({
  html: false,
  linkify: true,
  breaks: true,
  highlight: (code, lang) => highlighter()?.highlightCode(code, lang.trim().split(/\s+/)[0] ?? '') ?? '',
});

/** The copy button's markup in rendered Markdown: the same button as ui/copy.tsx `CopyButton`. */
export const COPY_BUTTON_HTML = '<button type="button" class="copy" data-copy aria-label="Copy code">Copy</button>';

/** A code block: a bar with its language and the copy button above the code (never over it). */
const codeBlock = (language: string, pre: string) =>
  `<div class="code-block"><div class="code-head"><span class="code-lang">${md.utils.escapeHtml(language)}</span>${COPY_BUTTON_HTML}</div>${pre}</div>`;
const defaultFence = md.renderer.rules.fence!;
md.renderer.rules.fence = (tokens, idx, options, env, self) => codeBlock(tokens[idx]!.info.trim().split(/\s+/)[0] ?? '', defaultFence(tokens, idx, options, env, self));
const defaultCodeBlock = md.renderer.rules.code_block!;
md.renderer.rules.code_block = (tokens, idx, options, env, self) => codeBlock('', defaultCodeBlock(tokens, idx, options, env, self));

// markdown-it aligns table cells with style="text-align:…", which the sanitiser drops: a class instead.
md.core.ruler.push('align_class', (state) => {
  for (const token of state.tokens) {
    if (token.type !== 'th_open' && token.type !== 'td_open') continue;
    const align = /text-align:(left|right|center)/.exec(String(token.attrGet('style') ?? ''))?.[1];
    token.attrs = null;
    if (align) token.attrSet('class', `align-${align}`);
  }
});

// Links open in a new tab without handing it this page (window.opener) or the address.
DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName === 'A' && node.hasAttribute('href')) {
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer nofollow');
  }
});

const PURIFY = {
  ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|#|\/(?!\/))/i,
  FORBID_TAGS: ['style', 'form', 'input', 'textarea', 'select', 'iframe', 'object', 'embed'],
  FORBID_ATTR: ['style'],
  ADD_ATTR: ['target', 'data-copy'],
};

export function renderMarkdown(text: string): string {
  return DOMPurify.sanitize(md.render(text), PURIFY);
}

/** HTML that only carries text styling (ANSI colours): sanitised with inline styles kept. */
export function sanitizeStyled(html: string): string {
  return DOMPurify.sanitize(html, { ALLOWED_TAGS: ['span', 'a', 'b', 'i', 'u'], ALLOWED_ATTR: ['style', 'href'], ALLOWED_URI_REGEXP: /^https?:/i });
}

/** Highlighted code (a diff line): spans with classes around text, nothing else. */
export function sanitizeTokens(html: string): string {
  return DOMPurify.sanitize(html, { ALLOWED_TAGS: ['span'], ALLOWED_ATTR: ['class'] });
}
