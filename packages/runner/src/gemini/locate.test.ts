import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { locateGemini } from './locate.js';

describe('locateGemini', () => {
  it('reads the version of the binary PILOTHOUSE_GEMINI_BIN names', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gemini-bin-'));
    const bin = join(dir, 'gemini');
    writeFileSync(bin, '#!/bin/sh\necho 0.61.0\n', { mode: 0o755 });
    await expect(locateGemini({ env: { PILOTHOUSE_GEMINI_BIN: bin, PATH: '' } })).resolves.toEqual({ path: bin, version: '0.61.0' });
  });

  it('a binary that is not there is gemini_missing, naming the install command', async () => {
    await expect(locateGemini({ env: { PILOTHOUSE_GEMINI_BIN: '/nonexistent/gemini', PATH: '' } })).rejects.toMatchObject({
      code: 'gemini_missing',
      message: expect.stringContaining('npm install -g @google/gemini-cli'),
    });
  });

  it('one older than Pilothouse drives is refused with its version and the update command', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gemini-bin-'));
    const bin = join(dir, 'gemini');
    writeFileSync(bin, '#!/bin/sh\necho 0.9.0\n', { mode: 0o755 });
    await expect(locateGemini({ env: { PILOTHOUSE_GEMINI_BIN: bin, PATH: '' } })).rejects.toMatchObject({
      code: 'gemini_version_unsupported',
      message: `Gemini CLI 0.9.0 at ${bin} is older than 0.61.0, the oldest Pilothouse drives: update it with \`npm install -g @google/gemini-cli\`.`,
    });
  });

  it('without a binary named or on PATH, the pinned dev dependency', async () => {
    await expect(locateGemini({ env: { PATH: '' } })).resolves.toEqual({ path: expect.stringMatching(/@google\/gemini-cli\/bundle\/gemini\.js$/), version: '0.61.0' });
  });
});
