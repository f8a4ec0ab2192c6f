import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { locateClaude, onPath } from './locate.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A folder holding an executable `claude` script that prints `version`. */
function fakeClaude(printed: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ph-claude-bin-'));
  dirs.push(dir);
  const bin = join(dir, 'claude');
  writeFileSync(bin, `#!/bin/sh\necho '${printed}'\n`);
  chmodSync(bin, 0o755);
  return dir;
}

describe('locateClaude', () => {
  it("prefers PILOTHOUSE_CLAUDE_BIN, then the user's claude on PATH", async () => {
    const own = fakeClaude('2.0.1 (Claude Code)');
    const pinned = fakeClaude('9.9.9 (Claude Code)');
    expect(await locateClaude({ env: { PATH: own } })).toEqual({ path: join(own, 'claude'), version: '2.0.1' });
    expect(await locateClaude({ env: { PATH: own, PILOTHOUSE_CLAUDE_BIN: join(pinned, 'claude') } })).toEqual({ path: join(pinned, 'claude'), version: '9.9.9' });
    expect(onPath('claude', `/nonexistent:${own}`)).toBe(join(own, 'claude'));
  });

  it('refuses one older than Pilothouse drives, with its version and the update command', async () => {
    const old = fakeClaude('1.0.44 (Claude Code)');
    await expect(locateClaude({ env: { PATH: old } })).rejects.toMatchObject({
      code: 'claude_version_unsupported',
      message: `Claude Code 1.0.44 at ${join(old, 'claude')} is older than 2.0.0, the oldest Pilothouse drives: update it with \`npm install -g @anthropic-ai/claude-code\`.`,
    });
  });

  it('falls back to the pinned dev dependency', async () => {
    expect(await locateClaude({ env: { PATH: '/nonexistent' } })).toMatchObject({ version: '2.1.332' });
  });

  it('names the fix when the binary is missing or is not Claude Code', async () => {
    const fix = expect.stringContaining('npm install -g @anthropic-ai/claude-code');
    await expect(locateClaude({ env: { PILOTHOUSE_CLAUDE_BIN: '/nonexistent/claude' } })).rejects.toMatchObject({ code: 'claude_missing', message: fix });
    const other = fakeClaude('something else 1.0');
    await expect(locateClaude({ env: { PILOTHOUSE_CLAUDE_BIN: join(other, 'claude') } })).rejects.toMatchObject({ code: 'claude_missing', message: fix });
  });
});
