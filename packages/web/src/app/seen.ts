// Where the unread markers' `seen` map lives: localStorage, per user. The rules are in
// state/unread.ts; this only loads, saves and tells subscribers.

import type { Seen } from '../state/unread.js';

export interface SeenStore {
  readonly get: () => Seen;
  readonly update: (change: (seen: Seen) => Seen) => void;
  readonly subscribe: (listener: () => void) => () => void;
}

export function seenStore(userId: string): SeenStore {
  const key = `pilothouse.seen.${userId}`;
  let seen: Seen = load(key);
  const listeners = new Set<() => void>();
  return {
    get: () => seen,
    update(change) {
      const next = change(seen);
      if (next === seen) return;
      seen = next;
      try {
        localStorage.setItem(key, JSON.stringify(seen));
      } catch {
        // storage full or disabled: markers still work for this page's life
      }
      listeners.forEach((l) => l());
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

function load(key: string): Seen {
  try {
    const raw: unknown = JSON.parse(localStorage.getItem(key) ?? '{}');
    if (typeof raw !== 'object' || raw === null) return {};
    return Object.fromEntries(Object.entries(raw).filter((e): e is [string, number] => typeof e[1] === 'number'));
  } catch {
    return {};
  }
}
