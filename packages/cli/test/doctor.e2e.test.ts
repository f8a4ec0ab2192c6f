// The real `pilothouse doctor` as a child process against a real hub: its lines and exit code.

import { spawn } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrustStore } from '@pilothouse/runner';
import { startScriptedModel, type ScriptedModel } from '@pilothouse/scripted-model';
import { demoCodexConfig, KEY_VARIABLE } from '../src/demo/codex-home.js';
import { closedUrl, startDoctorHub, type DoctorHub } from './doctor-hub.js';

const CLI = resolve(import.meta.dirname, '../bin/pilothouse.js');
const home = mkdtempSync(join(tmpdir(), 'ph-doctor-home-'));
const project = realpathSync(mkdtempSync(join(tmpdir(), 'ph-doctor-project-')));
// Codex's own home: its provider is a scripted model on this machine (no account, no network).
const codexHome = mkdtempSync(join(tmpdir(), 'ph-doctor-codex-'));
let hub: DoctorHub;
let model: ScriptedModel;
beforeAll(async () => {
  hub = await startDoctorHub();
  model = await startScriptedModel();
  writeFileSync(join(codexHome, 'config.toml'), demoCodexConfig(model.url));
  new TrustStore(home).add(project);
});
afterAll(async () => {
  await hub.close();
  await model.close();
  rmSync(codexHome, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
  rmSync(project, { recursive: true, force: true });
});

/** `extra` adds variables; one set to undefined is left out. */
function doctor(args: string[], pilothouseHome = home, extra: Record<string, string | undefined> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  // A clean environment: none of the caller's PILOTHOUSE_*, CODEX_* or agent keys leak in, nor their sign-ins (HOME).
  const all = { PATH: process.env.PATH ?? '', HOME: home, PILOTHOUSE_HOME: pilothouseHome, CODEX_HOME: codexHome, [KEY_VARIABLE]: 'not-a-real-key', ...extra };
  const env = Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined));
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
        ? ['ok   node', 'skip config', 'ok   codex', 'ok   sandbox', 'skip claude', 'skip gemini', 'ok   sign-in', 'ok   model', 'ok   hub', 'ok   token', 'ok   trust']
        : ['ok   node', 'skip config', 'ok   codex', 'skip sandbox', 'skip claude', 'skip gemini', 'ok   sign-in', 'ok   model', 'ok   hub', 'ok   token', 'ok   trust'],
    );
    // The agents run does not use are told about, not failed: found, but no key or sign-in here.
    expect(lines[5]).toMatch(/^skip gemini: \d+\.\d+\.\d+\S* at \S+, but no key or sign-in was found; to use it: set GEMINI_API_KEY/);
    // Codex's provider (from CODEX_HOME/config.toml) has its key, and answers.
    expect(lines[6]).toBe(`ok   sign-in: Codex (provider pilothouse_demo): ${KEY_VARIABLE} is set`);
    expect(lines[7]).toMatch(new RegExp(`^ok {3}model: model provider at ${model.url} answers \\(HTTP \\d{3}\\)$`));
    expect(lines[9]).toBe('ok   token: accepted as alice (member of 0 channels)');
    expect(lines[10]).toBe(`ok   trust: ${project} is trusted (1 trusted folder)`);
    expect(r.code).toBe(0);
  });

  it('a refused token: its line names the fix and the exit code is 1; --json prints one object per check', async () => {
    const r = await doctor(['--hub', hub.url, '--token', 'ph_wrong']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`fail token: ${hub.url} refused the token — fix: create a new one on the hub with \`pilothouse token create --user NAME\``);
    const json = await doctor(['--hub', hub.url, '--token', 'ph_wrong', '--json']);
    expect(json.code).toBe(1);
    const objects = json.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { status: string; name: string; fix?: string });
    expect(objects.map((o) => o.name)).toEqual(['node', 'config', 'codex', 'sandbox', 'claude', 'gemini', 'sign-in', 'model', 'hub', 'token', 'trust']);
    expect(objects[9]).toMatchObject({ status: 'fail', name: 'token', fix: expect.stringMatching(/pilothouse token create/) });
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

  it('Codex\'s model provider on a closed port, its key unset, no sign-in for OpenAI: each fails its line with the fix', async () => {
    const closed = mkdtempSync(join(tmpdir(), 'ph-doctor-codex-closed-'));
    try {
      const url = `${await closedUrl()}/v1`;
      writeFileSync(join(closed, 'config.toml'), demoCodexConfig(url));
      const down = await doctor(['--hub', hub.url, '--token', hub.token], home, { CODEX_HOME: closed });
      expect(down.stdout).toContain(
        `\nfail model: model provider at ${url} does not answer (ECONNREFUSED) — fix: start the model server at ${url}, or correct base_url of [model_providers.pilothouse_demo] in ${join(closed, 'config.toml')}\n`,
      );
      expect(down.stdout).toContain('\nok   sign-in: ');
      expect(down.code).toBe(1);
      // The provider's key variable unset.
      const keyless = await doctor([], home, { [KEY_VARIABLE]: undefined });
      expect(keyless.stdout).toContain(`\nfail sign-in: Codex (provider pilothouse_demo) takes its key from ${KEY_VARIABLE}, which is not set — fix: set ${KEY_VARIABLE} (env_key of [model_providers.pilothouse_demo] in ${join(codexHome, 'config.toml')})\n`);
      expect(keyless.code).toBe(1);
      // The built-in openai provider (its URL pointed here by openai_base_url): no auth.json, no OPENAI_API_KEY.
      writeFileSync(join(closed, 'config.toml'), `openai_base_url = "${model.url}"\n`);
      const unsigned = await doctor([], home, { CODEX_HOME: closed });
      expect(unsigned.stdout).toMatch(new RegExp(`\\nfail sign-in: Codex \\(provider openai, from ${join(closed, 'config.toml')}\\) needs an OpenAI sign-in: no ${join(closed, 'auth.json')} and no OPENAI_API_KEY — fix: sign in once with \`codex login\``));
      expect(unsigned.stdout).toContain(`\nok   model: model provider at ${model.url} answers`);
      writeFileSync(join(closed, 'auth.json'), '{}');
      const signed = await doctor([], home, { CODEX_HOME: closed });
      expect(signed.stdout).toContain(`\nok   sign-in: Codex (provider openai): signed in (${join(closed, 'auth.json')})\n`);
      expect(signed.code).toBe(0);
    } finally {
      rmSync(closed, { recursive: true, force: true });
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
