// The runner's shell: checks trust and the Codex binary, connects to the hub, opens (or resumes)
// the session thread and the Codex thread, then feeds every hub event, Codex notification, server
// request and clock tick to the pure session core and performs the effects it returns, in order.
// Port forwarding lives in the session (session/previews/): the shell scans when asked, performs
// preview_open / preview_close, and feeds the replies and reconnects back.

import { randomBytes, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { realpathSync } from 'node:fs';
import type { Logger } from 'pino';
import { PilothouseError, toPilothouseError, type ChannelEvent } from '@pilothouse/protocol';
import { startCodex, type CodexAppServer } from '../codex/app-server.js';
import { locateCodex, PINNED_CODEX_VERSION } from '../codex/locate.js';
import type { ThreadResumeResponse, ThreadStartResponse } from '../codex/generated/v2/index.js';
import type { ServerRequestAnswer } from '../codex/methods.js';
import { policyInForce, threadStartParams, turnOverrides, type RuntimeOptions } from '../codex/runtime-options.js';
import { connectHub } from '../hub/client.js';
import { createTunnelClient, type TunnelClient } from '../tunnel/tunnel-client.js';
import type { HubClient } from '../hub/api.js';
import { fileCursor } from '../hub/cursor.js';
import { TrustStore } from '../local/trust.js';
import { createSession, nextDeadline, previewApproved, sessionConfig, step, type Effect, type SessionInput, type SessionState, type ThreadSnapshot } from '../session/index.js';
import { listenerScanner } from './listener-scan.js';
import { LocalStateStore, stagedCursor } from './local-state.js';
import { endLeftovers, readThread } from './restart.js';
import { privateSocket, terminalTui, tuiCommand, type TuiLauncher, type TuiProcess } from './tui.js';

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
  codexBin?: string | undefined;
  /** The environment Codex runs in (CODEX_HOME, API keys): the user's own by default. */
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

/** Set in Codex's environment, inherited by everything the agent starts: how the port watcher finds a dev server that left Codex's process tree. */
const SESSION_MARKER_ENV = 'PILOTHOUSE_SESSION';

export interface RunningRunner {
  threadId: string;
  runnerId: string;
  /** Resolves when the session ends (close(), or a fatal error). */
  done: Promise<void>;
  close(reason?: string): Promise<void>;
}

export async function startRunner(opts: RunnerOptions): Promise<RunningRunner> {
  const log = opts.logger;
  const cwd = realpathSync(opts.cwd);
  if (!new TrustStore(opts.home).trustedRoot(cwd)) {
    throw new PilothouseError('forbidden', `The folder ${cwd} is not trusted; trust it first with: pilothouse trust ${cwd}`);
  }
  const codexBin = await locateCodex({ ...(opts.codexBin ? { bin: opts.codexBin } : {}), ...(opts.env ? { env: opts.env } : {}) });
  const local = new LocalStateStore(opts.home, { hubUrl: opts.hubUrl, channel: opts.channel, cwd });
  const saved = local.load();
  const resumeSession = opts.resume ? saved.session : null;
  if (opts.resume && !resumeSession) throw new PilothouseError('not_found', 'No earlier session to resume here; start one without --resume.');
  // A resumed session reads on from its saved cursor; a new one from the channel's head, saved
  // only once the new session is (the previous one stays resumable if this start fails).
  const staged = resumeSession ? null : stagedCursor(fileCursor(local.cursorFile));
  const instanceId = randomUUID();
  if (resumeSession) {
    // The earlier process's Codex and the commands it ran must not outlive it (docs/protocol.md, "Runner restarts").
    if (resumeSession.instance_id) await endLeftovers(`${SESSION_MARKER_ENV}=${resumeSession.instance_id}`, log);
    local.save({ ...saved, session: { ...resumeSession, instance_id: instanceId } });
  }
  const cursor = staged ?? fileCursor(local.cursorFile);

  let closing = false;
  // Hub events that arrive before the session exists wait here, in order.
  let session: SessionState | null = null;
  const early: ChannelEvent[] = [];
  let feed: (input: SessionInput) => void = () => {};
  // The tunnel serves previews the session holds approved, only.
  let wasConnected = false;
  const tunnel: TunnelClient = createTunnelClient({
    hubUrl: opts.hubUrl,
    token: opts.token,
    logger: log,
    isApproved: (previewId, port) => previewApproved(session?.previews ?? null, previewId, port),
  });
  const hub: HubClient = await connectHub({
    url: opts.hubUrl,
    token: opts.token,
    channel: opts.channel,
    cursor,
    logger: log,
    waitForHub: opts.waitForHub ?? false,
    runner: {
      runner_id: saved.runner_id,
      instance_id: instanceId,
      name: opts.name ?? hostname(),
      cwd,
      agent: { name: 'codex', version: PINNED_CODEX_VERSION },
      capabilities: ['stream', 'approvals', 'interrupt', 'previews', ...(opts.tui ? ['tui'] : [])],
    },
    onEvent: (event) => (session ? feed({ type: 'hub_event', now: Date.now(), event }) : early.push(event)),
    onDirective: (directive) => {
      switch (directive.type) {
        case 'tunnel_open':
          tunnel.handle(directive.payload);
          return;
        default:
          throw new Error(`unhandled directive ${JSON.stringify(directive.type satisfies never)}`);
      }
    },
    onState: (state) => {
      if (state.status !== 'connected') return;
      // A rejoin after a loss: the hub may have restarted and forgotten our previews.
      if (wasConnected) feed({ type: 'hub_reconnected', now: Date.now() });
      wasConnected = true;
    },
  });

  const me = hub.joinReply.user;
  const listen = opts.listenUser ?? me.name;
  const allowed = [
    listen.toLowerCase() === me.name.toLowerCase() ? { name: me.name, user_id: me.user_id } : { name: listen },
    ...opts.allow.filter((n) => n.toLowerCase() !== listen.toLowerCase()).map((name) => ({ name })),
  ];

  // With the TUI, Codex listens on a private Unix socket that both clients join.
  const tuiSocket = opts.tui ? privateSocket() : null;
  let tui: TuiProcess | null = null;
  let tuiStopping = false;
  let runner: RunningRunner | null = null;
  let codex: CodexAppServer | null = null;
  const spawnCodex = async (): Promise<CodexAppServer> => {
    const c = await startCodex({
      codexBin: codexBin.path,
      cwd,
      env: { ...(opts.env ?? process.env), [SESSION_MARKER_ENV]: instanceId },
      clientInfo: { name: 'pilothouse', title: 'Pilothouse runner', version: '0.1.0' },
      ...(tuiSocket ? { socketPath: tuiSocket.path } : {}),
    });
    c.onEvent((e) => {
      if (e.type === 'notification') {
        feed({ type: 'codex_notification', now: Date.now(), notification: e.notification });
        // Answered elsewhere (the TUI) or withdrawn by Codex: our copy of the request is moot.
        if (e.notification.method === 'serverRequest/resolved') pendingRequests.delete(String(e.notification.params.requestId));
      } else if (e.type === 'protocol_error') log.warn({ event: 'codex_protocol_error', err: e.error.message }, 'codex sent a line we could not read');
    });
    c.onServerRequest((request) => new Promise<ServerRequestAnswer>((resolve) => {
      pendingRequests.set(String(request.id), resolve);
      feed({ type: 'codex_request', now: Date.now(), request });
    }));
    void c.exited.then((exit) => {
      if (codex !== c) return;
      codex = null;
      // Its open requests died with it (the next process numbers its requests from 0 again).
      pendingRequests.clear();
      if (closing) return;
      // People see how it ended; the stderr tail (mostly warnings) goes to the log.
      log.error({ event: 'codex_exit', code: exit.code, signal: exit.signal, stderr: exit.stderrTail }, 'codex app-server exited');
      // The TUI cannot follow a restarted app-server: the session ends with it.
      if (tuiSocket) return void runner?.close('Codex exited');
      feed({ type: 'codex_exited', now: Date.now(), reason: exit.signal !== null ? `killed by ${exit.signal}` : `exit code ${String(exit.code)}` });
    });
    return c;
  };
  const pendingRequests = new Map<string, (answer: ServerRequestAnswer) => void>();

  // The Codex thread (resumed, or new), then the session thread: the one we ran before
  // (--resume), or a new root message. A failure on the way leaves no runner connected.
  let threadId: string;
  let recovered: ThreadSnapshot | null = null;
  let codexThread: ThreadStartResponse | ThreadResumeResponse | null = null;
  try {
    const c = await spawnCodex();
    codex = c;
    if (resumeSession?.codex_thread_id) {
      try {
        codexThread = await c.threadResume({ threadId: resumeSession.codex_thread_id });
      } catch (err) {
        log.warn({ event: 'codex_resume_failed', err: (err as Error).message }, 'could not resume the Codex thread; starting a new one');
      }
    }
    if (!codexThread) {
      codexThread = await c.threadStart(threadStartParams(opts.runtime, cwd));
      // `codex resume` needs the thread's rollout, which a new thread gets with its first turn or a name.
      if (tuiSocket) await c.request('thread/name/set', { threadId: codexThread.thread.id, name: `Pilothouse ${opts.channel}` });
    }
    if (resumeSession) threadId = resumeSession.thread_id;
    else {
      const root = await hub.push('post_row', {
        client_id: `session:${saved.runner_id}:${randomUUID()}`,
        kind: 'session',
        body: `Codex session in \`${cwd}\`. Reply in this thread to steer it (listen user: ${listen}).${opts.intro ? `\n\n${opts.intro}` : ''}`,
        meta: { cwd, agent: 'codex', agent_version: PINNED_CODEX_VERSION, listen_user: listen, allowed: allowed.map((a) => a.name), ...opts.runtime },
      });
      threadId = root.thread_id;
    }
    local.save({ runner_id: saved.runner_id, session: { thread_id: threadId, codex_thread_id: codexThread.thread.id, instance_id: instanceId } });
    staged?.commit();
    // What the dead process left: read before any hub event reaches the session.
    if (resumeSession) recovered = await readThread(hub, threadId);
    await hub.push('runner_status', { status: 'idle', thread_id: threadId, allowed: allowed.map((a) => a.name) });
  } catch (err) {
    closing = true;
    await codex?.close();
    tuiSocket?.remove();
    await hub.close();
    throw err;
  }
  const codexThreadId = codexThread.thread.id;
  // What the agent's processes listen on: /proc on Linux, ps + lsof on macOS; elsewhere only `--forward` and `/pilothouse forward`.
  const watchPorts = opts.watchPorts ?? (process.platform === 'linux' || process.platform === 'darwin');
  const scanListeners = listenerScanner({ rootPid: () => codex?.pid ?? null, marker: `${SESSION_MARKER_ENV}=${instanceId}` });

  session = createSession(
    sessionConfig({
      threadId,
      codexThreadId,
      allowed,
      // As Codex reports it: the flags, else the user's own Codex configuration.
      policy: policyInForce(codexThread),
      flushMs: opts.streamFlushMs,
      approvalTimeoutMs: opts.approvalTimeoutMs,
      previews: {
        // Request ids carry a few letters of this instance: a prompt left by an earlier run never matches.
        idPrefix: `pf-${instanceId.replace(/-/g, '').slice(0, 4)}-`,
        // Preview ids are derived from it: unguessable, while the session core stays deterministic.
        secret: randomBytes(32).toString('hex'),
        initialForward: opts.forward ?? [],
        suppressed: opts.suppressPorts ?? [],
        scanMs: watchPorts ? (opts.portScanMs ?? 1000) : null,
      },
    }),
    cursor.load() ?? 0,
  );

  let timer: NodeJS.Timeout | null = null;
  /** The last state push per message, until the hub answers it (a turn starts after `processing`). */
  const stateWrites = new Map<string, Promise<unknown>>();
  let pendingAck: number | null = null;
  let resolveDone: () => void = () => {};
  const done = new Promise<void>((r) => (resolveDone = r));

  // One timer at the session's next deadline; re-armed only when that deadline moves (most
  // deltas leave it where it is, and a clearTimeout/setTimeout pair per delta adds up).
  let timerAt: number | null = null;
  const armTimer = () => {
    const at = session ? nextDeadline(session) : null;
    if (at === timerAt && (timer !== null || at === null)) return;
    if (timer) clearTimeout(timer);
    timer = null;
    timerAt = at;
    if (at === null) return;
    timer = setTimeout(() => {
      timer = null;
      timerAt = null;
      feed({ type: 'tick', now: Date.now() });
    }, Math.max(0, at - Date.now()));
  };

  const perform = (effect: Effect): void => {
    switch (effect.type) {
      case 'post_row':
      case 'append':
      case 'update_row':
        void hub.push(effect.type, effect.payload as never).catch((err: unknown) => {
          const { code, message } = toPilothouseError(err);
          log.warn({ event: 'forward_failed', push: effect.type, item_key: effect.payload.item_key, code, err: message }, 'the hub refused a row');
          if (effect.type !== 'post_row') feed({ type: 'row_refused', now: Date.now(), item_key: effect.payload.item_key, code });
        });
        return;
      case 'set_state': {
        const written = hub.push('set_state', effect.payload);
        stateWrites.set(effect.payload.message_id, written);
        const forget = () => void (stateWrites.get(effect.payload.message_id) === written && stateWrites.delete(effect.payload.message_id));
        written.then(forget, (err: unknown) => {
          forget();
          log.warn({ event: 'state_failed', err: (err as Error).message }, 'the hub refused a state');
        });
        return;
      }
      case 'runner_status':
        void hub.push('runner_status', { status: effect.status, thread_id: threadId, allowed: allowed.map((a) => a.name) }).catch(() => {
          // presence is best effort: the next status or the re-register repeats it
        });
        return;
      case 'codex_turn_start': {
        // Only once the hub has the message `processing`: a restart then knows it may have run.
        const recorded = stateWrites.get(effect.message_id) ?? Promise.resolve();
        const started = recorded.then(() => {
          const c = codex;
          return c
            ? c.turnStart({
                threadId: effect.threadId,
                // Codex echoes it as the userMessage item's clientId: how the session tells its own input from the TUI's.
                clientUserMessageId: effect.message_id,
                input: [{ type: 'text', text: effect.text, text_elements: [] }],
                ...turnOverrides(opts.runtime, cwd),
              })
            : Promise.reject(new Error('codex is not running'));
        });
        started.then(
          (r) => feed({ type: 'turn_start_ok', now: Date.now(), message_id: effect.message_id, turnId: r.turn.id }),
          (err: unknown) => feed({ type: 'turn_start_failed', now: Date.now(), message_id: effect.message_id, error: (err as Error).message }),
        );
        return;
      }
      case 'codex_interrupt':
        codex?.turnInterrupt({ threadId: effect.threadId, turnId: effect.turnId }).catch((err: unknown) => log.warn({ event: 'interrupt_failed', err: (err as Error).message }, 'turn/interrupt failed'));
        return;
      case 'codex_answer':
      case 'codex_refuse': {
        const resolve = pendingRequests.get(String(effect.requestId));
        pendingRequests.delete(String(effect.requestId));
        resolve?.(effect.type === 'codex_answer' ? { kind: 'result', result: effect.answer.result } : { kind: 'error', code: -32603, message: effect.message });
        return;
      }
      case 'start_thread':
        void (async () => {
          try {
            codex ??= await spawnCodex();
            let id: string | null = null;
            if (effect.resume) id = (await codex.threadResume({ threadId: effect.resume }).catch(() => null))?.thread.id ?? null;
            id ??= (await codex.threadStart(threadStartParams(opts.runtime, cwd))).thread.id;
            local.save({ runner_id: saved.runner_id, session: { thread_id: threadId, codex_thread_id: id, instance_id: instanceId } });
            log.info({ event: 'codex_thread_started', old: effect.resume, new: id, reason: effect.reason }, 'codex thread started');
            feed({ type: 'thread_started', now: Date.now(), threadId: id });
          } catch (err) {
            feed({ type: 'thread_start_failed', now: Date.now(), error: (err as Error).message });
          }
        })();
        return;
      case 'preview_open': {
        const { preview_id } = effect.payload;
        hub.push('preview_open', effect.payload).then(
          (reply) => feed({ type: 'preview_opened', now: Date.now(), preview_id, url: reply.url }),
          (err: unknown) => feed({ type: 'preview_open_failed', now: Date.now(), preview_id, error: errorText(err) }),
        );
        return;
      }
      case 'preview_close':
        tunnel.closePreview(effect.payload.preview_id);
        hub.push('preview_close', effect.payload).catch((err: unknown) => {
          log.info({ event: 'forward_port_close_failed', ...effect.payload, err: errorText(err) }, 'preview_close refused');
        });
        return;
      case 'scan_listeners':
        void scanListeners().then((outcome) =>
          feed(outcome.ok ? { type: 'listeners_scanned', now: Date.now(), listeners: outcome.listeners } : { type: 'listener_scan_failed', now: Date.now(), error: outcome.error, permanent: outcome.permanent }),
        );
        return;
      case 'log':
        log[effect.level]({ event: effect.event, ...effect.fields }, effect.event);
        return;
      case 'ack':
        // Before what follows (a run's final state): a restart must not find the run's trigger again.
        if (effect.durable === true && !closing) {
          pendingAck = null;
          hub.ack(effect.seq);
          return;
        }
        // The cursor file is fsynced on save: persist once per tick, not once per event.
        if (pendingAck === null) setImmediate(() => {
          const seq = pendingAck;
          pendingAck = null;
          if (seq !== null && !closing) hub.ack(seq);
        });
        pendingAck = Math.max(pendingAck ?? 0, effect.seq);
        return;
      default: {
        const never: never = effect;
        throw new Error(`unhandled effect ${JSON.stringify(never)}`);
      }
    }
  };

  feed = (input: SessionInput) => {
    if (!session) return;
    const result = step(session, input);
    session = result.state;
    for (const effect of result.effects) perform(effect);
    armTimer();
  };
  if (recovered) feed({ type: 'recover', now: Date.now(), thread: recovered });
  for (const event of early.splice(0)) feed({ type: 'hub_event', now: Date.now(), event });
  armTimer();

  log.info({ event: 'forward_port_watching', enabled: watchPorts, forward: opts.forward ?? [], interval_ms: opts.portScanMs ?? 1000 }, 'port watcher');
  log.info({ event: 'session_started', thread_id: threadId, codex_thread_id: codexThreadId, listen_user: listen, allowed: allowed.map((a) => a.name) }, 'session started');

  runner = {
    threadId,
    runnerId: saved.runner_id,
    done,
    async close(reason = 'runner closed') {
      if (closing || tuiStopping) return done;
      // The owner's terminal first: the TUI leaves it as it found it (its exit calls close() again).
      if (tui) {
        tuiStopping = true;
        await tui.stop();
      }
      feed({ type: 'close', now: Date.now(), reason });
      closing = true;
      // The close step emitted preview_close for each open preview (drained below).
      tunnel.closeAll();
      if (timer) clearTimeout(timer);
      if (pendingAck !== null) hub.ack(pendingAck);
      pendingAck = null;
      for (const resolve of pendingRequests.values()) resolve({ kind: 'result', result: { decision: 'decline' } });
      pendingRequests.clear();
      const report = await hub.close({ drainTimeoutMs: 5000 });
      if (report.unacknowledged.length > 0) log.warn({ event: 'unacknowledged_on_close', count: report.unacknowledged.length }, 'some pushes were not acknowledged');
      await codex?.close();
      tuiSocket?.remove();
      resolveDone();
      return done;
    },
  };
  const remote = codex?.remoteAddress;
  if (opts.tui && remote) {
    const launch = typeof opts.tui === 'function' ? opts.tui : terminalTui;
    const started = launch(tuiCommand(codexBin.path, remote, codexThreadId, cwd, opts.env ?? process.env));
    tui = started;
    void started.exited.then((how) => {
      log.info({ event: 'tui_exited', how }, 'the Codex TUI exited');
      tui = null;
      void runner?.close(`the Codex TUI exited (${how})`);
    });
  }
  return runner;
}

function errorText(err: unknown): string {
  if (err instanceof PilothouseError) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}
