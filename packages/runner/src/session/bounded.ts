// A keyed registry with a size cap, as plain data: an array of [key, value] pairs, oldest first.
// Every function returns a new value and leaves its input alone. Lookups scan from the newest end
// (the entry in use is nearly always there); the cap (64 by default) keeps every copy small.

export const DEFAULT_CAP = 64;

export type Lru<V> = readonly (readonly [key: string, value: V])[];

export function checkCap(cap: number): number {
  if (!Number.isInteger(cap) || cap < 1) throw new RangeError(`cap must be a positive integer, got ${cap}`);
  return cap;
}

export function indexOf<V>(lru: Lru<V>, key: string): number {
  for (let i = lru.length - 1; i >= 0; i -= 1) if (lru[i]![0] === key) return i;
  return -1;
}

export function get<V>(lru: Lru<V>, key: string): V | undefined {
  const i = indexOf(lru, key);
  return i < 0 ? undefined : lru[i]![1];
}

export const has = <V>(lru: Lru<V>, key: string): boolean => indexOf(lru, key) >= 0;

export interface SetResult<V> {
  readonly lru: Lru<V>;
  /** What had to go to stay within the cap, oldest first (usually nothing): close them properly. */
  readonly evicted: Lru<V>;
}

/** Inserts or replaces `key` as the newest entry. */
export function set<V>(lru: Lru<V>, key: string, value: V, cap: number): SetResult<V> {
  const i = indexOf(lru, key);
  const kept = i < 0 ? lru : [...lru.slice(0, i), ...lru.slice(i + 1)];
  const over = Math.max(0, kept.length + 1 - cap);
  return { lru: [...kept.slice(over), [key, value]], evicted: kept.slice(0, over) };
}

/** Replaces the value of `key` and makes it the newest; the input when absent. Cheap when it already is. */
export function update<V>(lru: Lru<V>, key: string, value: V): Lru<V> {
  const i = indexOf(lru, key);
  if (i < 0) return lru;
  if (i === lru.length - 1) {
    const next = lru.slice();
    next[i] = [key, value];
    return next;
  }
  return [...lru.slice(0, i), ...lru.slice(i + 1), [key, value]];
}

/** Replaces the value of `key` where it stands (no change of age); the input when absent. */
export function replace<V>(lru: Lru<V>, key: string, value: V): Lru<V> {
  const i = indexOf(lru, key);
  if (i < 0) return lru;
  const next = lru.slice();
  next[i] = [key, value];
  return next;
}

export function remove<V>(lru: Lru<V>, key: string): Lru<V> {
  const i = indexOf(lru, key);
  return i < 0 ? lru : [...lru.slice(0, i), ...lru.slice(i + 1)];
}

export const values = <V>(lru: Lru<V>): V[] => lru.map(([, v]) => v);

/** A bounded set of keys (seen turns, mirrored inputs): newest last. */
export function remember(keys: readonly string[], key: string, cap: number): readonly string[] {
  if (keys.includes(key)) return keys;
  return keys.length < cap ? [...keys, key] : [...keys.slice(keys.length + 1 - cap), key];
}
