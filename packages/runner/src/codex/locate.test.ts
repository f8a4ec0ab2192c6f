import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locateCodex, PINNED_CODEX_VERSION } from './locate.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'locate-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fakeCodex(name: string, script: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `#!/bin/sh\n${script}\n`);
  await chmod(path, 0o755);
  return path;
}

describe('locateCodex', () => {
  it('finds the installed native binary and checks its version', async () => {
    const binary = await locateCodex({ env: {} });
    expect(binary.version).toBe(PINNED_CODEX_VERSION);
    expect(binary.path).toMatch(/@openai\/codex-[a-z0-9-]+\/vendor\/.+\/bin\/codex(\.exe)?$/);
  });

  it('pins the same version as the runner package.json', async () => {
    const manifest = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8'));
    expect(manifest.dependencies['@openai/codex']).toBe(PINNED_CODEX_VERSION);
  });

  it('honours PILOTHOUSE_CODEX_BIN and reports a missing binary as codex_missing', async () => {
    const path = join(dir, 'absent');
    await expect(locateCodex({ env: { PILOTHOUSE_CODEX_BIN: path } })).rejects.toMatchObject({
      code: 'codex_missing',
      message: `codex not found at ${path}: run \`npm install\` in the Pilothouse checkout (it pins @openai/codex@${PINNED_CODEX_VERSION}), or set PILOTHOUSE_CODEX_BIN to a codex ${PINNED_CODEX_VERSION} binary`,
    });
  });

  it('refuses another version as codex_version_mismatch', async () => {
    const path = await fakeCodex('old-codex', 'echo "codex-cli 0.1.0"');
    await expect(locateCodex({ bin: path })).rejects.toMatchObject({
      code: 'codex_version_mismatch',
      message: expect.stringMatching(new RegExp(`^codex at .*old-codex is 0\\.1\\.0, Pilothouse needs ${PINNED_CODEX_VERSION.replaceAll('.', '\\.')}: run \`npm install\``)),
    });
  });

  it('treats a binary that cannot report its version as missing', async () => {
    const path = await fakeCodex('broken-codex', 'exit 3');
    await expect(locateCodex({ bin: path })).rejects.toMatchObject({ code: 'codex_missing', message: expect.stringContaining('failed to report its version') });
  });
});
