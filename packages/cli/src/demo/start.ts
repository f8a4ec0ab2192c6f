// `pilothouse demo`, the parts in order: a scratch folder; the hub on a scratch SQLite store; a demo
// user, channel, token and membership; the scripted model answering the demo's cues; a scratch git
// repository, trusted in a scratch PILOTHOUSE_HOME; the real Codex (its own CODEX_HOME, pointed at
// the scripted model) behind a real runner whose session row (the thread's first) carries the
// README; a sign-in link.
// Each part registers how to stop it as soon as it runs, so shutdown works at any point.

import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createLogger } from '../logger.js';
import { PilothouseError } from '@pilothouse/protocol';
import { DEFAULT_WEB_ROOT, createSignInLink, digest, newToken, startHub, type RunningHub } from '@pilothouse/hub';
import { AGENT_TITLES, TrustStore, startRunner, type RunningRunner } from '@pilothouse/runner';
import { DEMO_SCRIPT_PATH, cueResponder, loadCueScript, startScriptedModel } from '@pilothouse/scripted-model';
import type { Cleanup } from './cleanup.js';
import { DEMO_GEMINI_MODEL, writeDemoAgentHome, type DemoAgent } from './agent-home.js';
import { descendants, endAll, signal, type Proc } from './process-tree.js';
import type { Progress } from './progress.js';
import { DEMO_README, createDemoRepo } from './repo.js';

const DEMO_USER = 'demo';
const DEMO_CHANNEL = { workspace: 'demo', channel: 'playground' } as const;
const CHANNEL = `${DEMO_CHANNEL.workspace}/${DEMO_CHANNEL.channel}`;

export interface DemoOptions {
  readonly port: number;
  /** Leave the scratch folder (store, repository, logs) in place at the end. */
  readonly keep: boolean;
  readonly progress: Progress;
  readonly cleanup: Cleanup;
  /** Aborted when the demo is to stop: starting gives up after the step under way. */
  readonly signal: AbortSignal;
  /** The environment the agent starts from (every agent's credentials are removed). */
  readonly env: NodeJS.ProcessEnv;
  /** The agent to show (default Codex). */
  readonly agent?: DemoAgent;
  readonly webRoot?: string;
  /** Told where the log goes as soon as it exists (to show its tail if something fails). */
  readonly onLog?: (file: string) => void;
}

export interface RunningDemo {
  readonly url: string;
  readonly signInUrl: string;
  readonly token: string;
  readonly channel: string;
  readonly threadId: string;
  readonly scratch: string;
  readonly logFile: string;
  /** A fresh one-time link to the session thread. */
  newSignInUrl(): Promise<string>;
  /** Resolves if the runner stops by itself (Codex died, the hub refused it…). */
  readonly runnerDone: Promise<void>;
}

/** Thrown at the first step boundary after the demo was asked to stop; the command does the rest. */
export class DemoStopped extends Error {}

export async function startDemo(opts: DemoOptions): Promise<RunningDemo> {
  const { progress, cleanup } = opts;
  const checkpoint = () => {
    if (opts.signal.aborted) throw new DemoStopped('stopped while starting');
  };
  const webRoot = opts.webRoot ?? DEFAULT_WEB_ROOT;
  if (!existsSync(join(webRoot, 'index.html'))) {
    throw new PilothouseError('not_found', `the web UI is not built (no ${join(webRoot, 'index.html')}); build it with \`npm run build\`, or start the demo with \`npm run demo\`, which builds it when missing`);
  }

  const scratch = mkdtempSync(join(tmpdir(), 'pilothouse-demo-'));
  const removeScratch = () => {
    if (!opts.keep) rmSync(scratch, { recursive: true, force: true });
  };
  cleanup.add('scratch folder', () => {
    if (opts.keep) progress.note(`Kept the scratch folder ${scratch}`);
    removeScratch();
  });
  // Forced: kill every process below this one at once, then remove the folder.
  cleanup.onForce(removeScratch);
  cleanup.onForce(() => signal(descendants(), 'SIGKILL'));
  const dirs = { data: join(scratch, 'hub-data'), home: join(scratch, 'pilothouse-home'), agentHome: join(scratch, 'agent-home'), repo: join(scratch, 'pilothouse-demo'), logs: join(scratch, 'logs') };
  mkdirSync(dirs.logs);
  const logFile = join(dirs.logs, 'demo.log');
  const logger = createLogger('info', pino.destination({ dest: logFile, sync: true }));
  opts.onLog?.(logFile);
  progress.note(`Starting the Pilothouse demo in ${scratch} (${opts.keep ? 'kept' : 'removed'} when it stops)`);
  checkpoint();

  const hub = await progress.step(
    'hub',
    async () => {
      try {
        return await startHub({ host: '127.0.0.1', port: opts.port, store: { kind: 'sqlite', dataDir: dirs.data }, logger: logger.child({ part: 'hub' }), webRoot });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
        throw new PilothouseError('bad_request', `port ${opts.port} on 127.0.0.1 is taken by another program; pick another with --port N (or --port 0 for any free port)`, undefined, { cause: err });
      }
    },
    (h) => `${h.url} with a scratch SQLite store`,
  );
  cleanup.add('hub', () => hub.close());
  checkpoint();

  const people = await progress.step('demo user, channel and token', () => seed(hub), () => `${DEMO_USER} in ${CHANNEL}`);
  checkpoint();

  const model = await progress.step(
    'scripted model',
    async () => startScriptedModel({ respond: cueResponder(await loadCueScript(DEMO_SCRIPT_PATH)) }),
    (m) => `${m.url} answering the demo's cues`,
  );
  cleanup.add('scripted model', () => model.close());
  checkpoint();

  await progress.step(
    'demo repository',
    async () => {
      const made = await createDemoRepo(dirs.repo);
      // The runner starts Codex only in trusted folders: trusted here, in the scratch PILOTHOUSE_HOME.
      new TrustStore(dirs.home).add(dirs.repo);
      return made;
    },
    (made) => `${dirs.repo}${made.git ? ', a git repository, trusted' : ` (trusted; no git: ${made.reason})`}`,
  );
  checkpoint();

  const agent = opts.agent ?? 'codex';
  const agentEnv = writeDemoAgentHome(agent, dirs.agentHome, model.url, opts.env);
  // What already runs below this process (tsx's esbuild service) is not the agent's to stop.
  const ours = new Set(descendants().map((p) => p.pid));
  const runner = await progress.step(
    `${AGENT_TITLES[agent]} and the runner`,
    () =>
      startRunner({
        hubUrl: hub.url,
        token: people.token,
        channel: CHANNEL,
        cwd: dirs.repo,
        home: dirs.home,
        logger: logger.child({ part: 'runner' }),
        allow: [],
        // Codex takes its settings from the demo's CODEX_HOME; Gemini CLI is given a model (no routing call).
        runtime: agent === 'gemini' ? { model: DEMO_GEMINI_MODEL } : {},
        streamFlushMs: 150,
        approvalTimeoutMs: null,
        resume: false,
        agent: { name: agent },
        env: agentEnv,
        // The demo repository's README, under the session row's first line: what to type.
        intro: DEMO_README,
      }),
    (r) => `${r.agent.name} ${r.agent.version}, session thread ${r.threadId}`,
  );
  cleanup.add('runner, the agent and what it started', () => stopRunner(runner, (p) => !ours.has(p.pid)));
  checkpoint();

  const threadPath = `/c/${CHANNEL}/t/${runner.threadId}`;
  const newSignInUrl = async () => `${hub.url}${(await createSignInLink(hub.store, { userId: people.userId, next: threadPath })).path}`;
  return {
    url: hub.url,
    signInUrl: await newSignInUrl(),
    token: people.token,
    channel: CHANNEL,
    threadId: runner.threadId,
    scratch,
    logFile,
    newSignInUrl,
    runnerDone: runner.done,
  };
}

async function seed(hub: RunningHub): Promise<{ userId: string; channelId: string; token: string }> {
  const user = await hub.store.createUser({ name: DEMO_USER, passwordHash: null, admin: true });
  const channel = await hub.store.createChannel(DEMO_CHANNEL);
  await hub.store.addMember(channel.id, user.id);
  const token = newToken();
  await hub.store.createToken({ userId: user.id, tokenHash: digest(token), label: 'pilothouse demo' });
  return { userId: user.id, channelId: channel.id, token };
}

/**
 * The runner closes Codex; what the agent started (a dev server) may outlive it, re-parented away
 * from us. So: note every process below this one first, close the runner, then end whatever of
 * those (and of any started meanwhile) is still there.
 */
async function stopRunner(runner: RunningRunner, agents: (p: Proc) => boolean): Promise<void> {
  const before = descendants().filter(agents);
  await Promise.race([runner.close('the demo stopped'), new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
  const left = await endAll([...before, ...descendants().filter(agents)]);
  if (left.length > 0) throw new Error(`processes ${left.map((p) => p.pid).join(', ')} would not stop`);
}
