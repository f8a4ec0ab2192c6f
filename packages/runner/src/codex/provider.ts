// Which model provider Codex uses and where it is, read from its config.toml the way Codex reads
// it (https://github.com/openai/codex/blob/main/docs/config.md, "model_providers"): `model_provider`
// (or the active profile's), then `[model_providers.<id>]` for a provider of the user's own, else
// a built-in one. Only these keys are read; the rest of the file (inline tables, multi-line
// strings, MCP servers…) is skipped, never refused: the file is Codex's, not ours.

import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface CodexProvider {
  /** The provider id (`openai`, or the key of `[model_providers.<id>]`). */
  readonly id: string;
  readonly baseUrl: string;
  /** The variable that holds its API key (`env_key`), if it names one. */
  readonly envKey: string | null;
  /** It takes the OpenAI sign-in (`codex login`, auth.json or OPENAI_API_KEY): the built-in openai provider, or `requires_openai_auth = true`. */
  readonly openaiAuth: boolean;
  /** A token in the config itself (`experimental_bearer_token`). */
  readonly bearerInConfig: boolean;
  /** The file that said so; null when there is no config.toml (the built-in default). */
  readonly configPath: string | null;
  /** Where Codex keeps its sign-in (`cli_auth_credentials_store`): file (auth.json), keyring or auto. */
  readonly credentialsStore: string;
}

export const OPENAI_BASE_URL = 'https://api.openai.com/v1';

/** CODEX_HOME, else ~/.codex. */
export function codexHome(env: NodeJS.ProcessEnv): string {
  return env.CODEX_HOME || join(env.HOME ?? homedir(), '.codex');
}

type Scalar = string | boolean | number;
type Tables = Map<string, Map<string, Scalar>>;

/** `a."b.c".d` → ['a', 'b.c', 'd']. */
function segments(name: string): string[] {
  return [...name.matchAll(/\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*(?:\.|$)/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? '');
}

function scalar(text: string): Scalar | undefined {
  const v = text.trim();
  const basic = /^"((?:[^"\\]|\\.)*)"/.exec(v);
  if (basic) {
    try {
      return JSON.parse(`"${basic[1]!}"`) as string;
    } catch {
      return basic[1]!;
    }
  }
  const literal = /^'([^']*)'/.exec(v);
  if (literal) return literal[1]!;
  if (/^true\b/.test(v)) return true;
  if (/^false\b/.test(v)) return false;
  const n = /^[+-]?\d+\b/.exec(v);
  return n ? Number(n[0]) : undefined;
}

/** The string, boolean and integer keys of each table (`''` is the top level; names joined by NUL). */
export function scanCodexToml(text: string): Tables {
  const tables: Tables = new Map([['', new Map<string, Scalar>()]]);
  let table = '';
  for (const line of text.split(/\r?\n/)) {
    const header = /^\s*\[([^[\]]+)\]\s*(?:#.*)?$/.exec(line);
    if (header) {
      table = segments(header[1]!).join('\0');
      if (!tables.has(table)) tables.set(table, new Map());
      continue;
    }
    if (/^\s*\[\[/.test(line)) {
      table = '\0array';
      continue;
    }
    const kv = /^\s*("(?:[^"\\]|\\.)*"|[A-Za-z0-9_-]+)\s*=\s*(.*)$/.exec(line);
    if (!kv) continue;
    const value = scalar(kv[2]!);
    if (value === undefined) continue;
    const key = kv[1]!.startsWith('"') ? (segments(kv[1]!)[0] ?? kv[1]!) : kv[1]!;
    tables.get(table)?.set(key, value);
  }
  return tables;
}

const str = (v: Scalar | undefined): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** The provider Codex would use with this environment. */
export function codexProvider(env: NodeJS.ProcessEnv): CodexProvider {
  const path = join(codexHome(env), 'config.toml');
  let text: string | null;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    text = null;
  }
  const tables = scanCodexToml(text ?? '');
  const top = tables.get('')!;
  const profile = str(top.get('profile'));
  const id = (profile !== null ? str(tables.get(`profiles\0${profile}`)?.get('model_provider')) : null) ?? str(top.get('model_provider')) ?? 'openai';
  const own = tables.get(`model_providers\0${id}`);
  const base = { id, configPath: text === null ? null : path, credentialsStore: str(top.get('cli_auth_credentials_store')) ?? 'file' };
  if (own !== undefined) {
    return {
      ...base,
      baseUrl: str(own.get('base_url')) ?? (id === 'openai' ? OPENAI_BASE_URL : ''),
      envKey: str(own.get('env_key')),
      openaiAuth: own.get('requires_openai_auth') === true,
      bearerInConfig: str(own.get('experimental_bearer_token')) !== null,
    };
  }
  switch (id) {
    case 'ollama':
      return { ...base, baseUrl: env.CODEX_OSS_BASE_URL || `http://localhost:${env.CODEX_OSS_PORT || '11434'}/v1`, envKey: null, openaiAuth: false, bearerInConfig: false };
    case 'lmstudio':
      return { ...base, baseUrl: `http://localhost:${env.CODEX_OSS_PORT || '1234'}/v1`, envKey: null, openaiAuth: false, bearerInConfig: false };
    default:
      return { ...base, baseUrl: env.OPENAI_BASE_URL || str(top.get('openai_base_url')) || OPENAI_BASE_URL, envKey: null, openaiAuth: true, bearerInConfig: false };
  }
}
