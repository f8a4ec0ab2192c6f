// The agent `run` uses can reach its model: it has a key or a sign-in for its model provider
// (`sign-in`), and the provider's base URL answers HTTP at all (`model`). For Codex both come from
// its own config.toml (`model_provider`, `[model_providers.<id>]`: base_url, env_key,
// requires_openai_auth), read as Codex reads it; for Claude Code and Gemini CLI from their
// variables and sign-in files.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AGENT_TITLES, codexHome, codexProvider, modelUrlOf, type AgentName } from '@pilothouse/runner';
import { credentialOf, SIGN_IN } from './agents.js';
import { fetchProblem, type Fetch } from './hub.js';
import { fail, ok, skip, type CheckResult } from './result.js';

/** Does the agent have what its model provider needs (a key, a sign-in)? */
export function checkSignIn(agent: AgentName, env: NodeJS.ProcessEnv): CheckResult {
  switch (agent) {
    case 'codex':
      return codexSignIn(env);
    case 'claude':
    case 'gemini': {
      const credential = credentialOf(agent, env);
      return credential === null ? fail('sign-in', `${AGENT_TITLES[agent]} has no key or sign-in`, SIGN_IN[agent]) : ok('sign-in', `${AGENT_TITLES[agent]}: ${credential}`);
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

/** What to do when the provider does not answer. */
function modelFix(agent: AgentName, env: NodeJS.ProcessEnv, url: string): string {
  switch (agent) {
    case 'codex': {
      const p = codexProvider(env);
      if (p.configPath !== null && p.id !== 'openai') return `start the model server at ${url}, or correct base_url of [model_providers.${p.id}] in ${p.configPath}`;
      return `check this machine's network and proxy (Codex needs ${url}), or set model_provider in ${join(codexHome(env), 'config.toml')}`;
    }
    case 'claude':
      return `check this machine's network and proxy, or ANTHROPIC_BASE_URL (${url})`;
    case 'gemini':
      return `check this machine's network and proxy, or GOOGLE_GEMINI_BASE_URL (${url})`;
    case 'acp':
      return 'check the agent\'s own configuration';
    default: {
      const never: never = agent;
      return never;
    }
  }
}

/** The provider's base URL answers HTTP (any status: it is there); a refused connection, a DNS failure or no answer within the deadline fails. */
export async function checkModel(agent: AgentName, deps: { env: NodeJS.ProcessEnv; fetch: Fetch; timeoutMs?: number }): Promise<CheckResult> {
  if (agent === 'acp') return skip('model', 'an ACP agent reaches its model its own way');
  const url = modelUrlOf(agent, deps.env);
  if (url === null) {
    const p = codexProvider(deps.env);
    return fail('model', `provider ${p.id} has no base_url`, `set base_url in [model_providers.${p.id}] of ${p.configPath ?? join(codexHome(deps.env), 'config.toml')}`);
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return fail('model', `"${url}" is not a URL`, modelFix(agent, deps.env, url));
  }
  try {
    const res = await deps.fetch(parsed, { method: 'GET', redirect: 'manual', signal: AbortSignal.timeout(deps.timeoutMs ?? 5_000) });
    await res.body?.cancel().catch(() => undefined);
    return ok('model', `model provider at ${url} answers (HTTP ${res.status})`);
  } catch (err) {
    return fail('model', `model provider at ${url} does not answer (${fetchProblem(err)})`, modelFix(agent, deps.env, url));
  }
}
