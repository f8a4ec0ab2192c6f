// Claude Code's route, base URL and credential as read here, and, for the base URL, held to where
// the real Claude Code (the pinned binary) sends its first request with the same files and
// environment: settings `env` over the environment, the project's over the user's, Bedrock's own.
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRecorders, type Recorders } from '../../test/first-request.js';
import { locateClaude } from './locate.js';
import { claudeProvider } from './provider.js';

const scratch = realpathSync(mkdtempSync(join(tmpdir(), 'ph-claude-provider-')));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let n = 0;
/** A fresh HOME and project folder, with the settings files given (by path under each). */
function world(files: { readonly user?: object; readonly project?: object; readonly local?: object; readonly global?: object } = {}): { home: string; cwd: string } {
  const home = join(scratch, `home-${++n}`);
  const cwd = join(scratch, `project-${n}`);
  mkdirSync(join(home, '.claude'), { recursive: true });
  mkdirSync(join(cwd, '.claude'), { recursive: true });
  if (files.user) writeFileSync(join(home, '.claude', 'settings.json'), JSON.stringify(files.user));
  if (files.project) writeFileSync(join(cwd, '.claude', 'settings.json'), JSON.stringify(files.project));
  if (files.local) writeFileSync(join(cwd, '.claude', 'settings.local.json'), JSON.stringify(files.local));
  if (files.global) writeFileSync(join(home, '.claude.json'), JSON.stringify(files.global));
  return { home, cwd };
}

describe('claudeProvider', () => {
  it('the Anthropic API by default; a credential from the environment, the settings, apiKeyHelper, the sign-in or /login; none', () => {
    const bare = world();
    expect(claudeProvider({ HOME: bare.home }, bare.cwd, 'linux')).toEqual({ route: 'anthropic', baseUrl: 'https://api.anthropic.com', baseUrlFrom: 'the Anthropic API', baseUrlIsDefault: true, credential: null });
    // On macOS the sign-in is in the Keychain: not read, not refused.
    expect(claudeProvider({ HOME: bare.home }, bare.cwd, 'darwin').credential).toBe('a sign-in in the macOS Keychain, if any (not checked)');
    expect(claudeProvider({ HOME: bare.home, ANTHROPIC_AUTH_TOKEN: 't' }, bare.cwd, 'linux').credential).toBe('ANTHROPIC_AUTH_TOKEN is set');

    const gateway = world({ user: { env: { ANTHROPIC_BASE_URL: 'https://gw.example', ANTHROPIC_AUTH_TOKEN: 't' } } });
    const userSettings = join(gateway.home, '.claude', 'settings.json');
    expect(claudeProvider({ HOME: gateway.home, ANTHROPIC_BASE_URL: 'https://shell.example' }, gateway.cwd, 'linux')).toEqual({
      route: 'anthropic',
      baseUrl: 'https://gw.example',
      baseUrlFrom: `ANTHROPIC_BASE_URL in ${userSettings}`,
      baseUrlIsDefault: false,
      credential: `ANTHROPIC_AUTH_TOKEN in ${userSettings} is set`,
    });

    const helper = world({ project: { apiKeyHelper: 'vault read claude' } });
    expect(claudeProvider({ HOME: helper.home }, helper.cwd, 'linux').credential).toBe(`a key from apiKeyHelper (${join(helper.cwd, '.claude', 'settings.json')})`);
    const saved = world({ global: { primaryApiKey: 'sk-ant-x' } });
    expect(claudeProvider({ HOME: saved.home }, saved.cwd, 'linux').credential).toBe(`a key saved by /login (${join(saved.home, '.claude.json')})`);
    mkdirSync(join(scratch, 'config-dir'), { recursive: true });
    writeFileSync(join(scratch, 'config-dir', '.credentials.json'), '{}');
    expect(claudeProvider({ HOME: bare.home, CLAUDE_CONFIG_DIR: join(scratch, 'config-dir') }, bare.cwd, 'linux').credential).toBe(`signed in (${join(scratch, 'config-dir', '.credentials.json')})`);
  });

  it('Amazon Bedrock and Google Vertex AI: their endpoints, their clouds\' credentials (not checked)', () => {
    const { home, cwd } = world();
    expect(claudeProvider({ HOME: home, CLAUDE_CODE_USE_BEDROCK: '1', AWS_REGION: 'eu-west-1' }, cwd, 'linux')).toEqual({
      route: 'bedrock',
      baseUrl: 'https://bedrock-runtime.eu-west-1.amazonaws.com',
      baseUrlFrom: 'Amazon Bedrock in eu-west-1',
      baseUrlIsDefault: true,
      credential: 'AWS credentials (not checked)',
    });
    expect(claudeProvider({ HOME: home, CLAUDE_CODE_USE_VERTEX: 'true', CLOUD_ML_REGION: 'europe-west1' }, cwd, 'linux')).toMatchObject({ route: 'vertex', baseUrl: 'https://europe-west1-aiplatform.googleapis.com' });
    expect(claudeProvider({ HOME: home, CLAUDE_CODE_USE_VERTEX: '1', CLOUD_ML_REGION: 'global' }, cwd, 'linux').baseUrl).toBe('https://aiplatform.googleapis.com');
    // "0" is off, as for Claude Code.
    expect(claudeProvider({ HOME: home, CLAUDE_CODE_USE_BEDROCK: '0' }, cwd, 'linux').route).toBe('anthropic');
  });
});

describe('claudeProvider against the real Claude Code', () => {
  let rec: Recorders;
  let bin: string;
  beforeAll(async () => {
    rec = await startRecorders(['shell', 'user', 'project', 'local']);
    bin = (await locateClaude({ env: { PATH: '' } })).path;
  });
  afterAll(() => rec.close());

  /** Where the real binary sends its first request, and where claudeProvider says it goes. */
  async function both(env: NodeJS.ProcessEnv, cwd: string): Promise<{ actual: string | null; read: string | null }> {
    const quiet = { PATH: process.env.PATH, CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1', DISABLE_AUTOUPDATER: '1', DISABLE_TELEMETRY: '1', DISABLE_ERROR_REPORTING: '1', CLAUDE_CODE_MAX_RETRIES: '0' };
    const first = await rec.firstRequest(bin, ['-p', 'hello'], { env: { ...quiet, ...env }, cwd });
    const read = claudeProvider(env, cwd, 'linux');
    const named = Object.entries(rec.urls).find(([, url]) => url === read.baseUrl)?.[0] ?? null;
    return { actual: first.server, read: read.credential === null ? null : named };
  }

  it('settings env over the environment, the project over the user, settings.local over the project', async () => {
    const { shell, user, project, local } = rec.urls;
    const a = world();
    expect(await both({ HOME: a.home, ANTHROPIC_BASE_URL: shell, ANTHROPIC_API_KEY: 'k' }, a.cwd)).toEqual({ actual: 'shell', read: 'shell' });
    const b = world({ user: { env: { ANTHROPIC_BASE_URL: user } } });
    expect(await both({ HOME: b.home, ANTHROPIC_BASE_URL: shell, ANTHROPIC_API_KEY: 'k' }, b.cwd)).toEqual({ actual: 'user', read: 'user' });
    const c = world({ user: { env: { ANTHROPIC_BASE_URL: user } }, project: { env: { ANTHROPIC_BASE_URL: project, ANTHROPIC_AUTH_TOKEN: 't' } } });
    expect(await both({ HOME: c.home }, c.cwd)).toEqual({ actual: 'project', read: 'project' });
    const d = world({ project: { env: { ANTHROPIC_BASE_URL: project } }, local: { env: { ANTHROPIC_BASE_URL: local }, apiKeyHelper: 'echo from-helper' } });
    expect(await both({ HOME: d.home }, d.cwd)).toEqual({ actual: 'local', read: 'local' });
  });

  it('no credential anywhere: Claude Code makes no request, and none is read here', async () => {
    const e = world({ user: { env: { ANTHROPIC_BASE_URL: rec.urls.user } } });
    expect(await both({ HOME: e.home }, e.cwd)).toEqual({ actual: null, read: null });
  });

  it('Bedrock: ANTHROPIC_BEDROCK_BASE_URL from the settings', async () => {
    const f = world({ user: { env: { CLAUDE_CODE_USE_BEDROCK: '1', AWS_REGION: 'us-west-2', ANTHROPIC_BEDROCK_BASE_URL: rec.urls.user, CLAUDE_CODE_SKIP_BEDROCK_AUTH: '1' } } });
    expect(await both({ HOME: f.home }, f.cwd)).toEqual({ actual: 'user', read: 'user' });
  });
});
