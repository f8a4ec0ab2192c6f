// The Codex driver: the agent seam (agent/driver.ts) for `codex app-server`. Threads are Codex
// threads (resumed, else started with the runtime options); turns are turn/start with the options
// as per-turn overrides; interrupt is turn/interrupt. The process and its requests: process.ts.

import type { AgentBinary, AgentDriver, AgentDriverOptions, OpenedAgentThread, ResumeFailure } from '../agent/driver.js';
import { describeError } from '../errors.js';
import type { CodexAppServer } from './app-server.js';
import { CodexProcess } from './process.js';
import { policyInForce, threadStartParams, turnOverrides } from './runtime-options.js';
import { isThreadLost } from './translate.js';

export interface CodexDriverOptions extends AgentDriverOptions {
  readonly binary: AgentBinary;
  /** With the owner's TUI: the private Unix socket both clients join. */
  readonly socketPath: string | null;
  /** A name for new threads: `codex resume` (the owner's TUI) needs the thread's rollout, which a new thread gets with its first turn or a name. */
  readonly threadName: string | null;
  /** Set when the session cannot outlive the process (the TUI cannot follow a restart): called instead of feeding `agent_exited`. */
  readonly onLost: (() => void) | null;
}

export class CodexDriver implements AgentDriver {
  readonly #o: CodexDriverOptions;
  readonly #process: CodexProcess;
  readonly capabilities = ['approvals', 'interrupt'] as const;

  constructor(options: CodexDriverOptions) {
    this.#o = options;
    this.#process = new CodexProcess({
      codexBin: options.binary.path,
      cwd: options.cwd,
      env: options.env,
      instanceId: options.instanceId,
      socketPath: options.socketPath,
      log: options.log,
      feed: options.feed,
      onLost: options.onLost,
    });
  }

  get binary(): AgentBinary {
    return this.#o.binary;
  }

  get pid(): number | null {
    return this.#process.pid;
  }

  /** The running app-server, if any (the owner's TUI joins its socket). */
  get current(): CodexAppServer | null {
    return this.#process.current;
  }

  async openThread(resume: string | null): Promise<OpenedAgentThread> {
    const codex = await this.#process.ensure();
    let resumeFailure: ResumeFailure | null = null;
    if (resume !== null) {
      try {
        const response = await codex.threadResume({ threadId: resume });
        return { threadId: response.thread.id, policy: policyInForce(response), resumeFailure };
      } catch (err) {
        resumeFailure = { previous: resume, ...describeError(err) };
        this.#o.log.warn({ event: 'codex_resume_failed', thread_id: resume, code: resumeFailure.code, err: resumeFailure.message }, 'could not resume the Codex thread; starting a new one');
      }
    }
    const response = await codex.threadStart(threadStartParams(this.#o.runtime, this.#o.cwd));
    if (this.#o.threadName !== null) await codex.request('thread/name/set', { threadId: response.thread.id, name: this.#o.threadName });
    // As Codex reports it: the flags, else the user's own Codex configuration.
    return { threadId: response.thread.id, policy: policyInForce(response), resumeFailure };
  }

  async startTurn(turn: { readonly threadId: string; readonly messageId: string; readonly text: string }): Promise<{ readonly turnId: string }> {
    const codex = this.#process.current;
    if (!codex) throw new Error('codex is not running');
    const r = await codex.turnStart({
      threadId: turn.threadId,
      // Codex echoes it as the userMessage item's clientId: how the session tells its own input from the TUI's.
      clientUserMessageId: turn.messageId,
      input: [{ type: 'text', text: turn.text, text_elements: [] }],
      ...turnOverrides(this.#o.runtime, this.#o.cwd),
    });
    return { turnId: r.turn.id };
  }

  async interrupt(turn: { readonly threadId: string; readonly turnId: string }): Promise<void> {
    await this.#process.current?.turnInterrupt({ threadId: turn.threadId, turnId: turn.turnId });
  }

  answer(requestId: string, choice: string): void {
    this.#process.answer(requestId, choice);
  }

  refuse(requestId: string, message: string): void {
    this.#process.refuse(requestId, message);
  }

  isThreadLost(error: string): boolean {
    return isThreadLost(error);
  }

  stopping(): void {
    this.#process.stopping();
  }

  close(): Promise<void> {
    return this.#process.close();
  }
}
