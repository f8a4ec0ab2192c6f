// What happens before the session core starts: check trust and the agent's binary, load what this
// runner remembers (local-state.ts), end what a dead earlier process left (`--resume`), then open
// the session thread (the one ran before, or a new root row) and read back what it holds.

import { randomUUID } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { PilothouseError, type JoinReply } from '@pilothouse/protocol';
import { sessionMarker, type AgentBinary } from '../agent/driver.js';
import { agentTitle, locateAgent, refusedRuntime, type AgentChoice } from '../agent/drivers.js';
import { AgentError } from '../agent/errors.js';
import type { RuntimeOptions } from '../agent/runtime-options.js';
import type { HubClient } from '../hub/api.js';
import { fileCursor, type CursorStore } from '../hub/cursor.js';
import { TrustStore } from '../local/trust.js';
import type { AllowedActor, ThreadSnapshot } from '../session/index.js';
import { LocalStateStore, rememberSession, stagedCursor, type LocalState } from './local-state.js';
import { endLeftovers, readThread } from './restart.js';

export interface Prepared {
  readonly cwd: string;
  readonly agent: AgentChoice;
  readonly agentBinary: AgentBinary;
  readonly runnerId: string;
  /** This process: its marker is in the environment of everything its agent starts. */
  readonly instanceId: string;
  /** The session `--resume` re-attaches to; null for a new one. */
  readonly resumed: NonNullable<LocalState['session']> | null;
  readonly cursor: CursorStore;
  /** Remembers the session (hub thread + agent thread) for a later `--resume`; the one it replaces becomes an older one. */
  remember(threadId: string, agentThreadId: string): void;
  /** The earlier sessions here, newest first (a reply in one of their threads re-binds the session). */
  older(): LocalState['older'];
  /** The new session is saved: its cursor now writes through (a no-op on resume). */
  commitCursor(): void;
}

export async function prepare(opts: { cwd: string; home: string; hubUrl: string; channel: string; resume: boolean; agent: AgentChoice; runtime: RuntimeOptions; env?: NodeJS.ProcessEnv | undefined; log: Logger }): Promise<Prepared> {
  const cwd = realpathSync(opts.cwd);
  if (!new TrustStore(opts.home).trustedRoot(cwd)) {
    throw new PilothouseError('forbidden', `The folder ${cwd} is not trusted; trust it first with: pilothouse trust ${cwd}`);
  }
  const agentBinary = await locateAgent(opts.agent, opts.env ?? process.env);
  // Options the agent cannot honour are refused before anything starts, never dropped.
  const refused = refusedRuntime(opts.agent, agentBinary, opts.runtime);
  if (refused !== null) throw new AgentError('agent_option_unsupported', refused);
  const local = new LocalStateStore(opts.home, { hubUrl: opts.hubUrl, channel: opts.channel, cwd });
  const saved = local.load();
  const resumed = opts.resume ? saved.session : null;
  if (opts.resume && !resumed) throw new PilothouseError('not_found', 'No earlier session to resume here; start one without --resume.');
  const ranWith = resumed?.agent ?? 'codex';
  if (resumed && ranWith !== opts.agent.name)
    throw new PilothouseError('bad_request', `The session here ran ${ranWith}; resume it with --agent ${ranWith}, or start a new ${opts.agent.name} session without --resume.`);
  // A resumed session reads on from its saved cursor; a new one from the channel's head, saved
  // only once the new session is (the previous one stays resumable if this start fails).
  const staged = resumed ? null : stagedCursor(fileCursor(local.cursorFile));
  const instanceId = randomUUID();
  let current = saved;
  if (resumed) {
    // The earlier process's Codex and the commands it ran must not outlive it (docs/protocol.md, "Runner restarts").
    if (resumed.instance_id) await endLeftovers(sessionMarker(resumed.instance_id), opts.log);
    current = { ...saved, session: { ...resumed, instance_id: instanceId } };
    local.save(current);
  }
  return {
    cwd,
    agent: opts.agent,
    agentBinary,
    runnerId: saved.runner_id,
    instanceId,
    resumed,
    cursor: staged ?? fileCursor(local.cursorFile),
    remember(threadId, agentThreadId) {
      current = rememberSession(current, { thread_id: threadId, codex_thread_id: agentThreadId, agent: opts.agent.name, instance_id: instanceId });
      local.save(current);
    },
    older: () => current.older,
    commitCursor: () => staged?.commit(),
  };
}

/** Who may steer: the listen user (the token's user by default) and `--allow` names. */
export function allowedActors(me: JoinReply['user'], listen: string, allow: readonly string[]): AllowedActor[] {
  return [
    listen.toLowerCase() === me.name.toLowerCase() ? { name: me.name, user_id: me.user_id } : { name: listen },
    ...allow.filter((n) => n.toLowerCase() !== listen.toLowerCase()).map((name) => ({ name })),
  ];
}

export interface SessionThread {
  readonly threadId: string;
  /** What the dead process left (`--resume`): read before any hub event reaches the session. */
  readonly recovered: ThreadSnapshot | null;
}

/** The session thread: the one ran before (`--resume`), or a new root row; then saved, and presence set. */
export async function openSessionThread(
  hub: HubClient,
  prepared: Prepared,
  agentThreadId: string,
  root: { listen: string; allowed: readonly AllowedActor[]; runtime: RuntimeOptions; intro?: string | undefined },
): Promise<SessionThread> {
  const { cwd, resumed } = prepared;
  const allowed = root.allowed.map((a) => a.name);
  let threadId: string;
  if (resumed) threadId = resumed.thread_id;
  else {
    const row = await hub.push('post_row', {
      client_id: `session:${prepared.runnerId}:${randomUUID()}`,
      kind: 'session',
      body: `${agentTitle(prepared.agent, prepared.agentBinary)} session in \`${cwd}\`. Reply in this thread to steer it (listen user: ${root.listen}).${root.intro ? `\n\n${root.intro}` : ''}`,
      // SessionRowMeta (packages/protocol row-meta.ts): the web signs agent rows with agent, runner and host.
      meta: { cwd, agent: prepared.agentBinary.name, agent_version: prepared.agentBinary.version, listen_user: root.listen, host: hostname(), allowed, ...root.runtime },
    });
    threadId = row.thread_id;
  }
  prepared.remember(threadId, agentThreadId);
  prepared.commitCursor();
  const recovered = resumed ? await readThread(hub, threadId) : null;
  await hub.push('runner_status', { status: 'idle', thread_id: threadId, allowed });
  return { threadId, recovered };
}
