import { describe, expect, it } from 'vitest';
import { prunedOf, prunedText } from './pruned.js';

describe('pruned rows', () => {
  it('reads the marker beside the rest of the meta, and nothing from a row that was not pruned', () => {
    expect(prunedOf({ command: 'npm test', exit_code: 0, pruned: { at: '2026-03-03T00:00:00.000Z', after_days: 30, length: 2048 } })).toEqual({
      afterDays: 30,
      at: '2026-03-03T00:00:00.000Z',
      length: 2048,
    });
    expect(prunedOf({ command: 'npm test' })).toBeNull();
    expect(prunedOf(null)).toBeNull();
    // A marker that is not the protocol's is not believed: the row is shown as it is.
    expect(prunedOf({ pruned: true })).toBeNull();
    expect(prunedOf({ pruned: { at: '2026-03-03T00:00:00.000Z', after_days: 0, length: 1 } })).toBeNull();
  });

  it('names what was emptied, after how long, and how big it was', () => {
    const at = '2026-03-03T00:00:00.000Z';
    expect(prunedText('command', { afterDays: 30, at, length: 2048 })).toBe('Output pruned after 30 days (2.0 K characters)');
    expect(prunedText('file_change', { afterDays: 1, at, length: 48 })).toBe('Diff pruned after 1 day (48 characters)');
    expect(prunedText('reasoning', { afterDays: 90, at, length: 0 })).toBe('Reasoning pruned after 90 days');
    expect(prunedText('web_search', { afterDays: 7, at, length: 12 })).toBe('Queries pruned after 7 days (12 characters)');
  });
});
