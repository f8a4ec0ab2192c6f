// The pages an emailed decision link opens: a confirmation (what the code would decide, and one
// button that decides: a GET never does), and the result. Plain HTML with no script; everything
// from the prompt is escaped.

import type { CodePreview } from './decision-codes.js';

/** What these pages may load: nothing but their own inline style; the form posts back to the hub. */
export const DECIDE_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const page = (title: string, inner: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><title>${escape(title)} · Pilothouse</title>
<style>:root{color-scheme:light dark;font-family:system-ui,sans-serif}body{margin:0;display:grid;place-items:center;min-height:100vh;background:Canvas;color:CanvasText}main{max-width:34rem;padding:1.5rem}pre{white-space:pre-wrap;background:color-mix(in srgb,CanvasText 8%,Canvas);padding:.75rem;border-radius:.4rem;max-height:40vh;overflow:auto}button{font:inherit;font-weight:600;padding:.6rem 1.2rem;border-radius:.4rem;border:0;background:#1f6feb;color:#fff;cursor:pointer}.deny{background:#b42318}.muted{opacity:.75;font-size:.9rem}</style>
</head><body><main>${inner}</main></body></html>`;

/** `2026-12-06 04:24 UTC` for an ISO time (the page has no script to show the reader's own zone). */
export function readableUtc(iso: string): string {
  const t = new Date(iso);
  return Number.isNaN(t.getTime()) ? iso : `${t.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The form's action is relative (this page is at `…/decide/CODE`): a path prefix the hub is served under is kept. */
export function confirmPage(code: string, p: CodePreview): string {
  const deny = /deny|decline|cancel/i.test(p.choice);
  return page(`Confirm: ${p.choice}`, `<h1>${escape(p.choice)}?</h1>
<p>A prompt in <strong>${escape(p.channel)}</strong> waits for a decision:</p>
<pre>${escape(p.summary)}</pre>
<form method="post" action="${encodeURIComponent(code)}"><button type="submit"${deny ? ' class="deny"' : ''}>${escape(p.choice)}</button></form>
<p class="muted">This link works once, until <time datetime="${escape(p.expiresAt)}">${escape(readableUtc(p.expiresAt))}</time>. Nothing happens until you press the button.</p>`);
}

export function resultPage(r: { ok: true; choice: string } | { ok: false; code: string; message: string }): string {
  if (r.ok) return page('Decided', `<h1>Done</h1><p>Your answer (${escape(r.choice)}) was sent to the session. You can close this page.</p>`);
  return page('Not decided', `<h1>Not decided</h1><p>${escape(r.message)}</p><p class="muted">Code: ${escape(r.code)}. Open the thread in Pilothouse to decide there.</p>`);
}
