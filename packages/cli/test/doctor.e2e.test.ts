// The real `pilothouse doctor` as a child process against a real hub: its lines and exit code.

import { spawn } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrustStore } from '@pilothouse/runner';
import { startDoctorHub, type DoctorHub } from './doctor-hub.js';

const CLI = resolve(import.meta.dirname, '../bin/pilothouse.js');
const home = mkdtempSync(join(tmpdir(), 'ph-doctor-home-'));
const project = realpathSync(mkdtempSync(join(tmpdir(), 'ph-doctor-project-')));
let hub: DoctorHub;
beforeAll(async () => {
  hub = await startDoctorHub();
  new TrustStore(home).add(project);
});
afterAll(async () => {
  await hub.close();
  rmSync(home, { recursive: true, force: true });
  rmSync(project, { recursive: true, force: true });
});

function doctor(args: string[], pilothouseHome = home, extra: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  // A clean environment: none of the caller's PILOTHOUSE_*, CODEX_* or agent keys leak in, nor their sign-ins (HOME).
  const env = { PATH: process.env.PATH ?? '', HOME: home, PILOTHOUSE_HOME: pilothouseHome, ...extra };
  return new Promise((res) => {
    const child = spawn(process.execPath, [CLI, 'doctor', ...args], { cwd: project, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => res({ code: code ?? -1, stdout, stderr }));
  });
}

describe('pilothouse doctor', () => {
  it('all checks pass against a real hub with a good token: exit 0, one line per check', async () => {
    const r = await doctor(['--hub', hub.url, '--token', hub.token]);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.map((l) => l.slice(0, l.indexOf(':')))).toEqual(
      process.platform === 'linux' || process.platform === 'darwin'
        ? ['ok   node', 'skip config', 'ok   codex', 'ok   sandbox', 'skip claude', 'skip gemini', 'ok   hub', 'ok   token', 'ok   trust']
        : ['ok   node', 'skip config', 'ok   codex', 'skip sandbox', 'skip claude', 'skip gemini', 'ok   hub', 'ok   token', 'ok   trust'],
    );
    // The agents run does not use are told about, not failed: found, but no key or sign-in here.
    expect(lines[5]).toMatch(/^skip gemini: \d+\.\d+\.\d+\S* at \S+, but no key or sign-in was found; to use it: set GEMINI_API_KEY/);
    expect(lines[7]).toBe('ok   token: accepted as alice (member of 0 channels)');
    expect(lines[8]).toBe(`ok   trust: ${project} is trusted (1 trusted folder)`);
    expect(r.code).toBe(0);
  });

  it('a refused token: its line names the fix and the exit code is 1; --json prints one object per check', async () => {
    const r = await doctor(['--hub', hub.url, '--token', 'ph_wrong']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`fail token: ${hub.url} refused the token — fix: create a new one on the hub with \`pilothouse token create --user NAME\``);
    const json = await doctor(['--hub', hub.url, '--token', 'ph_wrong', '--json']);
    expect(json.code).toBe(1);
    const objects = json.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { status: string; name: string; fix?: string });
    expect(objects.map((o) => o.name)).toEqual(['node', 'config', 'codex', 'sandbox', 'claude', 'gemini', 'hub', 'token', 'trust']);
    expect(objects[7]).toMatchObject({ status: 'fail', name: 'token', fix: expect.stringMatching(/pilothouse token create/) });
  });

  it('checks the agent run uses: Gemini CLI with its key passes; chosen in config.toml without a key, it fails with the fix', async () => {
    const withKey = await doctor(['--hub', hub.url, '--token', hub.token], home, { GEMINI_API_KEY: 'test-key' });
    expect(withKey.stdout).toMatch(/\nok {3}gemini: \d+\.\d+\.\d+\S* at \S+, GEMINI_API_KEY is set\n/);
    const configured = mkdtempSync(join(tmpdir(), 'ph-doctor-agent-'));
    try {
      new TrustStore(configured).add(project);
      writeFileSync(join(configured, 'config.toml'), '[run]\nagent = "gemini"\n');
      const r = await doctor(['--hub', hub.url, '--token', hub.token], configured);
      expect(r.stdout).toMatch(/\nfail gemini: .* but no key or sign-in was found — fix: set GEMINI_API_KEY/);
      expect(r.code).toBe(1);
    } finally {
      rmSync(configured, { recursive: true, force: true });
    }
  });

  it('reads the hub and token from config.toml; a broken file fails its line with the fix', async () => {
    const configured = mkdtempSync(join(tmpdir(), 'ph-doctor-config-'));
    try {
      new TrustStore(configured).add(project);
      writeFileSync(join(configured, 'config.toml'), `hub = "${hub.url}"\ntoken = "${hub.token}"\n`);
      const good = await doctor([], configured);
      expect(good.stdout).toContain(`ok   config: ${join(configured, 'config.toml')} (hub, token)\n`);
      expect(good.stdout).toContain('ok   token: accepted as alice');
      expect(good.code).toBe(0);
      writeFileSync(join(configured, 'config.toml'), `hub = ${hub.url}\n`);
      const broken = await doctor([], configured);
      expect(broken.stdout).toContain(`fail config: ${join(configured, 'config.toml')}, line 1: ${hub.url} is not a value this file understands — fix: quote text: "${hub.url}"\n`);
      expect(broken.code).toBe(1);
    } finally {
      rmSync(configured, { recursive: true, force: true });
    }
  });

  it('without a hub the hub checks are skipped, not failed', async () => {
    const r = await doctor([]);
    expect(r.stdout).toMatch(/^skip hub: no hub given/m);
    expect(r.stdout).toMatch(/^skip token: no hub given/m);
    expect(r.code).toBe(0);
  });
});
