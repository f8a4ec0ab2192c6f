// `pilothouse run` with $PILOTHOUSE_HOME/config.toml, as a child process: a broken file stops it
// with the file, line and fix; the file's hub, token and channel are used when no flag or variable
// gives them, and flags win.

import { spawn } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const CLI = resolve(import.meta.dirname, '../bin/pilothouse.js');
const home = mkdtempSync(join(tmpdir(), 'ph-config-home-'));
const project = realpathSync(mkdtempSync(join(tmpdir(), 'ph-config-project-')));
const config = join(home, 'config.toml');
afterAll(() => {
  rmSync(home, { recursive: true, force: true });
  rmSync(project, { recursive: true, force: true });
});

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  // A clean environment: none of the caller's PILOTHOUSE_* settings leak in.
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? home, PILOTHOUSE_HOME: home };
  return new Promise((res) => {
    const child = spawn(process.execPath, [CLI, 'run', '--cwd', project, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => res({ code: code ?? -1, stdout, stderr }));
  });
}

describe('pilothouse run with config.toml', () => {
  it('a broken file: one line naming the file, the line and the fix; exit 2', async () => {
    writeFileSync(config, 'hub = "http://127.0.0.1:4860"\n[run]\nsandbox = "workspace"\n');
    expect(await run([])).toEqual({
      code: 2,
      stdout: '',
      stderr: `pilothouse: ${config}, line 3: sandbox = "workspace" is not one of read-only, workspace-write, danger-full-access; fix: use one of them, e.g. sandbox = "read-only".\n`,
    });
  });

  it('says where a missing setting can go', async () => {
    writeFileSync(config, 'hub = "http://127.0.0.1:4860"\n');
    const r = await run([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`pilothouse: --token is required: pass --token, set PILOTHOUSE_TOKEN, or put token = "ph_…" in ${config}; create one with: pilothouse token create --user NAME\n`);
  });

  it("takes hub, token and channel from the file (here it gets as far as the folder's trust); a flag wins", async () => {
    writeFileSync(config, 'hub = "http://127.0.0.1:4860"\ntoken = "ph_x"\nchannel = "acme/agents"\n[run]\neffort = "low"\n');
    const fromFile = await run([]);
    expect(fromFile.code).toBe(1);
    expect(fromFile.stderr).toBe(`pilothouse: The folder ${project} is not trusted; trust it first with: pilothouse trust ${project}\n`);
    const flagged = await run(['--channel', 'Bad']);
    expect(flagged.code).toBe(2);
    expect(flagged.stderr).toMatch(/^pilothouse: --channel WS\/CH is required/);
  });
});
