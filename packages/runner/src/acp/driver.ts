// The ACP driver: the agent seam (agent/driver.ts) for any Agent Client Protocol agent (Gemini CLI
// through gemini/, or `--agent acp -- CMD`). Threads are ACP sessions (session/load when resuming
// and the agent can, else session/new); a turn is one session/prompt whose answer ends it (the
// turn id is ours); interrupt is session/cancel, with pending permissions answered `cancelled`.

import type { CancelNotification, LoadSessionRequest, NewSessionRequest, PromptRequest, SetSessionModeRequest } from '@agentclientprotocol/sdk';
import { SESSION_MARKER_ENV, type AgentBinary, type AgentDriver, type AgentDriverOptions, type OpenedAgentThread, type ResumeFailure } from '../agent/driver.js';
import { describeError } from '../errors.js';
import { AcpAdapter, type Reply } from './adapter.js';
import { startAcpAgent, type AcpAgent, type AcpLaunch } from './agent.js';
import { AcpError } from './errors.js';
import { loadSessionResult, newSessionResult, promptResult, type SessionModes } from './schema.js';
import { outcomeOf } from './turn.js';

/** What an agent makes of the runtime options for its sessions (gemini/runtime-options.ts); the generic ACP agent takes none. */
export interface SessionSettings {
  /** Why the runtime options cannot be honoured (one line naming the agent), or null. */
  readonly refusal: string | null;
  /** The session mode to set on every new or loaded session, given the modes it offers (throws an AcpError when not offered), or null. */
  mode(modes: SessionModes | null): string | null;
  /** What people are shown with approvals. */
  readonly policy: Readonly<Record<string, string | null>>;
}

export interface AcpDriverOptions extends AgentDriverOptions {
  readonly binary: AgentBinary;
  readonly launch: AcpLaunch;
  readonly settings: SessionSettings;
}

export class AcpDriver implements AgentDriver {
  readonly #o: AcpDriverOptions;
  readonly #adapter = new AcpAdapter();
  readonly capabilities = ['approvals', 'interrupt'] as const;
  #agent: AcpAgent | null = null;
  #spawning: Promise<AcpAgent> | null = null;
  #stopping = false;
  #turns = 0;
  readonly #turnBase = Math.random().toString(36).slice(2, 8);

  constructor(options: AcpDriverOptions) {
    this.#o = options;
  }

  get binary(): AgentBinary {
    return this.#o.binary;
  }

  get pid(): number | null {
    return this.#agent?.pid ?? null;
  }

  async openThread(resume: string | null): Promise<OpenedAgentThread> {
    const { settings, cwd, log, launch } = this.#o;
    if (settings.refusal !== null) throw new AcpError('acp_option_unsupported', settings.refusal);
    const agent = await this.#ensure();
    let resumeFailure: ResumeFailure | null = null;
    if (resume !== null) {
      try {
        if (agent.info.agentCapabilities?.loadSession !== true) throw new AcpError('acp_rpc_error', `${launch.title} cannot load an earlier session (no loadSession capability)`);
        const params: LoadSessionRequest = { sessionId: resume, cwd, mcpServers: [] };
        const loaded = loadSessionResult.parse(await agent.rpc.request('session/load', params));
        await this.#setMode(agent, resume, loaded?.modes ?? null);
        return { threadId: resume, policy: settings.policy, resumeFailure };
      } catch (err) {
        resumeFailure = { previous: resume, ...describeError(err) };
        log.warn({ event: 'acp_load_failed', session_id: resume, code: resumeFailure.code, err: resumeFailure.message }, 'could not load the ACP session; starting a new one');
      }
    }
    const params: NewSessionRequest = { cwd, mcpServers: [] };
    const created = newSessionResult.parse(await agent.rpc.request('session/new', params).catch((err: unknown) => {
        throw signInNeeded(err, launch) ?? err;
      }));
    await this.#setMode(agent, created.sessionId, created.modes ?? null);
    return { threadId: created.sessionId, policy: settings.policy, resumeFailure };
  }

  async #setMode(agent: AcpAgent, sessionId: string, modes: SessionModes | null): Promise<void> {
    const modeId = this.#o.settings.mode(modes);
    if (modeId === null || modes?.currentModeId === modeId) return;
    const params: SetSessionModeRequest = { sessionId, modeId };
    await agent.rpc.request('session/set_mode', params);
  }

  startTurn(turn: { readonly threadId: string; readonly messageId: string; readonly text: string }): Promise<{ readonly turnId: string }> {
    const agent = this.#agent;
    if (!agent) return Promise.reject(new AcpError('acp_closed', `${this.#o.launch.title} is not running`));
    const turnId = `${this.#turnBase}-${++this.#turns}`;
    this.#adapter.beginTurn(turn.threadId, turnId);
    const params: PromptRequest = { sessionId: turn.threadId, prompt: [{ type: 'text', text: turn.text }] };
    // The prompt's answer ends the turn; the turn id goes back first (updates follow on later reads).
    agent.rpc.request('session/prompt', params).then(
      (result) => {
        const parsed = promptResult.safeParse(result);
        this.#endTurn(turnId, parsed.success ? outcomeOf(parsed.data.stopReason) : { status: 'failed', reason: `the agent answered session/prompt without a stop reason` });
      },
      (err: unknown) => {
        // A dead agent's turn is the session's to fail (agent_exited follows), not ours.
        if (err instanceof AcpError && (err.code === 'acp_exited' || err.code === 'acp_closed' || err.code === 'acp_missing')) return;
        this.#endTurn(turnId, { status: 'failed', reason: describeError(err).message });
      },
    );
    return Promise.resolve({ turnId });
  }

  #endTurn(turnId: string, outcome: Parameters<AcpAdapter['endTurn']>[1]): void {
    for (const input of this.#adapter.endTurn(turnId, outcome, Date.now())) this.#o.feed(input);
  }

  interrupt(turn: { readonly threadId: string; readonly turnId: string }): Promise<void> {
    const agent = this.#agent;
    if (!agent) return Promise.resolve();
    const params: CancelNotification = { sessionId: turn.threadId };
    agent.rpc.notify('session/cancel', params);
    // ACP: the client answers every pending permission of the cancelled turn with `cancelled`.
    for (const reply of this.#adapter.cancelPending(turn.turnId)) this.#send(reply);
    return Promise.resolve();
  }

  answer(requestId: string, choice: string): void {
    const reply = this.#adapter.answer(requestId, choice, Date.now());
    if (reply === undefined) {
      this.#o.log.debug({ event: 'answer_moot', request_id: requestId, choice }, 'the permission is no longer pending');
      return;
    }
    this.#send(reply);
  }

  refuse(requestId: string, message: string): void {
    const reply = this.#adapter.refuse(requestId, message);
    if (reply) this.#send(reply);
  }

  #send(reply: Reply): void {
    this.#agent?.rpc.respond(reply.rpcId, reply.answer);
    if (reply.inputs.length === 0) return;
    // After the session's current step has performed all its effects (an answer is one of them),
    // as an agent's own report would arrive: never interleaved with that step's row updates.
    queueMicrotask(() => {
      for (const input of reply.inputs) this.#o.feed(input);
    });
  }

  isThreadLost(error: string): boolean {
    return /session[^\n]{0,80}not found|unknown session|no such session/i.test(error);
  }

  stopping(): void {
    this.#stopping = true;
    for (const reply of this.#adapter.cancelPending()) this.#send(reply);
  }

  async close(): Promise<void> {
    this.#stopping = true;
    const agent = this.#agent ?? (await this.#spawning?.catch(() => null)) ?? null;
    await agent?.close();
  }

  #ensure(): Promise<AcpAgent> {
    if (this.#agent) return Promise.resolve(this.#agent);
    this.#spawning ??= this.#spawn().finally(() => (this.#spawning = null));
    return this.#spawning;
  }

  async #spawn(): Promise<AcpAgent> {
    const { launch, cwd, log, feed, instanceId } = this.#o;
    const agent = await startAcpAgent({ ...launch, env: { ...launch.env, [SESSION_MARKER_ENV]: instanceId } }, cwd, {
      onNotification: (method, params) => {
        if (method === 'session/update') for (const input of this.#adapter.update(params, Date.now())) feed(input);
        else log.debug({ event: 'acp_notification', method }, 'an ACP notification the session does not use');
      },
      onRequest: (id, method, params) => {
        if (method !== 'session/request_permission') {
          // Pilothouse offers no client capabilities (files, terminals): anything else is not ours.
          agent.rpc.respond(id, { error: { code: -32601, message: `Pilothouse does not handle ${method}` } });
          log.warn({ event: 'acp_request_refused', method }, 'refused an ACP request');
          return;
        }
        const { inputs, reply } = this.#adapter.permission(id, params, Date.now());
        for (const input of inputs) feed(input);
        if (reply) this.#send(reply);
      },
      onProtocolError: (message) => log.warn({ event: 'acp_protocol_error', err: message }, `${launch.title} sent a line we could not read`),
    });
    this.#agent = agent;
    void agent.exited.then((exit) => {
      if (this.#agent !== agent) return;
      this.#agent = null;
      this.#adapter.reset();
      if (this.#stopping || exit.expected) return;
      log.error({ event: 'acp_exit', code: exit.code, signal: exit.signal, stderr: exit.stderrTail }, `${launch.title} exited`);
      feed({ type: 'agent_exited', now: Date.now(), reason: exit.signal !== null ? `killed by ${exit.signal}` : `exit code ${String(exit.code)}` });
    });
    return agent;
  }
}

/** ACP's "authentication required" (-32000) on session/new, as the one line that says how to sign in; null for any other error. */
function signInNeeded(err: unknown, launch: AcpLaunch): AcpError | null {
  if (!(err instanceof AcpError) || err.code !== 'acp_rpc_error') return null;
  const details = err.details as { code?: unknown; message?: unknown } | undefined;
  if (details?.code !== AUTH_REQUIRED) return null;
  const said = typeof details.message === 'string' ? details.message.replace(/\.?$/, '') : 'it needs authentication';
  return new AcpError('acp_not_signed_in', `${launch.title} is not signed in (${said}): ${launch.signIn ?? 'sign it in with its own command first'}.`, details, { cause: err });
}

/** ACP's error code for "authentication required". */
const AUTH_REQUIRED = -32000;
