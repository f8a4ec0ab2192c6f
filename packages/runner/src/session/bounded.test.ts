import { describe, expect, it } from 'vitest';
import { checkCap, DEFAULT_CAP, get, has, remember, remove, replace, set, update, type Lru } from './bounded.js';

describe('bounded registry (plain data)', () => {
  it('defaults to a cap of 64', () => {
    expect(DEFAULT_CAP).toBe(64);
  });

  it('gets, sets and deletes by key, leaving its input alone', () => {
    const empty: Lru<number> = Object.freeze([]);
    const { lru: b, evicted } = set(empty, 'a', 1, 3);
    expect(evicted).toEqual([]);
    expect(empty).toEqual([]);
    expect(b).toEqual([['a', 1]]);
    expect(get(b, 'a')).toBe(1);
    expect(has(b, 'a')).toBe(true);
    expect(remove(b, 'a')).toEqual([]);
    expect(remove(b, 'zz')).toBe(b);
    expect(get(b, 'zz')).toBeUndefined();
  });

  it('evicts the least recently used entry and returns it', () => {
    let b: Lru<number> = [];
    b = set(b, 'a', 1, 2).lru;
    b = set(b, 'b', 2, 2).lru;
    const r = set(b, 'c', 3, 2);
    expect(r.evicted).toEqual([['a', 1]]);
    expect(r.lru).toEqual([
      ['b', 2],
      ['c', 3],
    ]);
  });

  it('update and set make an entry the newest; replace keeps its age', () => {
    let b: Lru<number> = [
      ['a', 1],
      ['b', 2],
    ];
    b = update(b, 'a', 10);
    expect(b).toEqual([
      ['b', 2],
      ['a', 10],
    ]);
    expect(update(b, 'zz', 1)).toBe(b);
    expect(set(b, 'c', 3, 2).evicted).toEqual([['b', 2]]);
    expect(replace(b, 'b', 20)).toEqual([
      ['b', 20],
      ['a', 10],
    ]);
    expect(set(b, 'b', 5, 2).lru).toEqual([
      ['a', 10],
      ['b', 5],
    ]);
  });

  it('stays within its cap under a long stream of keys', () => {
    let b: Lru<number> = [];
    let evicted = 0;
    for (let i = 0; i < 100_000; i += 1) {
      const r = set(b, String(i), i, 64);
      b = r.lru;
      evicted += r.evicted.length;
    }
    expect(b).toHaveLength(64);
    expect(evicted).toBe(100_000 - 64);
    expect(b[0]).toEqual([String(100_000 - 64), 100_000 - 64]);
  });

  it('remembers keys once, newest last, within its cap', () => {
    let keys: readonly string[] = [];
    for (const k of ['a', 'b', 'a', 'c']) keys = remember(keys, k, 2);
    expect(keys).toEqual(['b', 'c']);
  });

  it('rejects a cap that is not a positive integer', () => {
    expect(() => checkCap(0)).toThrow(RangeError);
    expect(() => checkCap(1.5)).toThrow(RangeError);
  });
});
