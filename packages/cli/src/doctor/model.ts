// The agent `run` uses can reach its model: it has a key or a sign-in for its model provider
// (`sign-in`), and the provider's base URL answers HTTP at all (`model`). Each read as the agent
// reads it (the runner's providers): Codex from its config.toml (`model_provider`,
// `[model_providers.<id>]`: base_url, env_key, requires_openai_auth); Claude Code from its
// settings' `env` over the environment (route, base URL, credential); Gemini CLI from its auth
// type (settings, else the environment), its .env file and its sign-in files.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AGENT_TITLES, claudeProvider, codexHome, codexProvider, geminiProvider, modelUrlOf, type AgentName } from '@pilothouse/runner';
import { fetchProblem, type Fetch } from './hub.js';
import { fail, ok, skip, type CheckResult } from './result.js';

/** Does the agent have what its model provider needs (a key, a sign-in)? */
export function checkSignIn(agent: AgentName, env: NodeJS.ProcessEnv, cwd: string): CheckResult {
  switch (agent) {
    case 'codex':
      return codexSignIn(env);
    case 'claude': {
      const p = claudeProvider(env, cwd);
      const who = `Claude Code (${CLAUDE_ROUTES[p.route]})`;
      return p.credential === null
        ? fail('sign-in', `${who} has no key or sign-in`, 'set ANTHROPIC_API_KEY (or ANTHROPIC_AUTH_TOKEN for a gateway; in the environment or the `env` of ~/.claude/settings.json), or sign in once with `claude`')
        : ok('sign-in', `${who}: ${p.credential}`);
    }
    case 'gemini': {
      const p = geminiProvider(env, cwd);
      const who = p.auth === null ? 'Gemini CLI (no auth type chosen)' : `Gemini CLI (auth ${p.auth}, from ${p.authFrom ?? '?'})`;
      return p.credential === null ? fail('sign-in', `${who} has no key or sign-in`, p.fix) : ok('sign-in', `${who}: ${p.credential}`);
    }
    case 'acp':
      return skip('sign-in', 'an ACP agent signs in its own way');
    default: {
      const never: never = agent;
      return never;
    }
  }
}

function codexSignIn(env: NodeJS.ProcessEnv): CheckResult {
  const p = codexProvider(env);
  const where = p.configPath ?? `${join(codexHome(env), 'config.toml')} (absent: the built-in openai provider)`;
  if (p.openaiAuth) {
    if (env.OPENAI_API_KEY) return ok('sign-in', `Codex (provider ${p.id}): OPENAI_API_KEY is set`);
    if (env.CODEX_API_KEY) return ok('sign-in', `Codex (provider ${p.id}): CODEX_API_KEY is set`);
    const auth = join(codexHome(env), 'auth.json');
    if (existsSync(auth)) return ok('sign-in', `Codex (provider ${p.id}): signed in (${auth})`);
    // Kept in the system keyring: Codex reads it; doctor cannot without asking for it.
    if (p.credentialsStore !== 'file') return ok('sign-in', `Codex (provider ${p.id}): credentials kept in the ${p.credentialsStore} store (not checked)`);
    return fail('sign-in', `Codex (provider ${p.id}, from ${where}) needs an OpenAI sign-in: no ${auth} and no OPENAI_API_KEY`, 'sign in once with `codex login` (with the same CODEX_HOME), or set OPENAI_API_KEY; or use `pilothouse model --codex-home DIR` to try Pilothouse without an account');
  }
  if (p.envKey !== null) {
    if (env[p.envKey]) return ok('sign-in', `Codex (provider ${p.id}): ${p.envKey} is set`);
    return fail('sign-in', `Codex (provider ${p.id}) takes its key from ${p.envKey}, which is not set`, `set ${p.envKey} (env_key of [model_providers.${p.id}] in ${where})`);
  }
  return ok('sign-in', `Codex (provider ${p.id}): ${p.bearerInConfig ? 'a bearer token in its config.toml' : 'no key needed'}`);
}

const CLAUDE_ROUTES = { anthropic: 'Anthropic API', bedrock: 'Amazon Bedrock', vertex: 'Google Vertex AI' } as const;

/** What to do when the provider does not answer: the setting that named the URL, or the network. */
function modelFix(agent: AgentName, env: NodeJS.ProcessEnv, cwd: string, url: string): string {
  switch (agent) {
    case 'codex': {
      const p = codexProvider(env);
      if (p.configPath !== null && p.id !== 'openai') return `start the model server at ${url}, or correct base_url of [model_providers.${p.id}] in ${p.configPath}`;
      return `check this machine's network and proxy (Codex needs ${url}), or set model_provider in ${join(codexHome(env), 'config.toml')}`;
    }
    case 'claude':
    case 'gemini': {
      const p = agent === 'claude' ? claudeProvider(env, cwd) : geminiProvider(env, cwd);
      // A variable of the user's names it: the server there, or the variable, is what to fix.
      if (!p.baseUrlIsDefault) return `start the model server at ${url}, or correct ${p.baseUrlFrom}`;
      return `check this machine's network and proxy (${AGENT_TITLES[agent]} needs ${url}: ${p.baseUrlFrom})`;
    }
    case 'acp':
      return 'check the agent\'s own configuration';
    default: {
      const never: never = agent;
      return never;
    }
  }
}

/** The provider's base URL answers HTTP (any status: it is there); a refused connection, a DNS failure or no answer within the deadline fails. */
export async function checkModel(agent: AgentName, deps: { env: NodeJS.ProcessEnv; cwd: string; fetch: Fetch; timeoutMs?: number }): Promise<CheckResult> {
  if (agent === 'acp') return skip('model', 'an ACP agent reaches its model its own way');
  const url = modelUrlOf(agent, deps.env, deps.cwd);
  if (url === null) {
    const p = codexProvider(deps.env);
    return fail('model', `provider ${p.id} has no base_url`, `set base_url in [model_providers.${p.id}] of ${p.configPath ?? join(codexHome(deps.env), 'config.toml')}`);
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return fail('model', `"${url}" is not a URL`, modelFix(agent, deps.env, deps.cwd, url));
  }
  try {
    const res = await deps.fetch(parsed, { method: 'GET', redirect: 'manual', signal: AbortSignal.timeout(deps.timeoutMs ?? 5_000) });
    await res.body?.cancel().catch(() => undefined);
    return ok('model', `model provider at ${url} answers (HTTP ${res.status})`);
  } catch (err) {
    return fail('model', `model provider at ${url} does not answer (${fetchProblem(err)})`, modelFix(agent, deps.env, deps.cwd, url));
  }
}
