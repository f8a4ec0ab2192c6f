import { describe, expect, it } from 'vitest';
import { Bounded, DEFAULT_CAP } from './bounded.js';

describe('Bounded', () => {
  it('defaults to a cap of 64', () => {
    expect(new Bounded<string, number>().cap).toBe(DEFAULT_CAP);
    expect(DEFAULT_CAP).toBe(64);
  });

  it('gets, sets and deletes by key', () => {
    const b = new Bounded<string, number>(3);
    expect(b.set('a', 1)).toEqual([]);
    expect(b.get('a')).toBe(1);
    expect(b.has('a')).toBe(true);
    expect(b.delete('a')).toBe(1);
    expect(b.delete('a')).toBeUndefined();
    expect(b.size).toBe(0);
  });

  it('evicts the least recently used entry and returns it', () => {
    const b = new Bounded<string, number>(2);
    b.set('a', 1);
    b.set('b', 2);
    expect(b.set('c', 3)).toEqual([['a', 1]]);
    expect([...b.keys()]).toEqual(['b', 'c']);
  });

  it('touch and replace make an entry the newest', () => {
    const b = new Bounded<string, number>(2);
    b.set('a', 1);
    b.set('b', 2);
    expect(b.touch('a')).toBe(true);
    expect(b.touch('zz')).toBe(false);
    expect(b.set('c', 3)).toEqual([['b', 2]]);
    b.set('a', 10);
    expect([...b.entries()]).toEqual([
      ['c', 3],
      ['a', 10],
    ]);
    expect(b.oldest()).toEqual(['c', 3]);
  });

  it('stays within its cap under a long stream of keys', () => {
    const b = new Bounded<number, number>(64);
    let evicted = 0;
    for (let i = 0; i < 100_000; i += 1) evicted += b.set(i, i).length;
    expect(b.size).toBe(64);
    expect(evicted).toBe(100_000 - 64);
    expect(b.oldest()).toEqual([100_000 - 64, 100_000 - 64]);
  });

  it('rejects a cap that is not a positive integer', () => {
    expect(() => new Bounded(0)).toThrow(RangeError);
    expect(() => new Bounded(1.5)).toThrow(RangeError);
  });
});
