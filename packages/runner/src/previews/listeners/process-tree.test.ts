import { describe, expect, it } from 'vitest';
import { descendants, forest } from './process-tree.js';

describe('process forest (descendants, forest)', () => {
  it('walks the tree below a root with depths, ignoring other branches', () => {
    const table = new Map([
      [1, 0],
      [10, 1],
      [11, 10],
      [12, 11],
      [20, 1],
    ]);
    expect(descendants(10, table)).toEqual(
      new Map([
        [10, 0],
        [11, 1],
        [12, 2],
      ]),
    );
  });

  it('adds processes that left the tree (adopted) at depth 1, with their own children below them', () => {
    const table = new Map([
      [1, 0],
      [10, 1], // codex
      [11, 10],
      [30, 1], // a setsid dev server, now init's child
      [31, 30], // its worker, marked too
      [32, 31],
      [40, 1], // unrelated
    ]);
    expect(forest([10], [30, 31], table)).toEqual(
      new Map([
        [10, 0],
        [11, 1],
        [30, 1],
        [31, 2],
        [32, 3],
      ]),
    );
    // An adopted pid already below the root stays where it is.
    expect(forest([10], [11], table).get(11)).toBe(1);
  });
});
