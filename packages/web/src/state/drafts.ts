// What the composer keeps: the text left after a send is acknowledged (only the sent prefix goes,
// never what was typed since), and the per-thread drafts that survive a reload, bounded in count
// and size. Pure functions over plain values; app/drafts.ts keeps them in localStorage.

import { z } from 'zod';

/**
 * The box's text once `sent` (the box's text when Enter was pressed) is acknowledged. What was
 * typed after it stays; when the sent text was edited meanwhile, nothing is removed, because
 * keeping a duplicate is better than losing words.
 */
export function afterSend(current: string, sent: string): string {
  if (!current.startsWith(sent)) return current;
  return current.slice(sent.length).replace(/^\s+/, '');
}

export const Draft = z.object({ text: z.string(), at: z.number() });
export type Draft = z.infer<typeof Draft>;
export const Drafts = z.record(z.string(), Draft);
export type Drafts = z.infer<typeof Drafts>;

/** At most this many threads keep a draft (the least recently edited go first) ... */
export const MAX_DRAFTS = 50;
/** ... and each keeps at most this many characters. */
export const MAX_DRAFT_CHARS = 20_000;

/** The drafts with `key`'s text set (an empty text removes it), within the bounds. */
export function putDraft(drafts: Drafts, key: string, text: string, now: number): Drafts {
  const rest = Object.fromEntries(Object.entries(drafts).filter(([k]) => k !== key));
  if (text.trim() === '') return rest;
  const kept = Object.entries(rest)
    .sort(([, a], [, b]) => b.at - a.at)
    .slice(0, MAX_DRAFTS - 1);
  return { ...Object.fromEntries(kept), [key]: { text: text.slice(0, MAX_DRAFT_CHARS), at: now } };
}

/** Reads stored drafts: anything that does not parse is no drafts, never an error. */
export function parseDrafts(raw: string | null): Drafts {
  if (raw === null) return {};
  try {
    const r = Drafts.safeParse(JSON.parse(raw));
    return r.success ? r.data : {};
  } catch {
    // not JSON: a value some other version wrote; start again
    return {};
  }
}
