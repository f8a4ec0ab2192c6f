// The demo repository and the demo cue script must stay in step: the commands the script runs and
// the patch it applies fit the files, the README names every cue, and the files work.

import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SCRIPT_PATH, loadCueScript, type CueScript, type Reply } from '@pilothouse/scripted-model';
import { DEMO_FILES, DEMO_README, createDemoRepo } from './repo.js';

let script: CueScript;
let dir: string;
beforeAll(async () => {
  script = await loadCueScript(DEMO_SCRIPT_PATH);
  dir = mkdtempSync(join(tmpdir(), 'ph-demo-repo-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const replies = (): Reply[] => script.cues.flatMap((c) => c.replies);
const commands = (): string[] =>
  replies().flatMap((r) => (r.type === 'exec' ? [r.cmd] : r.type === 'items' ? r.items.flatMap((i) => (i.type === 'exec' ? [i.cmd] : [])) : []));
const patch = (): string => replies().flatMap((r) => (r.type === 'apply_patch' ? [r.patch] : []))[0]!;

/** Applies a one-file `*** Update File` patch with one hunk (enough for the demo's). */
function applyUpdate(text: string, patchText: string): { file: string; text: string } {
  const lines = patchText.split('\n');
  const file = /^\*\*\* Update File: (.+)$/.exec(lines.find((l) => l.startsWith('*** Update File: ')) ?? '')?.[1];
  const hunk = lines.slice(lines.indexOf('@@') + 1, lines.indexOf('*** End Patch'));
  const before = hunk.filter((l) => !l.startsWith('+')).map((l) => l.slice(1)).join('\n');
  const after = hunk.filter((l) => !l.startsWith('-')).map((l) => l.slice(1)).join('\n');
  if (!file || !text.includes(before)) throw new Error(`the patch does not fit ${file}:\n${before}`);
  return { file, text: text.replace(before, after) };
}

describe('the demo repository', () => {
  it('is committed to git, so the agent sees a clean tree', async () => {
    expect(await createDemoRepo(dir)).toEqual({ git: true });
    expect(execFileSync('git', ['status', '--porcelain'], { cwd: dir, encoding: 'utf8' })).toBe('');
    expect(execFileSync('git', ['log', '--format=%s'], { cwd: dir, encoding: 'utf8' })).toBe('Demo project\n');
    for (const [name, text] of Object.entries(DEMO_FILES)) expect(readFileSync(join(dir, name), 'utf8')).toBe(text);
  });

  it("fits the cue script: its commands run the repository's files, its patch applies to greet.js", () => {
    expect(commands()).toEqual(['node test.js', 'node server.js']);
    for (const cmd of commands()) expect(Object.keys(DEMO_FILES)).toContain(cmd.split(' ')[1]);
    const { file, text } = applyUpdate(DEMO_FILES['greet.js']!, patch());
    expect(file).toBe('greet.js');
    expect(text).toContain('return `Hello, ${name}!`;');
  });

  it('names every cue in the README, as the script matches it', () => {
    for (const cue of script.cues) expect(DEMO_README).toContain(`| \`${cue.match[0]}\` |`);
  });

  it('test.js passes with coloured output, before and after the fix', () => {
    const before = execFileSync(process.execPath, ['test.js'], { cwd: dir, encoding: 'utf8' });
    expect(before).toContain('\x1b[32m✓\x1b[0m greets by name');
    expect(before).toContain('\x1b[1m\x1b[32m3 passing\x1b[0m\x1b[0m');
    const fixed = applyUpdate(DEMO_FILES['greet.js']!, patch());
    writeFileSync(join(dir, fixed.file), fixed.text);
    expect(execFileSync(process.execPath, ['test.js'], { cwd: dir, encoding: 'utf8' })).toContain('3 passing');
  });

  it('server.js listens on a free port and serves the greeting', async () => {
    const server = spawn(process.execPath, ['server.js'], { cwd: dir, env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const [line] = (await once(server.stdout.setEncoding('utf8'), 'data')) as [string];
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(line)?.[1];
      expect(url).toBeDefined();
      const res = await fetch(`${url}/hello`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('<h1>Hello, from the demo dev server!</h1>');
    } finally {
      server.kill();
    }
  });
});
