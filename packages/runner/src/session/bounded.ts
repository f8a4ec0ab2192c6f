// A keyed registry with a size cap: O(1) get/set/delete, oldest-first iteration, and eviction
// of the least recently used entry when full. Every registry a long session keeps is one of these.

export const DEFAULT_CAP = 64;

export class Bounded<K, V> {
  readonly #map = new Map<K, V>();

  constructor(readonly cap: number = DEFAULT_CAP) {
    if (!Number.isInteger(cap) || cap < 1) throw new RangeError(`cap must be a positive integer, got ${cap}`);
  }

  get size(): number {
    return this.#map.size;
  }

  get(key: K): V | undefined {
    return this.#map.get(key);
  }

  has(key: K): boolean {
    return this.#map.has(key);
  }

  /**
   * Inserts or replaces `key` as the newest entry. Returns what had to be evicted to stay within
   * the cap (oldest first; usually nothing) so the caller can close them properly.
   */
  set(key: K, value: V): Array<[K, V]> {
    this.#map.delete(key);
    this.#map.set(key, value);
    const evicted: Array<[K, V]> = [];
    while (this.#map.size > this.cap) {
      const oldest = this.#map.entries().next();
      if (oldest.done === true) break;
      this.#map.delete(oldest.value[0]);
      evicted.push(oldest.value);
    }
    return evicted;
  }

  /** Marks `key` as most recently used; false when absent. */
  touch(key: K): boolean {
    if (!this.#map.has(key)) return false;
    const value = this.#map.get(key) as V;
    this.#map.delete(key);
    this.#map.set(key, value);
    return true;
  }

  delete(key: K): V | undefined {
    const value = this.#map.get(key);
    this.#map.delete(key);
    return value;
  }

  /** The least recently used entry. */
  oldest(): [K, V] | undefined {
    const first = this.#map.entries().next();
    return first.done === true ? undefined : first.value;
  }

  values(): IterableIterator<V> {
    return this.#map.values();
  }

  entries(): IterableIterator<[K, V]> {
    return this.#map.entries();
  }

  keys(): IterableIterator<K> {
    return this.#map.keys();
  }
}
