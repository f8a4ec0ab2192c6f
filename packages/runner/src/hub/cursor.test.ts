// The file cursor: round trip, atomic replacement, and a corrupt file refused rather than reset.

import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileCursor, memoryCursor } from './cursor.js';
import { HubClientError } from './errors.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ph-cursor-unit-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('fileCursor', () => {
  it('is undefined until saved, then loads the last saved seq, creating its directory', () => {
    const path = join(dir, 'nested', 'cursor.json');
    expect(fileCursor(path).load()).toBeUndefined();
    fileCursor(path).save(41);
    fileCursor(path).save(42);
    expect(fileCursor(path).load()).toBe(42);
    expect(readdirSync(join(dir, 'nested'))).toEqual(['cursor.json']); // no temporary file left behind
  });

  it('refuses a corrupt file instead of starting over (which would skip events)', () => {
    const path = join(dir, 'cursor.json');
    for (const text of ['', '{"seq":', '{"seq":-1}', '{"seq":"7"}', '7']) {
      writeFileSync(path, text);
      expect(() => fileCursor(path).load()).toThrow(HubClientError);
    }
  });
});

describe('memoryCursor', () => {
  it('keeps the seq in memory', () => {
    const cursor = memoryCursor(3);
    expect(cursor.load()).toBe(3);
    cursor.save(9);
    expect(cursor.saved).toBe(9);
  });
});
