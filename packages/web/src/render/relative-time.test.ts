import { describe, expect, it } from 'vitest';
import { baseName, relativeTime } from './relative-time.js';

describe('relativeTime', () => {
  const now = Date.parse('2026-12-05T12:00:00.000Z');
  it('reads like a list would say it', () => {
    expect(relativeTime('2026-12-05T11:59:58.000Z', now)).toBe('just now');
    expect(relativeTime('2026-12-05T11:59:18.000Z', now)).toBe('42 s ago');
    expect(relativeTime('2026-12-05T11:55:00.000Z', now)).toBe('5 min ago');
    expect(relativeTime('2026-12-05T09:00:00.000Z', now)).toBe('3 h ago');
    expect(relativeTime('2026-12-03T12:00:00.000Z', now)).toBe('2 d ago');
    expect(relativeTime('2026-10-01T12:00:00.000Z', now)).toBe('2026-10-01');
    expect(relativeTime('2026-12-05T12:00:30.000Z', now)).toBe('just now');
    expect(relativeTime('nonsense', now)).toBe('');
  });
});

describe('baseName', () => {
  it('is the folder’s own name', () => {
    expect(baseName('/home/alice/src/shop')).toBe('shop');
    expect(baseName('/home/alice/src/shop/')).toBe('shop');
    expect(baseName('C:\\work\\api')).toBe('api');
    expect(baseName('/')).toBe('/');
  });
});
