// How diffs are drawn, unified or side by side: one choice for every diff on the page, kept in
// localStorage so it is remembered. Unified by default (it fits a phone).

import { z } from 'zod';

export const DiffMode = z.enum(['unified', 'split']);
export type DiffMode = z.infer<typeof DiffMode>;

const KEY = 'pilothouse.diffMode';
const listeners = new Set<() => void>();

function read(): DiffMode {
  try {
    return DiffMode.catch('unified').parse(window.localStorage.getItem(KEY));
  } catch {
    // localStorage is denied: the default, for this page only
    return 'unified';
  }
}

let mode: DiffMode = read();

export const getDiffMode = (): DiffMode => mode;

export function setDiffMode(next: DiffMode): void {
  mode = next;
  try {
    window.localStorage.setItem(KEY, next);
  } catch {
    // not kept across reloads; the page still switches
  }
  listeners.forEach((l) => l());
}

export function onDiffMode(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
