import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadScenario } from './scenario.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'scenario-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadScenario', () => {
  it('loads the replies of a valid scenario file', async () => {
    const path = join(dir, 'ok.json');
    await writeFile(
      path,
      JSON.stringify({
        description: 'run a command, then say done',
        replies: [
          { type: 'exec', cmd: 'ls', escalated: 'list files' },
          { type: 'items', items: [{ type: 'reasoning', summary: ['hm'] }, { type: 'message', chunks: ['done'] }] },
        ],
      }),
    );
    expect(await loadScenario(path)).toEqual([
      { type: 'exec', cmd: 'ls', escalated: 'list files' },
      { type: 'items', items: [{ type: 'reasoning', summary: ['hm'] }, { type: 'message', chunks: ['done'] }] },
    ]);
  });

  it('names the file and the offending field when a reply is invalid', async () => {
    const path = join(dir, 'bad.json');
    await writeFile(path, JSON.stringify({ replies: [{ type: 'http_error', status: 200, body: {} }] }));
    await expect(loadScenario(path)).rejects.toThrow(/bad\.json is not a valid scenario:[\s\S]*replies\[0\]\.status/);
  });

  it('reports a file that is not JSON', async () => {
    const path = join(dir, 'broken.json');
    await writeFile(path, '{ replies: ');
    await expect(loadScenario(path)).rejects.toThrow(/broken\.json is not JSON/);
  });
});
