// The agent process: spawns `codex app-server` (again after it exits), turns its notifications,
// server requests and exit into session inputs, and keeps the server requests waiting for the
// core's answer (by request id) until they are answered, withdrawn, or die with the process.

import type { Logger } from 'pino';
import { startCodex, type CodexAppServer } from '../codex/app-server.js';
import type { RequestId } from '../codex/generated/index.js';
import type { ServerRequestAnswer } from '../codex/methods.js';
import type { SessionInput } from '../session/index.js';

/** Set in Codex's environment, inherited by everything the agent starts: how the port watcher and `--resume` find what this session started. */
const SESSION_MARKER_ENV = 'PILOTHOUSE_SESSION';

/** The `NAME=value` environment marker of a runner instance. */
export const sessionMarker = (instanceId: string): string => `${SESSION_MARKER_ENV}=${instanceId}`;

export interface AgentProcessOptions {
  readonly codexBin: string;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly instanceId: string;
  /** With the owner's TUI: the private Unix socket both clients join. */
  readonly socketPath: string | null;
  readonly log: Logger;
  readonly feed: (input: SessionInput) => void;
  /** Set when the session cannot outlive the process (the TUI cannot follow a restart): called instead of feeding `codex_exited`. */
  readonly onLost: (() => void) | null;
}

export class AgentProcess {
  readonly #o: AgentProcessOptions;
  #codex: CodexAppServer | null = null;
  readonly #pending = new Map<string, (answer: ServerRequestAnswer) => void>();
  #stopping = false;

  constructor(options: AgentProcessOptions) {
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

  /** The core's answer to a server request (unknown or moot ids are ignored). */
  answer(requestId: RequestId, answer: ServerRequestAnswer): void {
    const resolve = this.#pending.get(String(requestId));
    this.#pending.delete(String(requestId));
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
      clientInfo: { name: 'pilothouse', title: 'Pilothouse runner', version: '0.1.0' },
      ...(this.#o.socketPath !== null ? { socketPath: this.#o.socketPath } : {}),
    });
    c.onEvent((e) => {
      if (e.type === 'notification') {
        feed({ type: 'codex_notification', now: Date.now(), notification: e.notification });
        // Answered elsewhere (the TUI) or withdrawn by Codex: our copy of the request is moot.
        if (e.notification.method === 'serverRequest/resolved') this.#pending.delete(String(e.notification.params.requestId));
      } else if (e.type === 'protocol_error') log.warn({ event: 'codex_protocol_error', code: e.error.code, err: e.error.message }, 'codex sent a line we could not read');
    });
    c.onServerRequest(
      (request) =>
        new Promise<ServerRequestAnswer>((resolve) => {
          this.#pending.set(String(request.id), resolve);
          feed({ type: 'codex_request', now: Date.now(), request });
        }),
    );
    void c.exited.then((exit) => {
      if (this.#codex !== c) return;
      this.#codex = null;
      // Its open requests died with it (the next process numbers its requests from 0 again).
      this.#pending.clear();
      if (this.#stopping) return;
      // People see how it ended; the stderr tail (mostly warnings) goes to the log.
      log.error({ event: 'codex_exit', code: exit.code, signal: exit.signal, stderr: exit.stderrTail }, 'codex app-server exited');
      if (this.#o.onLost) return this.#o.onLost();
      feed({ type: 'codex_exited', now: Date.now(), reason: exit.signal !== null ? `killed by ${exit.signal}` : `exit code ${String(exit.code)}` });
    });
    return c;
  }
}
