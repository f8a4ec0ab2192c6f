// Markdown for untrusted text (agent output and human messages alike): markdown-it with raw HTML
// off and its link validation (javascript:, vbscript:, file: and non-image data: URLs stay text),
// then DOMPurify over the result, so nothing executable reaches the DOM even if one layer slips.
// Code blocks get a copy button, wired by the component that shows the HTML.

import MarkdownIt from 'markdown-it';
import DOMPurify from 'dompurify';

const md = new MarkdownIt({ html: false, linkify: true, breaks: true });

const defaultFence = md.renderer.rules.fence!;
md.renderer.rules.fence = (tokens, idx, options, env, self) =>
  `<div class="code-block"><button type="button" class="copy" data-copy>Copy</button>${defaultFence(tokens, idx, options, env, self)}</div>`;
const defaultCodeBlock = md.renderer.rules.code_block!;
md.renderer.rules.code_block = (tokens, idx, options, env, self) =>
  `<div class="code-block"><button type="button" class="copy" data-copy>Copy</button>${defaultCodeBlock(tokens, idx, options, env, self)}</div>`;

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
