// What Gemini CLI reads before it picks a model endpoint, read as Gemini CLI 0.61.0 reads it (its
// bundle: loadEnvironment, findEnvFile, checkPathTrust): its home (GEMINI_CLI_HOME, else HOME),
// the auth type chosen in its settings (the project's .gemini/settings.json over the user's; the
// system settings are not read), whether the folder is trusted, and the one .env file it loads
// (the first of .gemini/.env and .env up from the folder, then ~/.gemini/.env and ~/.env), whose
// variables never replace the environment's. An untrusted folder takes only the auth variables
// from a .env, and no .gemini/.env at all.

import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';

export interface GeminiEnvironment {
  /** GEMINI_CLI_HOME, else HOME: where ~/.gemini is. */
  readonly home: string;
  /** `security.auth.selectedType` and the settings file that chose it; null when none does. */
  readonly selected: { readonly type: string; readonly path: string } | null;
  /** The environment Gemini CLI runs with: the process's, and what the .env file adds. */
  readonly env: NodeJS.ProcessEnv;
  /** The .env file it loads, if any. */
  readonly envFile: string | null;
  /** The variables that came from that file. */
  readonly fromEnvFile: ReadonlySet<string>;
}

/** Taken from the .env of an untrusted folder (Gemini CLI's AUTH_ENV_VAR_WHITELIST). */
const AUTH_VARIABLES = ['GEMINI_API_KEY', 'GOOGLE_API_KEY', 'GOOGLE_CLOUD_PROJECT', 'GOOGLE_CLOUD_LOCATION'];

export function geminiEnvironment(env: NodeJS.ProcessEnv, cwd: string): GeminiEnvironment {
  const home = env.GEMINI_CLI_HOME || env.HOME || homedir();
  const user = readSettings(join(home, '.gemini', 'settings.json'));
  const trusted = isTrusted(env, home, cwd, user?.settings);
  // The folder's own settings count only where it is trusted.
  const project = trusted ? readSettings(join(cwd, '.gemini', 'settings.json')) : null;
  const selected = [project, user].map((s) => (s === null ? null : selectedType(s))).find((s) => s != null) ?? null;
  const envFile = findEnvFile(cwd, home, trusted);
  const added = new Set<string>();
  const merged: NodeJS.ProcessEnv = { ...env };
  if (envFile !== null) {
    for (const [key, value] of Object.entries(parseDotenv(readText(envFile)))) {
      if (!trusted && !AUTH_VARIABLES.includes(key)) continue;
      if (Object.hasOwn(env, key)) continue;
      merged[key] = value;
      added.add(key);
    }
  }
  return { home, selected, env: merged, envFile, fromEnvFile: added };
}

interface SettingsFile {
  readonly path: string;
  readonly settings: Record<string, unknown>;
}

/** A settings file (JSON with comments); null when absent or unreadable (Gemini CLI reports that itself). */
function readSettings(path: string): SettingsFile | null {
  const text = readText(path);
  if (text === '') return null;
  try {
    const parsed: unknown = JSON.parse(stripComments(text));
    return typeof parsed === 'object' && parsed !== null ? { path, settings: parsed as Record<string, unknown> } : null;
  } catch {
    return null; // not JSON: Gemini CLI says so when it starts
  }
}

function selectedType(file: SettingsFile): { type: string; path: string } | null {
  const type = (file.settings.security as { auth?: { selectedType?: unknown } } | undefined)?.auth?.selectedType;
  return typeof type === 'string' && type !== '' ? { type, path: file.path } : null;
}

/** checkPathTrust: the variable, then folder trust switched off, then the longest matching rule of trustedFolders.json. */
function isTrusted(env: NodeJS.ProcessEnv, home: string, cwd: string, user: Record<string, unknown> | undefined): boolean {
  if (env.GEMINI_RESTRICTED_MODE === 'true' || env.GEMINI_CLI_TRUST_WORKSPACE === 'false') return false;
  if (env.GEMINI_CLI_TRUST_WORKSPACE === 'true') return true;
  if ((user?.security as { folderTrust?: { enabled?: unknown } } | undefined)?.folderTrust?.enabled === false) return true;
  let rules: Record<string, unknown> = {};
  try {
    rules = JSON.parse(stripComments(readText(env.GEMINI_CLI_TRUSTED_FOLDERS_PATH || join(home, '.gemini', 'trustedFolders.json')))) as Record<string, unknown>;
  } catch {
    return false; // no rules: not trusted
  }
  const here = resolve(cwd);
  let best: { length: number; level: unknown } | null = null;
  for (const [rule, level] of Object.entries(rules)) {
    const folder = resolve(level === 'TRUST_PARENT' ? dirname(rule) : rule);
    const inside = here === folder || here.startsWith(folder.endsWith(sep) ? folder : folder + sep);
    if (inside && (best === null || rule.length > best.length)) best = { length: rule.length, level };
  }
  return best?.level === 'TRUST_FOLDER' || best?.level === 'TRUST_PARENT';
}

/** findEnvFile, for a folder whose local .env is not ignored. */
function findEnvFile(cwd: string, home: string, trusted: boolean): string | null {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    if (trusted && existsSync(join(dir, '.gemini', '.env'))) return join(dir, '.gemini', '.env');
    if (existsSync(join(dir, '.env'))) return join(dir, '.env');
    if (dirname(dir) === dir) break;
  }
  if (trusted && existsSync(join(home, '.gemini', '.env'))) return join(home, '.gemini', '.env');
  return existsSync(join(home, '.env')) ? join(home, '.env') : null;
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return ''; // absent or unreadable: nothing in it
  }
}

/** `//` and `/* *\/` comments outside strings, as Gemini CLI's settings allow. */
function stripComments(text: string): string {
  return text.replace(/("(?:[^"\\]|\\.)*")|\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (_m, str: string | undefined) => str ?? '');
}

/** The lines of a .env file as dotenv reads them: KEY=value, `export ` allowed, quotes and # comments. */
export function parseDotenv(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([\w.-]+)\s*=\s*(.*)?$/.exec(line);
    if (!m) continue;
    let value = (m[2] ?? '').trim();
    const quoted = /^(['"`])([\s\S]*?)\1\s*(?:#.*)?$/.exec(value);
    if (quoted) value = quoted[1] === '"' ? quoted[2]!.replace(/\\n/g, '\n') : quoted[2]!;
    else value = value.replace(/\s+#.*$/, '');
    vars[m[1]!] = value;
  }
  return vars;
}
