// The Codex process: spawns `codex app-server` (again after it exits), turns its notifications,
// server requests and exit into agent inputs, and keeps the server requests waiting for the
// core's answer (by request id) until they are answered, withdrawn, or die with the process.

import type { Logger } from 'pino';
import { SESSION_MARKER_ENV } from '../agent/driver.js';
import type { AgentInput } from '../agent/vocabulary.js';
import { CodexAdapter } from './adapter.js';
import { startCodex, type CodexAppServer } from './app-server.js';
import type { ServerRequestAnswer } from './methods.js';
import { RUNNER_VERSION } from '../version.js';

export interface CodexProcessOptions {
  readonly codexBin: string;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly instanceId: string;
  /** With the owner's TUI: the private Unix socket both clients join. */
  readonly socketPath: string | null;
  readonly log: Logger;
  readonly feed: (input: AgentInput) => void;
  /** Set when the session cannot outlive the process (the TUI cannot follow a restart): called instead of feeding `agent_exited`. */
  readonly onLost: (() => void) | null;
}

export class CodexProcess {
  readonly #o: CodexProcessOptions;
  #codex: CodexAppServer | null = null;
  readonly #pending = new Map<string, (answer: ServerRequestAnswer) => void>();
  /** Codex's notifications and requests in the session's vocabulary, and its answers back. */
  readonly #adapter = new CodexAdapter();
  #stopping = false;

  constructor(options: CodexProcessOptions) {
    this.#o = options;
  }

  /** The running app-server, if any. */
  get current(): CodexAppServer | null {
    return this.#codex;
  }

  /** The root of the agent's process tree (the port watcher's). */
  get pid(): number | null {
    return this.#codex?.pid ?? null;
  }

  /** The running app-server, spawned first when there is none. */
  async ensure(): Promise<CodexAppServer> {
    this.#codex ??= await this.#spawn();
    return this.#codex;
  }

  /** The core's choice for a server request, answered in Codex's terms (unknown or moot ids are ignored). */
  answer(requestId: string, choice: string): void {
    const answer = this.#adapter.answer(requestId, choice);
    if (answer === undefined) this.#o.log.warn({ event: 'answer_unknown', request_id: requestId, choice }, 'no Codex answer for that choice');
    this.#settle(requestId, answer ?? { kind: 'error', code: -32603, message: 'the request is no longer pending' });
  }

  /** The core refuses a server request (one it does not handle). */
  refuse(requestId: string, message: string): void {
    this.#settle(requestId, this.#adapter.refuse(requestId, message));
  }

  #settle(requestId: string, answer: ServerRequestAnswer): void {
    const resolve = this.#pending.get(requestId);
    this.#pending.delete(requestId);
    resolve?.(answer);
  }

  /** The runner closes: an exit is no longer news, and every open request is declined. */
  stopping(): void {
    this.#stopping = true;
    for (const resolve of this.#pending.values()) resolve({ kind: 'result', result: { decision: 'decline' } });
    this.#pending.clear();
  }

  async close(): Promise<void> {
    this.#stopping = true;
    await this.#codex?.close();
  }

  async #spawn(): Promise<CodexAppServer> {
    const { log, feed } = this.#o;
    const c = await startCodex({
      codexBin: this.#o.codexBin,
      cwd: this.#o.cwd,
      env: { ...this.#o.env, [SESSION_MARKER_ENV]: this.#o.instanceId },
      clientInfo: { name: 'pilothouse', title: 'Pilothouse runner', version: RUNNER_VERSION },
      ...(this.#o.socketPath !== null ? { socketPath: this.#o.socketPath } : {}),
    });
    c.onEvent((e) => {
      if (e.type === 'notification') {
        for (const input of this.#adapter.notification(e.notification, Date.now())) feed(input);
        // Answered elsewhere (the TUI) or withdrawn by Codex: our copy of the request is moot.
        if (e.notification.method === 'serverRequest/resolved') this.#pending.delete(String(e.notification.params.requestId));
      } else if (e.type === 'protocol_error') log.warn({ event: 'codex_protocol_error', code: e.error.code, err: e.error.message }, 'codex sent a line we could not read');
    });
    c.onServerRequest(
      (request) =>
        new Promise<ServerRequestAnswer>((resolve) => {
          this.#pending.set(String(request.id), resolve);
          feed(this.#adapter.request(request, Date.now()));
        }),
    );
    void c.exited.then((exit) => {
      if (this.#codex !== c) return;
      this.#codex = null;
      // Its open requests died with it (the next process numbers its requests from 0 again).
      this.#pending.clear();
      this.#adapter.reset();
      if (this.#stopping) return;
      // People see how it ended; the stderr tail (mostly warnings) goes to the log.
      log.error({ event: 'codex_exit', code: exit.code, signal: exit.signal, stderr: exit.stderrTail }, 'codex app-server exited');
      if (this.#o.onLost) return this.#o.onLost();
      feed({ type: 'agent_exited', now: Date.now(), reason: exit.signal !== null ? `killed by ${exit.signal}` : `exit code ${String(exit.code)}` });
    });
    return c;
  }
}
