// `pilothouse doctor`: every check, in a fixed order, with its dependencies injected.

import { pilothouseHome } from '@pilothouse/runner';
import { checkAgent, OTHER_AGENTS, type LocateAgent } from './agents.js';
import { checkCodex, type Locate } from './codex.js';
import { checkConfig } from './config.js';
import { realExec, type Exec } from './exec.js';
import { checkHub, checkToken, type Fetch } from './hub.js';
import { checkModel, checkSignIn } from './model.js';
import { checkNode } from './node.js';
import type { CheckResult } from './result.js';
import { checkSandbox } from './sandbox.js';
import { checkTrust } from './trust.js';

export { allPassed, formatJson, formatLine, type CheckResult, type CheckStatus } from './result.js';

export interface DoctorDeps {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly hub?: string | undefined;
  readonly token?: string | undefined;
  readonly nodeVersion?: string;
  readonly platform?: NodeJS.Platform;
  readonly fetch?: Fetch;
  readonly exec?: Exec;
  readonly locate?: Locate;
  readonly locateAgent?: LocateAgent;
}

/** Runs the independent checks concurrently; results come back in a fixed order. */
export async function runDoctor(deps: DoctorDeps): Promise<CheckResult[]> {
  const fetchFn = deps.fetch ?? fetch;
  const home = pilothouseHome(deps.env);
  // The file fills in what no flag or environment variable gave.
  const config = checkConfig(home);
  const hubUrl = deps.hub ?? config.config?.hub;
  const token = deps.token ?? config.config?.token;
  const codexAndSandbox = async (): Promise<CheckResult[]> => {
    const codex = await checkCodex({ env: deps.env, ...(deps.locate ? { locate: deps.locate } : {}) });
    const sandbox = await checkSandbox({ platform: deps.platform ?? process.platform, codex: codex.binary, env: deps.env, exec: deps.exec ?? realExec });
    return [codex.result, sandbox];
  };
  const hubAndToken = async (): Promise<CheckResult[]> => {
    const hub = await checkHub({ hub: hubUrl, fetch: fetchFn });
    return [hub.result, await checkToken({ hub: hubUrl, token, fetch: fetchFn, reachable: hub.reachable })];
  };
  // The agent `run` uses (config.toml's agent, else Codex) must be ready; the others are told about.
  const chosen = config.config?.run.agent ?? 'codex';
  const others = () =>
    Promise.all(OTHER_AGENTS.map((agent) => checkAgent(agent, { env: deps.env, cwd: deps.cwd, required: chosen === agent, ...(deps.locateAgent ? { locate: deps.locateAgent } : {}) })));
  // That agent has a key or sign-in, and its model provider answers.
  const model = () => checkModel(chosen, { env: deps.env, cwd: deps.cwd, fetch: fetchFn });
  const [codex, agents, reach, hub] = await Promise.all([codexAndSandbox(), others(), model(), hubAndToken()]);
  return [checkNode(deps.nodeVersion), config.result, ...codex, ...agents, checkSignIn(chosen, deps.env, deps.cwd), reach, ...hub, checkTrust({ home, cwd: deps.cwd })];
}
