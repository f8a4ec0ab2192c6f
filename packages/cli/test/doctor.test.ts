// Each doctor check, passing and failing, against real things where cheap: the real Codex binary,
// fake codex scripts, a real hub on port 0, a closed port, a real trust file.

import { chmodSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentError, PINNED_CODEX_VERSION, TrustStore, locateCodex, type CodexBinary } from '@pilothouse/runner';
import { checkAgent, credentialOf } from '../src/doctor/agents.js';
import { checkCodex } from '../src/doctor/codex.js';
import { checkConfig } from '../src/doctor/config.js';
import { realExec } from '../src/doctor/exec.js';
import { checkHub, checkToken } from '../src/doctor/hub.js';
import { checkNode } from '../src/doctor/node.js';
import { allPassed, formatLine, fail, ok, skip } from '../src/doctor/result.js';
import { checkSandbox } from '../src/doctor/sandbox.js';
import { checkTrust } from '../src/doctor/trust.js';
import { runDoctor } from '../src/doctor/index.js';
import { checkModel, checkSignIn } from '../src/doctor/model.js';
import { closedUrl, startDoctorHub, type DoctorHub } from './doctor-hub.js';

const scratch = realpathSync(mkdtempSync(join(tmpdir(), 'ph-doctor-')));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A fake codex: prints `codex-cli VERSION` for --version, exits CODE for anything else. */
function fakeCodex(name: string, version: string, code = 0, stderr = ''): string {
  const path = join(scratch, name);
  writeFileSync(path, `#!/bin/sh\nif [ "$1" = "--version" ]; then echo "codex-cli ${version}"; exit 0; fi\necho "${stderr}" >&2\nexit ${code}\n`);
  chmodSync(path, 0o755);
  return path;
}

/** A Codex home whose provider is its own, its key (MINE_KEY) unset, its base_url on a closed port. */
async function closedCodexHome(name: string): Promise<string> {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.toml'), `model_provider = "mine"\n[model_providers.mine]\nbase_url = "${await closedUrl()}/v1"\nenv_key = "MINE_KEY"\n`);
  return dir;
}

let realCodex: CodexBinary;
beforeAll(async () => {
  realCodex = await locateCodex({ env: {} });
});

describe('output', () => {
  it('prints one aligned line per result, with the fix for failures', () => {
    expect(formatLine(ok('node', 'v20.9.0'))).toBe('ok   node: v20.9.0');
    expect(formatLine(skip('hub', 'no hub given'))).toBe('skip hub: no hub given');
    expect(formatLine(fail('token', 'refused', 'make one'))).toBe('fail token: refused — fix: make one');
    expect(allPassed([ok('a', ''), skip('b', '')])).toBe(true);
    expect(allPassed([ok('a', ''), fail('b', '', '')])).toBe(false);
  });
});

describe('node', () => {
  it('passes on 20.19 and newer in the 20 line, and on 22 and newer (and on this Node)', () => {
    expect(checkNode('20.19.0')).toMatchObject({ status: 'ok', name: 'node' });
    expect(checkNode('v22.1.0')).toMatchObject({ status: 'ok' });
    expect(checkNode('24.22.3')).toMatchObject({ status: 'ok' });
    expect(checkNode()).toMatchObject({ status: 'ok', detail: `v${process.versions.node} (needs ^20.19.0 || >=22)` });
  });
  it('fails before 20.19 and on 21, naming the fix', () => {
    expect(checkNode('20.18.3')).toMatchObject({ status: 'fail', detail: 'Node v20.18.3 is not supported (needs ^20.19.0 || >=22)', fix: expect.stringMatching(/install Node 22 or 24/) });
    expect(checkNode('21.7.3')).toMatchObject({ status: 'fail' });
    expect(checkNode('18.19.0')).toMatchObject({ status: 'fail' });
    expect(checkNode('banana')).toMatchObject({ status: 'fail', detail: 'cannot read the Node version "banana"' });
  });
});

describe('codex', () => {
  it('passes with the pinned binary, and with PILOTHOUSE_CODEX_BIN pointing at the pinned version', async () => {
    const pinned = await checkCodex({ env: {} });
    expect(pinned.result).toEqual(ok('codex', `${PINNED_CODEX_VERSION} at ${realCodex.path}`));
    const fake = fakeCodex('codex-right', PINNED_CODEX_VERSION);
    const viaEnv = await checkCodex({ env: { PILOTHOUSE_CODEX_BIN: fake } });
    expect(viaEnv.result).toEqual(ok('codex', `${PINNED_CODEX_VERSION} at ${fake} (PILOTHOUSE_CODEX_BIN)`));
    expect(viaEnv.binary).toEqual({ path: fake, version: PINNED_CODEX_VERSION });
  });
  it('fails on a wrong version', async () => {
    const fake = fakeCodex('codex-old', '0.1.0');
    const r = await checkCodex({ env: { PILOTHOUSE_CODEX_BIN: fake } });
    expect(r.binary).toBeNull();
    expect(r.result).toEqual(fail('codex', `codex at ${fake} is 0.1.0, Pilothouse needs ${PINNED_CODEX_VERSION}`, `point PILOTHOUSE_CODEX_BIN at a codex ${PINNED_CODEX_VERSION} binary, or unset it to use the pinned one`));
  });
  it('fails on a missing binary', async () => {
    const missing = join(scratch, 'no-such-codex');
    const r = await checkCodex({ env: { PILOTHOUSE_CODEX_BIN: missing } });
    expect(r.result).toMatchObject({ status: 'fail', detail: `codex not found at ${missing}` });
  });
  it('uses the npm fix when no override is set', async () => {
    const r = await checkCodex({ env: {}, locate: () => Promise.reject(new Error('boom')) });
    expect(r.result).toMatchObject({ status: 'fail', detail: 'boom', fix: expect.stringMatching(/^run `npm install`/) });
  });
});

describe('sandbox', () => {
  it.runIf(process.platform === 'linux')('passes on Linux when the real Codex creates a sandbox', async () => {
    expect(await checkSandbox({ platform: 'linux', codex: realCodex, env: process.env, exec: realExec })).toMatchObject({ status: 'ok', name: 'sandbox' });
  });
  it('fails on Linux when `codex sandbox -- true` fails, with the last stderr line and a fix', async () => {
    const broken = fakeCodex('codex-nosandbox', PINNED_CODEX_VERSION, 1, 'bwrap: No permissions to create new namespace');
    const r = await checkSandbox({ platform: 'linux', codex: { path: broken, version: PINNED_CODEX_VERSION }, env: process.env, exec: realExec });
    expect(r).toMatchObject({ status: 'fail', detail: '`codex sandbox -- true` failed: exit 1: bwrap: No permissions to create new namespace', fix: expect.stringMatching(/user namespaces/) });
  });
  it('falls back to bwrap on PATH without a working codex, and skips when there is none', async () => {
    const calls: string[] = [];
    const passing = await checkSandbox({ platform: 'linux', codex: null, env: {}, exec: async (file) => (calls.push(file), { code: 0, stdout: '', stderr: '' }) });
    expect(calls).toEqual(['bwrap']);
    expect(passing).toMatchObject({ status: 'ok' });
    const none = await checkSandbox({ platform: 'linux', codex: null, env: { PATH: join(scratch, 'empty') }, exec: realExec });
    expect(none).toMatchObject({ status: 'skip', name: 'sandbox' });
  });
  it('macOS: passes when sandbox-exec exists, fails when it does not', async () => {
    const base = { platform: 'darwin' as const, codex: realCodex, env: {}, exec: realExec };
    expect(await checkSandbox({ ...base, exists: (p) => p === '/usr/bin/sandbox-exec' })).toMatchObject({ status: 'ok' });
    expect(await checkSandbox({ ...base, exists: () => false })).toMatchObject({ status: 'fail', fix: expect.stringMatching(/sandbox-exec/) });
  });
});

describe('hub and token', () => {
  let hub: DoctorHub;
  beforeAll(async () => {
    hub = await startDoctorHub();
  });
  afterAll(() => hub.close());

  it('hub: passes against a real hub, fails on a closed port and a bad URL, skips without one', async () => {
    expect((await checkHub({ hub: hub.url, fetch })).result).toEqual(ok('hub', `${hub.url} is up`));
    const closed = await closedUrl();
    const down = await checkHub({ hub: closed, fetch });
    expect(down.reachable).toBe(false);
    expect(down.result).toMatchObject({ status: 'fail', detail: `cannot reach ${closed} (ECONNREFUSED)`, fix: expect.stringMatching(/pilothouse hub/) });
    expect((await checkHub({ hub: 'not a url', fetch })).result).toMatchObject({ status: 'fail', detail: '"not a url" is not an http(s) URL' });
    expect((await checkHub({ hub: undefined, fetch })).result).toMatchObject({ status: 'skip' });
  });
  it('token: accepted by a real hub', async () => {
    expect(await checkToken({ hub: hub.url, token: hub.token, fetch, reachable: true })).toEqual(ok('token', 'accepted as alice (member of 0 channels)'));
  });
  it('token: refused (401), missing, or not checkable', async () => {
    expect(await checkToken({ hub: hub.url, token: 'ph_bogus', fetch, reachable: true })).toMatchObject({
      status: 'fail',
      detail: `${hub.url} refused the token`,
      fix: expect.stringMatching(/pilothouse token create/),
    });
    expect(await checkToken({ hub: hub.url, token: undefined, fetch, reachable: true })).toMatchObject({ status: 'fail', detail: 'no token given' });
    expect(await checkToken({ hub: hub.url, token: hub.memberToken, fetch, reachable: true })).toMatchObject({
      status: 'fail',
      detail: 'accepted as alice, but scoped member: `pilothouse run` needs a runner token',
      fix: 'create one on the hub with `pilothouse token create --user alice --scope runner`',
    });
    expect(await checkToken({ hub: hub.url, token: hub.token, fetch, reachable: false })).toMatchObject({ status: 'skip' });
    expect(await checkToken({ hub: undefined, token: hub.token, fetch, reachable: false })).toMatchObject({ status: 'skip' });
  });
});

describe('trust', () => {
  it('passes in a trusted folder and below it', () => {
    const home = join(scratch, 'home-ok');
    const project = join(scratch, 'project');
    mkdirSync(join(project, 'src'), { recursive: true });
    new TrustStore(home).add(project);
    expect(checkTrust({ home, cwd: project })).toEqual(ok('trust', `${project} is trusted (1 trusted folder)`));
    expect(checkTrust({ home, cwd: join(project, 'src') })).toEqual(ok('trust', `${join(project, 'src')} is inside trusted ${project} (1 trusted folder)`));
  });
  it('fails with no trusted folders, outside them, and on a broken trust file', () => {
    const empty = join(scratch, 'home-empty');
    expect(checkTrust({ home: empty, cwd: scratch })).toMatchObject({ status: 'fail', detail: `no trusted folders (in ${empty}/trusted.json)`, fix: expect.stringMatching(/pilothouse trust/) });
    const home = join(scratch, 'home-other');
    const other = join(scratch, 'other');
    mkdirSync(other, { recursive: true });
    new TrustStore(home).add(other);
    expect(checkTrust({ home, cwd: scratch })).toMatchObject({ status: 'fail', detail: `${scratch} is not inside a trusted folder (1 trusted folder: ${other})`, fix: `run \`pilothouse trust ${scratch}\` to run the agent here, or run doctor from a trusted folder` });
    const broken = join(scratch, 'home-broken');
    mkdirSync(broken, { recursive: true });
    writeFileSync(join(broken, 'trusted.json'), '{"version":2}');
    expect(checkTrust({ home: broken, cwd: scratch })).toMatchObject({ status: 'fail', detail: expect.stringMatching(/not a valid trust file/) });
  });
});

describe('other agents', () => {
  const missing = async () => {
    throw new Error('claude was not found on PATH: install it');
  };
  it('an agent run does not use is skipped when absent or without a key, naming how to install or sign in', async () => {
    expect(await checkAgent('claude', { env: { HOME: scratch }, cwd: scratch, required: false, locate: missing })).toEqual(
      skip('claude', 'Claude Code is not installed; to use it: npm install -g @anthropic-ai/claude-code'),
    );
    const found = async () => ({ name: 'claude', version: '2.1.332', path: '/opt/claude' });
    expect(await checkAgent('claude', { env: { HOME: scratch }, cwd: scratch, required: false, locate: found })).toMatchObject({ status: 'skip', detail: expect.stringMatching(/^2\.1\.332 at \/opt\/claude, but no key or sign-in was found; to use it: set ANTHROPIC_API_KEY/) });
    expect(await checkAgent('claude', { env: { HOME: scratch, ANTHROPIC_API_KEY: 'k' }, cwd: scratch, required: true, locate: found })).toEqual(ok('claude', '2.1.332 at /opt/claude, ANTHROPIC_API_KEY is set'));
  });
  it('an agent older than Pilothouse drives is named with its version, not as missing', async () => {
    const old = async () => {
      throw new AgentError('claude_version_unsupported', 'Claude Code 1.0.44 at /opt/claude is older than 2.0.0, the oldest Pilothouse drives: update it with `npm install -g @anthropic-ai/claude-code`.');
    };
    expect(await checkAgent('claude', { env: { HOME: scratch }, cwd: scratch, required: true, locate: old })).toEqual(
      fail('claude', 'Claude Code 1.0.44 at /opt/claude is older than 2.0.0, the oldest Pilothouse drives', 'npm install -g @anthropic-ai/claude-code (to update it); run uses it (agent = "claude")'),
    );
  });

  it('the agent run uses fails when absent or without a key, with the fix', async () => {
    expect(await checkAgent('gemini', { env: { HOME: scratch }, cwd: scratch, required: true, locate: missing })).toMatchObject({ status: 'fail', fix: 'npm install -g @google/gemini-cli; run uses it (agent = "gemini")' });
    const found = async () => ({ name: 'gemini', version: '0.61.0', path: '/opt/gemini' });
    expect(await checkAgent('gemini', { env: { HOME: scratch }, cwd: scratch, required: true, locate: found })).toMatchObject({ status: 'fail', fix: expect.stringMatching(/^set GEMINI_API_KEY/) });
  });
  it('finds a sign-in where each agent keeps it', () => {
    const home = join(scratch, 'agent-home');
    mkdirSync(join(home, '.claude'), { recursive: true });
    mkdirSync(join(home, '.gemini'), { recursive: true });
    const env = { HOME: home };
    expect(credentialOf('claude', env, home).credential).toBeNull();
    writeFileSync(join(home, '.claude', '.credentials.json'), '{}');
    expect(credentialOf('claude', env, home).credential).toBe(`signed in (${join(home, '.claude', '.credentials.json')})`);
    expect(credentialOf('gemini', env, home)).toEqual({ credential: null, fix: expect.stringMatching(/^set GEMINI_API_KEY/) });
    writeFileSync(join(home, '.gemini', 'settings.json'), '{"security":{"auth":{"selectedType":"vertex-ai"}}}');
    expect(credentialOf('gemini', env, home).credential).toBeNull();
    expect(credentialOf('gemini', { ...env, GOOGLE_API_KEY: 'k' }, home).credential).toBe('GOOGLE_API_KEY is set');
  });
});

describe('runDoctor', () => {
  it('runs every check in order, wiring codex into sandbox and hub into token', async () => {
    const codexHome = await closedCodexHome('codex-closed');
    const results = await runDoctor({
      env: { PILOTHOUSE_HOME: join(scratch, 'home-none'), PILOTHOUSE_CODEX_BIN: join(scratch, 'absent'), CODEX_HOME: codexHome },
      cwd: scratch,
      hub: await closedUrl(),
      token: 'ph_x',
      platform: 'linux',
      exec: async () => ({ code: null, stdout: '', stderr: '', error: 'ENOENT' }),
    });
    expect(results.map((r) => `${r.status} ${r.name}`)).toEqual(['ok node', 'skip config', 'fail codex', 'skip sandbox', 'skip claude', 'skip gemini', 'fail sign-in', 'fail model', 'fail hub', 'skip token', 'fail trust']);
  });

  it('checks the hub and token from config.toml when no flag or variable gives them', async () => {
    const hub = await startDoctorHub();
    try {
      const home = join(scratch, 'home-config');
      mkdirSync(home, { recursive: true });
      writeFileSync(join(home, 'config.toml'), `hub = "${hub.url}"\ntoken = "${hub.token}"\n`);
      const env = { PILOTHOUSE_HOME: home, PILOTHOUSE_CODEX_BIN: join(scratch, 'absent'), CODEX_HOME: await closedCodexHome('codex-closed-2') };
      const exec = async () => ({ code: null, stdout: '', stderr: '', error: 'ENOENT' });
      const fromFile = await runDoctor({ env, cwd: scratch, platform: 'linux', exec });
      expect(fromFile.filter((r) => ['config', 'hub', 'token'].includes(r.name))).toEqual([
        ok('config', `${join(home, 'config.toml')} (hub, token)`),
        ok('hub', `${hub.url} is up`),
        ok('token', 'accepted as alice (member of 0 channels)'),
      ]);
      // A flag (or its variable) wins over the file.
      const flagged = await runDoctor({ env, cwd: scratch, platform: 'linux', exec, token: 'ph_wrong' });
      expect(flagged.find((r) => r.name === 'token')).toMatchObject({ status: 'fail', detail: `${hub.url} refused the token` });
    } finally {
      await hub.close();
    }
  });
});

describe('config', () => {
  it('skips without a file, passes with a good one, fails on a broken one with the line and fix', () => {
    const home = join(scratch, 'home-config-check');
    mkdirSync(home, { recursive: true });
    const path = join(home, 'config.toml');
    expect(checkConfig(home).result).toEqual(skip('config', `no ${path} (optional)`));
    writeFileSync(path, 'channel = "acme/agents"\n[run]\napproval_policy = "never"\n');
    expect(checkConfig(home).result).toEqual(ok('config', `${path} (channel, run.approval_policy)`));
    writeFileSync(path, '\n[run]\neffort = "max"\n');
    expect(checkConfig(home)).toEqual({
      result: fail('config', `${path}, line 3: effort = "max" is not one of none, minimal, low, medium, high, xhigh`, 'use one of them, e.g. effort = "none"'),
      config: null,
    });
  });
});

describe('sign-in and model (the agent run uses)', () => {
  it('Codex: the key its provider names, the OpenAI sign-in (auth.json or OPENAI_API_KEY), or none needed', async () => {
    const home = await closedCodexHome('codex-sign-in');
    expect(checkSignIn('codex', { CODEX_HOME: home }, scratch)).toEqual(
      fail('sign-in', 'Codex (provider mine) takes its key from MINE_KEY, which is not set', `set MINE_KEY (env_key of [model_providers.mine] in ${join(home, 'config.toml')})`),
    );
    expect(checkSignIn('codex', { CODEX_HOME: home, MINE_KEY: 'k' }, scratch)).toEqual(ok('sign-in', 'Codex (provider mine): MINE_KEY is set'));
    const bare = join(scratch, 'codex-bare');
    mkdirSync(bare, { recursive: true });
    expect(checkSignIn('codex', { CODEX_HOME: bare }, scratch)).toMatchObject({ status: 'fail', fix: expect.stringMatching(/^sign in once with `codex login`/) });
    expect(checkSignIn('codex', { CODEX_HOME: bare, OPENAI_API_KEY: 'sk' }, scratch)).toEqual(ok('sign-in', 'Codex (provider openai): OPENAI_API_KEY is set'));
    writeFileSync(join(bare, 'auth.json'), '{}');
    expect(checkSignIn('codex', { CODEX_HOME: bare }, scratch)).toEqual(ok('sign-in', `Codex (provider openai): signed in (${join(bare, 'auth.json')})`));
    const local = join(scratch, 'codex-ollama');
    mkdirSync(local, { recursive: true });
    writeFileSync(join(local, 'config.toml'), 'model_provider = "ollama"\n');
    expect(checkSignIn('codex', { CODEX_HOME: local }, scratch)).toEqual(ok('sign-in', 'Codex (provider ollama): no key needed'));
    expect(checkSignIn('claude', { HOME: scratch, ANTHROPIC_API_KEY: 'k' }, scratch)).toEqual(ok('sign-in', 'Claude Code (Anthropic API): ANTHROPIC_API_KEY is set'));
    expect(checkSignIn('gemini', { HOME: scratch }, scratch)).toMatchObject({ status: 'fail', detail: 'Gemini CLI (no auth type chosen) has no key or sign-in', fix: expect.stringMatching(/^set GEMINI_API_KEY/) });
  });

  it('Claude Code and Gemini CLI are read where they look (settings env, .env), the fix naming the file that set the URL', async () => {
    const url = await closedUrl();
    const claudeHome = join(scratch, 'claude-settings');
    mkdirSync(join(claudeHome, '.claude'), { recursive: true });
    const settings = join(claudeHome, '.claude', 'settings.json');
    writeFileSync(settings, JSON.stringify({ env: { ANTHROPIC_BASE_URL: url, ANTHROPIC_AUTH_TOKEN: 't' } }));
    // Claude Code's settings win over the same variable in the environment.
    const claudeEnv = { HOME: claudeHome, ANTHROPIC_BASE_URL: 'https://api.anthropic.com' };
    expect(checkSignIn('claude', claudeEnv, scratch)).toEqual(ok('sign-in', `Claude Code (Anthropic API): ANTHROPIC_AUTH_TOKEN in ${settings} is set`));
    expect(await checkModel('claude', { env: claudeEnv, cwd: scratch, fetch })).toEqual(
      fail('model', `model provider at ${url} does not answer (ECONNREFUSED)`, `start the model server at ${url}, or correct ANTHROPIC_BASE_URL in ${settings}`),
    );
    expect(checkSignIn('claude', { HOME: join(scratch, 'nobody') }, scratch)).toMatchObject({ status: 'fail', detail: 'Claude Code (Anthropic API) has no key or sign-in' });

    const geminiHome = join(scratch, 'gemini-dotenv');
    mkdirSync(join(geminiHome, '.gemini'), { recursive: true });
    const geminiSettings = join(geminiHome, '.gemini', 'settings.json');
    const dotenv = join(geminiHome, '.gemini', '.env');
    writeFileSync(geminiSettings, '{"security":{"auth":{"selectedType":"gemini-api-key"}}}');
    writeFileSync(dotenv, `GEMINI_API_KEY=k\nGOOGLE_GEMINI_BASE_URL=${url}\n`);
    const trusted = { HOME: geminiHome, GEMINI_CLI_TRUST_WORKSPACE: 'true' };
    expect(checkSignIn('gemini', trusted, scratch)).toEqual(ok('sign-in', `Gemini CLI (auth gemini-api-key, from ${geminiSettings}): GEMINI_API_KEY in ${dotenv} is set`));
    expect(await checkModel('gemini', { env: trusted, cwd: scratch, fetch })).toEqual(
      fail('model', `model provider at ${url} does not answer (ECONNREFUSED)`, `start the model server at ${url}, or correct GOOGLE_GEMINI_BASE_URL in ${dotenv}`),
    );
    // Untrusted, the folder gets no ~/.gemini/.env; and GOOGLE_API_KEY is Vertex AI's, not the Gemini API's.
    expect(checkSignIn('gemini', { HOME: geminiHome, GOOGLE_API_KEY: 'k' }, scratch)).toMatchObject({ status: 'fail', detail: `Gemini CLI (auth gemini-api-key, from ${geminiSettings}) has no key or sign-in` });
  });

  it('model: any HTTP answer counts; a refused connection and a deadline passed fail with the fix', async () => {
    const hub = await startDoctorHub();
    try {
      // Any HTTP server will do.
      const home = join(scratch, 'codex-answers');
      mkdirSync(home, { recursive: true });
      writeFileSync(join(home, 'config.toml'), `model_provider = "mine"\n[model_providers.mine]\nbase_url = "${hub.url}/v1"\n`);
      // The hub's web root is off: it answers 503 there, an answer all the same.
      expect(await checkModel('codex', { env: { CODEX_HOME: home }, cwd: scratch, fetch })).toEqual(ok('model', `model provider at ${hub.url}/v1 answers (HTTP 503)`));
    } finally {
      await hub.close();
    }
    const closed = await closedCodexHome('codex-model-closed');
    expect(await checkModel('codex', { env: { CODEX_HOME: closed }, cwd: scratch, fetch })).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/^model provider at http:\/\/127\.0\.0\.1:\d+\/v1 does not answer \(ECONNREFUSED\)$/),
      fix: expect.stringMatching(/^start the model server at .*, or correct base_url of \[model_providers\.mine\] in /),
    });
    // A server that accepts and never answers: the deadline.
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
      expect(await checkModel('claude', { env: { HOME: scratch, ANTHROPIC_BASE_URL: url }, cwd: scratch, fetch, timeoutMs: 300 })).toEqual(
        fail('model', `model provider at ${url} does not answer (timed out)`, `start the model server at ${url}, or correct ANTHROPIC_BASE_URL`),
      );
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((r) => silent.close(() => r()));
    }
    expect(await checkModel('acp', { env: {}, cwd: scratch, fetch })).toMatchObject({ status: 'skip' });
  });
});
