// The runner's shell: composes the parts and owns the order they start and close in. Before the
// core: bootstrap.ts (trust, the agent's binary, local state, session thread) and the agent's
// first thread (through its driver, agent/drivers.ts). Then session-loop.ts steps the core with
// hub events (hub client), agent inputs (the driver) and ticks (clock.ts); effect-runner.ts
// performs what it returns. Port forwarding sits behind port-wiring.ts; the owner's Codex TUI
// behind tui.ts. See docs/architecture.md.

import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { PilothouseError } from '@pilothouse/protocol';
import type { AgentBinary, OpenedAgentThread } from '../agent/driver.js';
import { agentTitle, createDriver, type AgentChoice } from '../agent/drivers.js';
import { modelProbeMsOf, modelUrlOf } from '../agent/model-provider.js';
import type { RuntimeOptions } from '../agent/runtime-options.js';
import type { CodexDriver } from '../codex/driver.js';
import { connectHub } from '../hub/client.js';
import { createSession, sessionConfig } from '../session/index.js';
import { reportResumeFailure } from './agent-thread.js';
import { allowedActors, openSessionThread, prepare, type SessionThread } from './bootstrap.js';
import { EffectRunner } from './effect-runner.js';
import { PortWiring } from './port-wiring.js';
import { SessionLoop } from './session-loop.js';
import { OwnerTui, terminalTui, tuiCommand, type TuiLauncher } from './tui.js';

export interface RunnerOptions {
  hubUrl: string;
  token: string;
  channel: string;
  cwd: string;
  /** Pilothouse's own folder (trust list, runner state): PILOTHOUSE_HOME or ~/.pilothouse. */
  home: string;
  logger: Logger;
  /** Default: the token's user. */
  listenUser?: string | undefined;
  allow: string[];
  runtime: RuntimeOptions;
  streamFlushMs: number;
  approvalTimeoutMs: number | null;
  resume: boolean;
  /** The agent to drive (`--agent`); default Codex. */
  agent?: AgentChoice | undefined;
  /** The environment the agent runs in (CODEX_HOME, API keys): the user's own by default. */
  env?: NodeJS.ProcessEnv;
  name?: string;
  /** Keep retrying while the hub is unreachable at start instead of failing. */
  waitForHub?: boolean;
  /**
   * Share the session with the owner's Codex TUI (`--tui`, docs/decisions/tui-mirror.md): true runs
   * it on this terminal, a launcher runs it elsewhere. The runner closes when the TUI exits.
   */
  tui?: boolean | TuiLauncher;
  /** Markdown shown under the session row's first line (the thread's first row) of a new session, e.g. a README. */
  intro?: string;
  /** `--forward`: ports whose previews are approved from the start. */
  forward?: readonly number[];
  /** Ports never offered as previews. */
  suppressPorts?: readonly number[];
  /** Watch the agent's processes for listening ports (default: on Linux through /proc, on macOS through ps and lsof). */
  watchPorts?: boolean;
  /** How often the port watcher scans; default 1000 ms. */
  portScanMs?: number;
}

export interface RunningRunner {
  threadId: string;
  runnerId: string;
  /** The agent it drives, as found and checked: its name (`codex`, `claude`, `gemini`, an ACP agent's own), version and binary. */
  agent: AgentBinary;
  /** Resolves when the session ends (close(), or a fatal error). */
  done: Promise<void>;
  close(reason?: string): Promise<void>;
}

export async function startRunner(opts: RunnerOptions): Promise<RunningRunner> {
  const log = opts.logger;
  const choice = opts.agent ?? { name: 'codex' };
  if (opts.tui && choice.name !== 'codex') throw new PilothouseError('bad_request', `--tui opens Codex's own terminal UI; it cannot be used with --agent ${choice.name}.`);
  const prepared = await prepare({ ...opts, agent: choice, log });
  const { cwd, instanceId } = prepared;
  const loop = new SessionLoop();
  const ports = new PortWiring({ ...opts, log, state: () => loop.state, feed: loop.feed });
  const hub = await connectHub({
    url: opts.hubUrl,
    token: opts.token,
    channel: opts.channel,
    cursor: prepared.cursor,
    logger: log,
    waitForHub: opts.waitForHub ?? false,
    runner: {
      runner_id: prepared.runnerId,
      instance_id: instanceId,
      name: opts.name ?? hostname(),
      cwd,
      agent: { name: prepared.agentBinary.name, version: prepared.agentBinary.version },
      capabilities: ['stream', 'approvals', 'interrupt', 'previews', ...(opts.tui ? ['tui'] : [])],
    },
    onEvent: loop.hubEvent,
    onDirective: ports.directive,
    onState: ports.hubState,
  });
  const me = hub.joinReply.user;
  const listen = opts.listenUser ?? me.name;
  const allowed = allowedActors(me, listen, opts.allow);

  // With the TUI, Codex listens on a private Unix socket that both clients join; the TUI cannot
  // follow a restarted app-server, so the session ends with it.
  const tui = opts.tui ? new OwnerTui() : null;
  const agent = createDriver(
    choice,
    prepared.agentBinary,
    { cwd, env: opts.env ?? process.env, instanceId, runtime: opts.runtime, log, feed: loop.feed },
    { socketPath: tui?.socket.path ?? null, threadName: tui ? `Pilothouse ${opts.channel}` : null, onLost: tui ? () => void close('Codex exited') : null },
  );
  const postRow = (row: Parameters<typeof hub.push<'post_row'>>[1]) => hub.push('post_row', row);

  // The agent thread (resumed, or new), then the session thread: the one we ran before
  // (--resume), or a new root row. A failure on the way leaves no runner connected.
  let opened: OpenedAgentThread, session: SessionThread;
  try {
    opened = await agent.openThread(prepared.resumed?.codex_thread_id ?? null);
    session = await openSessionThread(hub, prepared, opened.threadId, { listen, allowed, runtime: opts.runtime, intro: opts.intro });
  } catch (err) {
    await agent.close();
    tui?.remove();
    await hub.close();
    throw err;
  }
  const { threadId } = session;
  const agentThreadId = opened.threadId;
  if (opened.resumeFailure) reportResumeFailure(postRow, log, threadId, opened.resumeFailure, agentThreadId);

  const effects = new EffectRunner({
    hub,
    agent,
    ports,
    feed: loop.feed,
    log,
    bound: () => loop.state?.bound ?? threadId,
    allowed: allowed.map((a) => a.name),
    remember: (id, agentId) => prepared.remember(id, agentId),
  });
  const config = sessionConfig({
    threadId,
    agentThreadId,
    threads: prepared.older().map((o) => ({ threadId: o.thread_id, agentThreadId: o.codex_thread_id })),
    allowed,
    policy: opened.policy,
    agentTitle: agentTitle(choice, prepared.agentBinary),
    flushMs: opts.streamFlushMs,
    approvalTimeoutMs: opts.approvalTimeoutMs,
    previews: ports.config(instanceId, opts.forward ?? [], opts.suppressPorts ?? [], () => agent.pid),
    modelUrl: modelUrlOf(choice.name, opts.env ?? process.env, cwd),
    modelProbeMs: modelProbeMsOf(choice.name),
  });
  ports.attach((event, payload) => hub.push(event, payload));
  loop.start(createSession(config, prepared.cursor.load() ?? 0), effects.perform, session.recovered);
  log.info({ event: 'session_started', thread_id: threadId, agent: prepared.agentBinary.name, agent_thread_id: agentThreadId, listen_user: listen, allowed: allowed.map((a) => a.name) }, 'session started');

  // The close order: the owner's terminal first (the TUI leaves it as it found it; its exit calls
  // close() again, which waits for this one), then the core's last effects, port forwarding, the
  // clock and the batched ack, the hub (drained), the agent, and the TUI's socket.
  let closing: Promise<void> | null = null;
  let ended = (): void => {};
  const done = new Promise<void>((resolve) => (ended = resolve));
  const close = (reason = 'runner closed'): Promise<void> =>
    (closing ??= (async () => {
      await tui?.stop();
      loop.feed({ type: 'close', now: Date.now(), reason });
      agent.stopping();
      ports.close();
      loop.stopClock();
      effects.stop();
      const report = await hub.close({ drainTimeoutMs: 5000 });
      if (report.unacknowledged.length > 0) log.warn({ event: 'unacknowledged_on_close', count: report.unacknowledged.length }, 'some pushes were not acknowledged');
      await agent.close();
      tui?.remove();
      ended();
    })());

  const remote = tui ? (agent as CodexDriver).current?.remoteAddress : undefined;
  if (tui && remote) {
    const launch = typeof opts.tui === 'function' ? opts.tui : terminalTui;
    tui.launch(launch, tuiCommand(prepared.agentBinary.path, remote, agentThreadId, cwd, opts.env ?? process.env), (how) => {
      log.info({ event: 'tui_exited', how }, 'the Codex TUI exited');
      void close(`the Codex TUI exited (${how})`);
    });
  }
  return { threadId, runnerId: prepared.runnerId, agent: prepared.agentBinary, done, close };
}
