// The committed bindings must equal what the pinned binary generates (CONVENTIONS §12).
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const runnerDir = fileURLToPath(new URL('..', import.meta.url));
const committed = join(runnerDir, 'src/codex/generated');
let scratch: string | undefined;
afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

async function snapshot(root: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(relative(root, path), await readFile(path, 'utf8'));
  }
  return files;
}

describe('generated Codex bindings', () => {
  it('match a fresh `npm run codex:generate` (run it after bumping @openai/codex)', async () => {
    scratch = await mkdtemp(join(tmpdir(), 'codex-generated-'));
    const out = join(scratch, 'generated');
    await promisify(execFile)('bash', [join(runnerDir, 'scripts/generate-codex-types.sh'), out]);
    const [fresh, current] = await Promise.all([snapshot(out), snapshot(committed)]);

    const missing = [...fresh.keys()].filter((f) => !current.has(f));
    const extra = [...current.keys()].filter((f) => !fresh.has(f));
    const changed = [...fresh.keys()].filter((f) => current.has(f) && current.get(f) !== fresh.get(f));
    expect({ missing, extra, changed }).toEqual({ missing: [], extra: [], changed: [] });
    expect(fresh.size).toBeGreaterThan(500);
  });
});
