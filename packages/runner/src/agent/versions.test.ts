import { describe, expect, it } from 'vitest';
import { olderThan } from './versions.js';

describe('agent versions', () => {
  it('compares major, minor and patch as numbers; a pre-release suffix is the same release', () => {
    expect(olderThan('1.9.99', '2.0.0')).toBe(true);
    expect(olderThan('2.0.0', '2.0.0')).toBe(false);
    expect(olderThan('2.1.332', '2.0.0')).toBe(false);
    expect(olderThan('0.9.0', '0.61.0')).toBe(true);
    expect(olderThan('0.61.0-nightly.3', '0.61.0')).toBe(false);
    expect(olderThan('0.100.0', '0.61.0')).toBe(false);
  });
  it('a version it cannot read is older (refused with the version shown)', () => {
    expect(olderThan('unknown', '0.1.0')).toBe(true);
  });
});
