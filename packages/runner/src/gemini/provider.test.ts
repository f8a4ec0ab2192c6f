// Gemini CLI's auth type, base URL and credential as read here (its settings, its workspace trust,
// the .env it loads), and, for the base URL, held to where the real Gemini CLI (the pinned
// package, headless) sends its first request with the same files and environment.
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRecorders, type Recorders } from '../../test/first-request.js';
import { GEMINI_TEST_MODEL } from '../../test/gemini-home.js';
import { command, locateGemini } from './locate.js';
import { parseDotenv } from './environment.js';
import { geminiProvider } from './provider.js';

const scratch = realpathSync(mkdtempSync(join(tmpdir(), 'ph-gemini-provider-')));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const QUIET = { privacy: { usageStatisticsEnabled: false }, telemetry: { enabled: false }, general: { enableAutoUpdate: false, enableAutoUpdateNotification: false } };

let n = 0;
/** A fresh HOME (its ~/.gemini/settings.json choosing `auth`, when given) and project folder, with .env files. */
function world(o: { readonly auth?: string; readonly homeEnv?: string; readonly projectEnv?: string; readonly projectAuth?: string; readonly trustedFolders?: object } = {}): { home: string; cwd: string } {
  const home = join(scratch, `home-${++n}`);
  const cwd = join(scratch, `project-${n}`);
  mkdirSync(join(home, '.gemini'), { recursive: true });
  mkdirSync(join(cwd, '.gemini'), { recursive: true });
  writeFileSync(join(home, '.gemini', 'settings.json'), `// Gemini CLI's settings take comments\n${JSON.stringify({ ...QUIET, ...(o.auth ? { security: { auth: { selectedType: o.auth } } } : {}) })}`);
  if (o.projectAuth) writeFileSync(join(cwd, '.gemini', 'settings.json'), JSON.stringify({ security: { auth: { selectedType: o.projectAuth } } }));
  if (o.homeEnv !== undefined) writeFileSync(join(home, '.gemini', '.env'), o.homeEnv);
  if (o.projectEnv !== undefined) writeFileSync(join(cwd, '.env'), o.projectEnv);
  if (o.trustedFolders) writeFileSync(join(home, '.gemini', 'trustedFolders.json'), JSON.stringify(o.trustedFolders));
  return { home, cwd };
}

describe('geminiProvider', () => {
  it('no auth type: none chosen, the fix says how; an API key, or a gateway inferred from the environment', () => {
    const bare = world();
    expect(geminiProvider({ HOME: bare.home }, bare.cwd)).toEqual({
      auth: null,
      authFrom: null,
      baseUrl: 'https://generativelanguage.googleapis.com',
      baseUrlFrom: 'the Gemini API',
      baseUrlIsDefault: true,
      credential: null,
      fix: 'set GEMINI_API_KEY (in the environment or ~/.gemini/.env), or sign in once with `gemini` (Login with Google)',
    });
    expect(geminiProvider({ HOME: bare.home, GEMINI_API_KEY: 'k' }, bare.cwd)).toMatchObject({ auth: 'gemini-api-key', authFrom: 'GEMINI_API_KEY', credential: 'GEMINI_API_KEY is set' });
    expect(geminiProvider({ HOME: bare.home, GOOGLE_GEMINI_BASE_URL: 'http://127.0.0.1:9' }, bare.cwd)).toMatchObject({
      auth: 'gateway',
      baseUrl: 'http://127.0.0.1:9',
      baseUrlFrom: 'GOOGLE_GEMINI_BASE_URL',
      baseUrlIsDefault: false,
      credential: 'no key needed (a gateway)',
    });
  });

  it('gemini-api-key takes GEMINI_API_KEY (GOOGLE_API_KEY is Vertex AI\'s), or a key Gemini CLI kept in its file', () => {
    const w = world({ auth: 'gemini-api-key' });
    const settings = join(w.home, '.gemini', 'settings.json');
    expect(geminiProvider({ HOME: w.home, GOOGLE_API_KEY: 'k' }, w.cwd)).toMatchObject({ auth: 'gemini-api-key', authFrom: settings, credential: null, fix: expect.stringMatching(/^set GEMINI_API_KEY/) });
    writeFileSync(join(w.home, '.gemini', 'gemini-credentials.json'), '{}');
    expect(geminiProvider({ HOME: w.home }, w.cwd).credential).toBe(`a key kept by Gemini CLI (${join(w.home, '.gemini', 'gemini-credentials.json')})`);
    // GEMINI_CLI_HOME moves ~/.gemini.
    expect(geminiProvider({ HOME: scratch, GEMINI_CLI_HOME: w.home }, w.cwd).auth).toBe('gemini-api-key');
  });

  it('the .env it loads: ~/.gemini/.env only in a trusted folder; an untrusted folder\'s .env gives only the auth variables; the environment wins', () => {
    const dotenv = 'GEMINI_API_KEY=from-file\nGOOGLE_GEMINI_BASE_URL="http://127.0.0.1:7"  # the gateway\n';
    const home = world({ auth: 'gemini-api-key', homeEnv: dotenv });
    const homeEnv = join(home.home, '.gemini', '.env');
    expect(geminiProvider({ HOME: home.home }, home.cwd)).toMatchObject({ credential: null, baseUrl: 'https://generativelanguage.googleapis.com' });
    expect(geminiProvider({ HOME: home.home, GEMINI_CLI_TRUST_WORKSPACE: 'true' }, home.cwd)).toMatchObject({
      credential: `GEMINI_API_KEY in ${homeEnv} is set`,
      baseUrl: 'http://127.0.0.1:7',
      baseUrlFrom: `GOOGLE_GEMINI_BASE_URL in ${homeEnv}`,
    });
    expect(geminiProvider({ HOME: home.home, GEMINI_CLI_TRUST_WORKSPACE: 'true', GOOGLE_GEMINI_BASE_URL: 'http://127.0.0.1:8' }, home.cwd)).toMatchObject({ baseUrl: 'http://127.0.0.1:8', baseUrlFrom: 'GOOGLE_GEMINI_BASE_URL' });
    const trustedByRule = world({ auth: 'gemini-api-key', homeEnv: dotenv });
    writeFileSync(join(trustedByRule.home, '.gemini', 'trustedFolders.json'), JSON.stringify({ [trustedByRule.cwd]: 'TRUST_FOLDER' }));
    expect(geminiProvider({ HOME: trustedByRule.home }, trustedByRule.cwd).credential).toBe(`GEMINI_API_KEY in ${join(trustedByRule.home, '.gemini', '.env')} is set`);
    const project = world({ auth: 'gemini-api-key', projectEnv: dotenv });
    expect(geminiProvider({ HOME: project.home }, project.cwd)).toMatchObject({ credential: `GEMINI_API_KEY in ${join(project.cwd, '.env')} is set`, baseUrl: 'https://generativelanguage.googleapis.com' });
  });

  it('Login with Google: Code Assist, signed in where Gemini CLI keeps it; a trusted project\'s settings over the user\'s', () => {
    const w = world({ auth: 'gemini-api-key', projectAuth: 'oauth-personal' });
    expect(geminiProvider({ HOME: w.home }, w.cwd)).toMatchObject({ auth: 'gemini-api-key' });
    const env = { HOME: w.home, GEMINI_CLI_TRUST_WORKSPACE: 'true' };
    expect(geminiProvider(env, w.cwd)).toMatchObject({ auth: 'oauth-personal', authFrom: join(w.cwd, '.gemini', 'settings.json'), baseUrl: 'https://cloudcode-pa.googleapis.com', credential: null, fix: 'sign in once with `gemini` (Login with Google)' });
    writeFileSync(join(w.home, '.gemini', 'oauth_creds.json'), '{}');
    expect(geminiProvider(env, w.cwd).credential).toBe(`signed in (${join(w.home, '.gemini', 'oauth_creds.json')})`);
  });

  it('Vertex AI: its endpoint by location, GOOGLE_API_KEY or a project and location', () => {
    const w = world({ auth: 'vertex-ai' });
    expect(geminiProvider({ HOME: w.home }, w.cwd)).toMatchObject({ baseUrl: 'https://aiplatform.googleapis.com', credential: null, fix: expect.stringMatching(/^set GOOGLE_CLOUD_PROJECT and GOOGLE_CLOUD_LOCATION/) });
    expect(geminiProvider({ HOME: w.home, GOOGLE_API_KEY: 'k' }, w.cwd).credential).toBe('GOOGLE_API_KEY is set');
    expect(geminiProvider({ HOME: w.home, GOOGLE_CLOUD_PROJECT: 'p', GOOGLE_CLOUD_LOCATION: 'europe-west4' }, w.cwd)).toMatchObject({
      baseUrl: 'https://europe-west4-aiplatform.googleapis.com',
      credential: 'project p in europe-west4, with Google Cloud credentials (not checked)',
    });
    expect(geminiProvider({ HOME: w.home, GOOGLE_CLOUD_PROJECT: 'p', GOOGLE_CLOUD_LOCATION: 'eu' }, w.cwd).baseUrl).toBe('https://aiplatform.eu.rep.googleapis.com');
  });

  it('reads .env lines as dotenv does', () => {
    expect(parseDotenv('# c\nexport A=1\nB = "two words"\nC=three # note\nD=\'x#y\' # note\nnot a line\n')).toEqual({ A: '1', B: 'two words', C: 'three', D: 'x#y' });
  });
});

describe('geminiProvider against the real Gemini CLI', () => {
  let rec: Recorders;
  let run: { bin: string; args: readonly string[] };
  beforeAll(async () => {
    rec = await startRecorders(['shell', 'dotenv']);
    const found = await locateGemini({ env: { PATH: '' } });
    run = command(found.path);
  });
  afterAll(() => rec.close());

  async function both(env: NodeJS.ProcessEnv, cwd: string): Promise<{ actual: string | null; read: string | null }> {
    const first = await rec.firstRequest(run.bin, [...run.args, '-p', 'hello', '-m', GEMINI_TEST_MODEL], { env: { PATH: process.env.PATH, GEMINI_CLI_NO_RELAUNCH: 'true', ...env }, cwd });
    const read = geminiProvider(env, cwd);
    const named = Object.entries(rec.urls).find(([, url]) => url === read.baseUrl)?.[0] ?? null;
    return { actual: first.server, read: read.credential === null ? null : named };
  }

  it('the key and base URL from ~/.gemini/.env in a trusted folder; the environment over the file', async () => {
    const w = world({ auth: 'gemini-api-key', homeEnv: `GEMINI_API_KEY=k\nGOOGLE_GEMINI_BASE_URL=${rec.urls.dotenv}\n` });
    expect(await both({ HOME: w.home, GEMINI_CLI_TRUST_WORKSPACE: 'true' }, w.cwd)).toEqual({ actual: 'dotenv', read: 'dotenv' });
    expect(await both({ HOME: w.home, GEMINI_CLI_TRUST_WORKSPACE: 'true', GOOGLE_GEMINI_BASE_URL: rec.urls.shell }, w.cwd)).toEqual({ actual: 'shell', read: 'shell' });
  }, 60_000);

  it('an untrusted folder: ~/.gemini/.env is not loaded, so no key, no request', async () => {
    const w = world({ auth: 'gemini-api-key', homeEnv: `GEMINI_API_KEY=k\nGOOGLE_GEMINI_BASE_URL=${rec.urls.dotenv}\n` });
    const first = await rec.firstRequest(run.bin, [...run.args, '-p', 'hello', '-m', GEMINI_TEST_MODEL], { env: { PATH: process.env.PATH, GEMINI_CLI_NO_RELAUNCH: 'true', HOME: w.home }, cwd: w.cwd });
    expect(first).toEqual({ server: null, output: expect.stringContaining('you must specify the GEMINI_API_KEY environment variable') });
    expect(geminiProvider({ HOME: w.home }, w.cwd)).toMatchObject({ auth: 'gemini-api-key', credential: null });
  }, 60_000);
});
