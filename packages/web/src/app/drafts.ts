// The composer's drafts in localStorage, one per thread (and one per channel for a new thread),
// so an unsent message survives a reload. The rules (bounds, parsing) are state/drafts.ts; this is
// the storage edge. Storage that is full or switched off only means drafts are not kept.

import { parseDrafts, putDraft } from '../state/drafts.js';

const KEY = 'pilothouse.drafts';

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    // localStorage is denied (a sandboxed or privacy-mode page): no drafts
    return null;
  }
}

export function loadDraft(key: string): string {
  return parseDrafts(storage()?.getItem(KEY) ?? null)[key]?.text ?? '';
}

export function saveDraft(key: string, text: string): void {
  const store = storage();
  if (!store) return;
  const next = putDraft(parseDrafts(store.getItem(KEY)), key, text, Date.now());
  try {
    store.setItem(KEY, JSON.stringify(next));
  } catch {
    // quota exceeded: the draft stays in the box, only not across a reload
  }
}

/** The draft key of a thread's composer, or of a channel's "start a thread" box. */
export const draftKey = (channel: string, threadId?: string): string => (threadId === undefined ? `${channel}#new` : `${channel}/${threadId}`);
