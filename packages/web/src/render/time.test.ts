import { describe, expect, it } from 'vitest';
import { fullTime, relativeTime, rowTime } from './time.js';

// Local times, so the tests mean the same in every time zone.
const at = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0) => new Date(y, mo - 1, d, h, mi, s);
const now = at(2025, 3, 12, 15, 17, 30);
const iso = (d: Date) => d.toISOString();

describe('rowTime', () => {
  it('shows the time today and the date on other days', () => {
    expect(rowTime(iso(at(2025, 3, 12, 9, 5)), now, 'en-GB')).toBe('09:05');
    expect(rowTime(iso(at(2025, 3, 11, 23, 59)), now, 'en-GB')).toBe('11 Mar, 23:59');
    expect(rowTime(iso(at(2024, 12, 31, 8, 0)), now, 'en-GB')).toBe('31 Dec 2024, 08:00');
    expect(rowTime('not a date', now, 'en-GB')).toBe('');
  });
});

describe('fullTime', () => {
  it('has the weekday, date and seconds', () => {
    // ICU versions differ in the punctuation between the parts.
    expect(fullTime(iso(at(2025, 3, 12, 15, 17, 3)), 'en-GB')).toMatch(/^Wednesday,? 12 March 2025,? at 15:17:03$/);
  });
});

describe('relativeTime', () => {
  it('says how long ago, then the date', () => {
    expect(relativeTime(iso(at(2025, 3, 12, 15, 17, 0)), now, 'en-GB')).toBe('just now');
    expect(relativeTime(iso(at(2025, 3, 12, 15, 12, 0)), now, 'en-GB')).toBe('6 min ago');
    expect(relativeTime(iso(at(2025, 3, 12, 12, 0)), now, 'en-GB')).toBe('3 h ago');
    expect(relativeTime(iso(at(2025, 3, 11, 23, 0)), now, 'en-GB')).toBe('yesterday');
    expect(relativeTime(iso(at(2025, 3, 8, 16, 0)), now, 'en-GB')).toBe('4 days ago');
    expect(relativeTime(iso(at(2025, 1, 2, 16, 0)), now, 'en-GB')).toBe('2 Jan');
    expect(relativeTime(iso(at(2023, 1, 2, 16, 0)), now, 'en-GB')).toBe('2 Jan 2023');
  });
});
