// Which model endpoint and credential Gemini CLI uses, worked out as Gemini CLI 0.61.0 does (its
// bundle: getAuthTypeFromEnv, createContentGeneratorConfig, createContentGenerator): the auth type
// (chosen in its settings, else inferred from the environment, environment.ts), then per type the
// base URL its requests go to and the credential it needs. Doctor reports it; the session names
// the URL, and asks it itself while a turn is quiet (session/unreachable.ts).

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { geminiEnvironment, type GeminiEnvironment } from './environment.js';

export const GEMINI_BASE_URL = 'https://generativelanguage.googleapis.com';
/** Where "Login with Google" (and a machine's own Google credentials) send requests: Code Assist. */
export const CODE_ASSIST_URL = 'https://cloudcode-pa.googleapis.com';

export interface GeminiProvider {
  /** Gemini CLI's auth type (`gemini-api-key`, `oauth-personal`, `vertex-ai`, `gateway`, …); null when nothing chooses one. */
  readonly auth: string | null;
  /** What chose it: a settings file, or the variable it was inferred from. */
  readonly authFrom: string | null;
  readonly baseUrl: string;
  /** What set the base URL: a variable (and the .env file that set it), or Gemini CLI's default for the auth type. */
  readonly baseUrlFrom: string;
  /** The agent's own default (no variable set it). */
  readonly baseUrlIsDefault: boolean;
  /** The credential it would use, said for a person; null when none was found. */
  readonly credential: string | null;
  /** How to give it one (when `credential` is null). */
  readonly fix: string;
}

const SIGN_IN = 'set GEMINI_API_KEY (in the environment or ~/.gemini/.env), or sign in once with `gemini` (Login with Google)';

/** getAuthTypeFromEnv, in its order. */
function inferred(env: NodeJS.ProcessEnv): { auth: string; from: string } | null {
  if (env.GOOGLE_GENAI_USE_GCA === 'true') return { auth: 'oauth-personal', from: 'GOOGLE_GENAI_USE_GCA' };
  if (env.GOOGLE_GENAI_USE_VERTEXAI === 'true') return { auth: 'vertex-ai', from: 'GOOGLE_GENAI_USE_VERTEXAI' };
  if (env.GOOGLE_GEMINI_BASE_URL) return { auth: 'gateway', from: 'GOOGLE_GEMINI_BASE_URL' };
  if (env.GEMINI_API_KEY) return { auth: 'gemini-api-key', from: 'GEMINI_API_KEY' };
  if (env.CLOUD_SHELL === 'true' || env.GEMINI_CLI_USE_COMPUTE_ADC === 'true') return { auth: 'compute-default-credentials', from: env.CLOUD_SHELL === 'true' ? 'CLOUD_SHELL' : 'GEMINI_CLI_USE_COMPUTE_ADC' };
  return null;
}

export function geminiProvider(processEnv: NodeJS.ProcessEnv, cwd: string): GeminiProvider {
  const g = geminiEnvironment(processEnv, cwd);
  const { env } = g;
  const said = (name: string): string => (g.fromEnvFile.has(name) ? `${name} in ${g.envFile!}` : name);
  const chosen = g.selected !== null ? { auth: g.selected.type, from: g.selected.path } : inferred(env);
  const url = (name: string, fallback: string, what: string) => (env[name] ? { baseUrl: env[name], baseUrlFrom: said(name), baseUrlIsDefault: false } : { baseUrl: fallback, baseUrlFrom: what, baseUrlIsDefault: true });
  const base = { auth: chosen?.auth ?? null, authFrom: chosen === null ? null : said(chosen.from) };
  switch (chosen?.auth) {
    case 'gemini-api-key':
      return { ...base, ...url('GOOGLE_GEMINI_BASE_URL', GEMINI_BASE_URL, 'the Gemini API'), credential: apiKey(g, said), fix: `set GEMINI_API_KEY (in the environment or ~/.gemini/.env); a key saved in Gemini CLI itself is kept in the system keychain, which doctor does not read` };
    case 'gateway':
      return { ...base, ...url('GOOGLE_GEMINI_BASE_URL', GEMINI_BASE_URL, 'the Gemini API'), credential: env.GEMINI_API_KEY ? `${said('GEMINI_API_KEY')} is set` : 'no key needed (a gateway)', fix: SIGN_IN };
    case 'oauth-personal':
      return { ...base, ...url('CODE_ASSIST_ENDPOINT', CODE_ASSIST_URL, 'Code Assist (Login with Google)'), credential: googleSignIn(g), fix: 'sign in once with `gemini` (Login with Google)' };
    case 'compute-default-credentials':
    case 'cloud-shell':
      return { ...base, ...url('CODE_ASSIST_ENDPOINT', CODE_ASSIST_URL, 'Code Assist'), credential: "this machine's Google credentials (not checked)", fix: SIGN_IN };
    case 'vertex-ai':
      return { ...base, ...vertexUrl(env, said), ...vertexCredential(env, said) };
    case undefined:
      return { ...base, ...url('GOOGLE_GEMINI_BASE_URL', GEMINI_BASE_URL, 'the Gemini API'), credential: null, fix: SIGN_IN };
    default:
      return { ...base, ...url('GOOGLE_GEMINI_BASE_URL', GEMINI_BASE_URL, 'the Gemini API'), credential: null, fix: `choose an auth type Gemini CLI knows (${base.authFrom ?? 'its settings'} says ${base.auth ?? 'none'}), or run \`gemini\` once` };
  }
}

/** GEMINI_API_KEY, else a key Gemini CLI saved itself (its file store when no keychain is at hand). */
function apiKey(g: GeminiEnvironment, said: (name: string) => string): string | null {
  if (g.env.GEMINI_API_KEY) return `${said('GEMINI_API_KEY')} is set`;
  const stored = join(g.home, '.gemini', 'gemini-credentials.json');
  return existsSync(stored) ? `a key kept by Gemini CLI (${stored})` : null;
}

function googleSignIn(g: GeminiEnvironment): string | null {
  for (const file of ['oauth_creds.json', 'gemini-credentials.json']) {
    const path = join(g.home, '.gemini', file);
    if (existsSync(path)) return `signed in (${path})`;
  }
  // With encrypted storage asked for, the sign-in is in the system keychain.
  return g.env.GEMINI_FORCE_ENCRYPTED_FILE_STORAGE === 'true' ? 'a sign-in in the system keychain, if any (not checked)' : null;
}

/** The Vertex AI endpoint: GOOGLE_VERTEX_BASE_URL, the US or EU endpoint, the location's, else the global one. */
function vertexUrl(env: NodeJS.ProcessEnv, said: (name: string) => string): Pick<GeminiProvider, 'baseUrl' | 'baseUrlFrom' | 'baseUrlIsDefault'> {
  if (env.GOOGLE_VERTEX_BASE_URL) return { baseUrl: env.GOOGLE_VERTEX_BASE_URL, baseUrlFrom: said('GOOGLE_VERTEX_BASE_URL'), baseUrlIsDefault: false };
  const location = env.GOOGLE_CLOUD_LOCATION;
  const project = env.GOOGLE_CLOUD_PROJECT || env.GOOGLE_CLOUD_PROJECT_ID;
  if (location === 'us' || location === 'eu') return { baseUrl: `https://aiplatform.${location}.rep.googleapis.com`, baseUrlFrom: `Vertex AI in ${location}`, baseUrlIsDefault: true };
  if (project && location && location !== 'global') return { baseUrl: `https://${location}-aiplatform.googleapis.com`, baseUrlFrom: `Vertex AI in ${location}`, baseUrlIsDefault: true };
  return { baseUrl: 'https://aiplatform.googleapis.com', baseUrlFrom: 'Vertex AI', baseUrlIsDefault: true };
}

function vertexCredential(env: NodeJS.ProcessEnv, said: (name: string) => string): Pick<GeminiProvider, 'credential' | 'fix'> {
  const fix = 'set GOOGLE_CLOUD_PROJECT and GOOGLE_CLOUD_LOCATION (with Google Cloud credentials), or GOOGLE_API_KEY';
  if (env.GOOGLE_API_KEY) return { credential: `${said('GOOGLE_API_KEY')} is set`, fix };
  if (env.GOOGLE_CLOUD_PROJECT && env.GOOGLE_CLOUD_LOCATION) return { credential: `project ${env.GOOGLE_CLOUD_PROJECT} in ${env.GOOGLE_CLOUD_LOCATION}, with Google Cloud credentials (not checked)`, fix };
  return { credential: null, fix };
}
