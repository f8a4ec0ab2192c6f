// Which model endpoint and credential Claude Code uses, worked out as Claude Code 2.1.332 does
// (measured against local servers): the `env` of its settings files (user, then the project's
// .claude/settings.json, then .claude/settings.local.json) over the process's environment, the
// route (the Anthropic API, Amazon Bedrock or Google Vertex AI) and its base URL, and the first
// credential it would send. Managed (organisation) settings are not read. Doctor reports it; the
// session names the URL when the model cannot be reached.

import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const ANTHROPIC_BASE_URL = 'https://api.anthropic.com';

export interface ClaudeProvider {
  readonly route: 'anthropic' | 'bedrock' | 'vertex';
  readonly baseUrl: string;
  /** What set the base URL: a variable (and the settings file that set it), or Claude Code's default for the route. */
  readonly baseUrlFrom: string;
  /** The agent's own default (no variable set it). */
  readonly baseUrlIsDefault: boolean;
  /** The credential Claude Code would send, said for a person; null when none was found. */
  readonly credential: string | null;
}

interface Settings {
  readonly path: string;
  readonly env: Readonly<Record<string, string>>;
  readonly apiKeyHelper: string | null;
}

/** A settings file's `env` and `apiKeyHelper`; null when absent or not JSON (Claude Code reports that itself). */
function readSettings(path: string): Settings | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null; // absent or unreadable: nothing it sets
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const { env, apiKeyHelper } = parsed as { env?: unknown; apiKeyHelper?: unknown };
  const vars = typeof env === 'object' && env !== null ? Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string' || typeof e[1] === 'number').map(([k, v]) => [k, String(v)])) : {};
  return { path, env: vars, apiKeyHelper: typeof apiKeyHelper === 'string' && apiKeyHelper.trim() !== '' ? apiKeyHelper : null };
}

/** CLAUDE_CONFIG_DIR, else ~/.claude. */
export function claudeConfigDir(env: NodeJS.ProcessEnv): string {
  return env.CLAUDE_CONFIG_DIR || join(env.HOME ?? homedir(), '.claude');
}

const truthy = (v: string | undefined): boolean => v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';

export function claudeProvider(env: NodeJS.ProcessEnv, cwd: string, platform: NodeJS.Platform = process.platform): ClaudeProvider {
  const configDir = claudeConfigDir(env);
  const files = [join(configDir, 'settings.json'), join(cwd, '.claude', 'settings.json'), join(cwd, '.claude', 'settings.local.json')].map(readSettings).filter((s) => s !== null);
  // A variable in a settings file wins over the same one in the environment, a later file over an earlier one.
  const setBy = new Map<string, string>();
  const effective: NodeJS.ProcessEnv = { ...env };
  for (const f of files) {
    for (const [k, v] of Object.entries(f.env)) {
      effective[k] = v;
      setBy.set(k, f.path);
    }
  }
  const said = (name: string): string => (setBy.has(name) ? `${name} in ${setBy.get(name)!}` : name);
  const url = (name: string, fallback: string, what: string): Pick<ClaudeProvider, 'baseUrl' | 'baseUrlFrom' | 'baseUrlIsDefault'> =>
    effective[name] ? { baseUrl: effective[name], baseUrlFrom: said(name), baseUrlIsDefault: false } : { baseUrl: fallback, baseUrlFrom: what, baseUrlIsDefault: true };

  if (truthy(effective.CLAUDE_CODE_USE_BEDROCK)) {
    const region = effective.AWS_REGION || effective.AWS_DEFAULT_REGION || 'us-east-1';
    const credential = effective.AWS_BEARER_TOKEN_BEDROCK ? `${said('AWS_BEARER_TOKEN_BEDROCK')} is set` : 'AWS credentials (not checked)';
    return { route: 'bedrock', ...url('ANTHROPIC_BEDROCK_BASE_URL', `https://bedrock-runtime.${region}.amazonaws.com`, `Amazon Bedrock in ${region}`), credential };
  }
  if (truthy(effective.CLAUDE_CODE_USE_VERTEX)) {
    const region = effective.CLOUD_ML_REGION || 'us-east5';
    const host = region === 'global' ? 'https://aiplatform.googleapis.com' : `https://${region}-aiplatform.googleapis.com`;
    return { route: 'vertex', ...url('ANTHROPIC_VERTEX_BASE_URL', host, `Google Vertex AI in ${region}`), credential: 'Google Cloud credentials (not checked)' };
  }
  return { route: 'anthropic', ...url('ANTHROPIC_BASE_URL', ANTHROPIC_BASE_URL, 'the Anthropic API'), credential: anthropicCredential(effective, said, files, configDir, env, platform) };
}

/** The first credential found, where Claude Code looks for one (any of them makes its requests go out). */
function anthropicCredential(effective: NodeJS.ProcessEnv, said: (name: string) => string, files: readonly Settings[], configDir: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string | null {
  for (const name of ['ANTHROPIC_AUTH_TOKEN', 'ANTHROPIC_API_KEY', 'CLAUDE_CODE_OAUTH_TOKEN']) if (effective[name]) return `${said(name)} is set`;
  const helper = files.findLast((f) => f.apiKeyHelper !== null);
  if (helper) return `a key from apiKeyHelper (${helper.path})`;
  const credentials = join(configDir, '.credentials.json');
  if (existsSync(credentials)) return `signed in (${credentials})`;
  // An API key saved by /login sits in the global config (Claude Code's "/login managed key").
  const global = env.CLAUDE_CONFIG_DIR ? join(env.CLAUDE_CONFIG_DIR, '.claude.json') : join(env.HOME ?? homedir(), '.claude.json');
  if (hasPrimaryKey(global)) return `a key saved by /login (${global})`;
  // On macOS the sign-in is in the login Keychain ("Claude Code-credentials"), which doctor does not open.
  if (platform === 'darwin') return 'a sign-in in the macOS Keychain, if any (not checked)';
  return null;
}

function hasPrimaryKey(path: string): boolean {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as { primaryApiKey?: unknown };
    return typeof parsed.primaryApiKey === 'string' && parsed.primaryApiKey !== '';
  } catch {
    return false; // absent or unreadable: no key there
  }
}
