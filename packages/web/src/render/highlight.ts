// Syntax highlighting, loaded lazily: the first code block or diff asks for render/highlighter.ts
// (a separate chunk); until it arrives code shows plain, then every subscriber renders again.

type Highlighter = typeof import('./highlighter.js');

let loaded: Highlighter | null = null;
let loading: Promise<void> | null = null;
const listeners = new Set<() => void>();

/** The highlighter once loaded, else null (and a load is started). */
export function highlighter(): Highlighter | null {
  if (loaded) return loaded;
  loading ??= import('./highlighter.js').then(
    (h) => {
      loaded = h;
      listeners.forEach((l) => l());
    },
    (err: unknown) => {
      // The chunk did not load (the hub restarted with a new build, a lost link): code stays
      // plain, and the next code block tries again.
      loading = null;
      console.warn('syntax highlighting is not available', err);
    },
  );
  return null;
}

export const highlighterReady = (): boolean => loaded !== null;

export function onHighlighter(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
