import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { codexProvider, OPENAI_BASE_URL, scanCodexToml } from './provider.js';

const scratch = mkdtempSync(join(tmpdir(), 'ph-codex-provider-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function home(name: string, toml: string | null): string {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  if (toml !== null) writeFileSync(join(dir, 'config.toml'), toml);
  return dir;
}

describe("Codex's model provider", () => {
  it('no config.toml: the built-in openai provider (OPENAI_BASE_URL wins), with the OpenAI sign-in', () => {
    const dir = home('none', null);
    expect(codexProvider({ CODEX_HOME: dir })).toEqual({ id: 'openai', baseUrl: OPENAI_BASE_URL, envKey: null, openaiAuth: true, bearerInConfig: false, configPath: null, credentialsStore: 'file' });
    expect(codexProvider({ CODEX_HOME: dir, OPENAI_BASE_URL: 'http://proxy/v1' }).baseUrl).toBe('http://proxy/v1');
    expect(codexProvider({ HOME: scratch }).configPath).toBeNull();
  });

  it('a provider of its own: base_url, env_key, requires_openai_auth; a profile picks another one', () => {
    const dir = home(
      'own',
      [
        'model_provider = "mine" # the local one',
        'profile = "work"',
        'cli_auth_credentials_store = "keyring"',
        '[mcp_servers.docs]',
        'args = ["-y", { a = 1 }]',
        '[model_providers.mine]',
        "base_url = 'http://127.0.0.1:4870/v1'",
        'env_key = "MINE_KEY"',
        '[model_providers."azure.work"]',
        'base_url = "https://x.openai.azure.com/openai"',
        'requires_openai_auth = true',
        '[profiles.work]',
        'model_provider = "azure.work"',
        '[[skills]]',
        'base_url = "not this"',
      ].join('\n'),
    );
    expect(codexProvider({ CODEX_HOME: dir })).toEqual({
      id: 'azure.work',
      baseUrl: 'https://x.openai.azure.com/openai',
      envKey: null,
      openaiAuth: true,
      bearerInConfig: false,
      configPath: join(dir, 'config.toml'),
      credentialsStore: 'keyring',
    });
    const plain = home('plain', 'model_provider = "mine"\n[model_providers.mine]\nbase_url = "http://127.0.0.1:4870/v1"\nenv_key = "MINE_KEY"\n');
    expect(codexProvider({ CODEX_HOME: plain })).toMatchObject({ id: 'mine', baseUrl: 'http://127.0.0.1:4870/v1', envKey: 'MINE_KEY', openaiAuth: false });
  });

  it('built-in local providers; the scan skips what it does not read', () => {
    expect(codexProvider({ CODEX_HOME: home('ollama', 'model_provider = "ollama"\n') })).toMatchObject({ id: 'ollama', baseUrl: 'http://localhost:11434/v1', openaiAuth: false });
    expect(scanCodexToml('a = """\nmulti\n"""\nb = "x\\"y"\n').get('')?.get('b')).toBe('x"y');
  });
});
