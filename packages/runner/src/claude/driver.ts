// The Claude Code driver: the agent seam (agent/driver.ts) for `claude -p` in stream-json mode.
// A thread is a Claude session: a new one gets an id we mint (`--session-id`), an earlier one is
// resumed (`--resume`), each in its own process, proven alive by `initialize`. A turn is one user
// line (its id minted here); interrupt is Claude's `interrupt` control request.

import { randomUUID } from 'node:crypto';
import type { AgentBinary, AgentDriver, AgentDriverOptions, OpenedAgentThread, ResumeFailure } from '../agent/driver.js';
import { describeError } from '../errors.js';
import { ClaudeError } from './errors.js';
import { ClaudeProcess } from './process.js';
import { claudeArgs, policyInForce } from './runtime-options.js';

/** `--permission-prompt-tool stdio` (not in --help; the Agent SDK passes it): permission prompts come to us as control requests. */
const BASE_ARGS = ['-p', '--output-format', 'stream-json', '--input-format', 'stream-json', '--verbose', '--include-partial-messages', '--permission-prompt-tool', 'stdio'] as const;

export interface ClaudeDriverOptions extends AgentDriverOptions {
  readonly binary: AgentBinary;
}

export class ClaudeDriver implements AgentDriver {
  readonly #o: ClaudeDriverOptions;
  readonly capabilities = ['approvals', 'interrupt'] as const;
  #process: ClaudeProcess | null = null;
  #sessionId: string | null = null;
  #stopping = false;

  constructor(options: ClaudeDriverOptions) {
    this.#o = options;
  }

  get binary(): AgentBinary {
    return this.#o.binary;
  }

  get pid(): number | null {
    return this.#process?.pid ?? null;
  }

  async openThread(resume: string | null): Promise<OpenedAgentThread> {
    const policy = policyInForce(this.#o.runtime);
    if (resume !== null && resume === this.#sessionId && this.#process?.alive === true) return { threadId: resume, policy, resumeFailure: null };
    let resumeFailure: ResumeFailure | null = null;
    if (resume !== null) {
      try {
        await this.#spawn(['--resume', resume], resume);
        return { threadId: resume, policy, resumeFailure };
      } catch (err) {
        resumeFailure = { previous: resume, ...describeError(err) };
        this.#o.log.warn({ event: 'claude_resume_failed', session_id: resume, code: resumeFailure.code, err: resumeFailure.message }, 'could not resume the Claude session; starting a new one');
      }
    }
    const sessionId = randomUUID();
    await this.#spawn(['--session-id', sessionId], sessionId);
    return { threadId: sessionId, policy, resumeFailure };
  }

  startTurn(turn: { readonly threadId: string; readonly messageId: string; readonly text: string }): Promise<{ readonly turnId: string }> {
    const process = this.#process;
    if (process === null || !process.alive || this.#sessionId !== turn.threadId) {
      return Promise.reject(new ClaudeError('claude_not_running', `Claude Code is not running session ${turn.threadId} (thread lost).`));
    }
    const turnId = randomUUID();
    process.startTurn(turnId, turn.text);
    return Promise.resolve({ turnId });
  }

  async interrupt(_turn: { readonly threadId: string; readonly turnId: string }): Promise<void> {
    await this.#process?.interrupt();
  }

  answer(requestId: string, choice: string): void {
    this.#process?.answer(requestId, choice);
  }

  refuse(requestId: string, message: string): void {
    this.#process?.refuse(requestId, message);
  }

  isThreadLost(error: string): boolean {
    return /thread lost|No conversation found/i.test(error);
  }

  stopping(): void {
    this.#stopping = true;
    this.#process?.stopping();
  }

  async close(): Promise<void> {
    this.#stopping = true;
    await this.#process?.close();
    this.#process = null;
  }

  /** Replaces the running process (one per session) with a new one, ready once `initialize` is answered. */
  async #spawn(sessionArgs: readonly string[], sessionId: string): Promise<void> {
    const previous = this.#process;
    this.#process = null;
    this.#sessionId = null;
    await previous?.close();
    const o = this.#o;
    const process = new ClaudeProcess({ bin: o.binary.path, args: [...BASE_ARGS, ...claudeArgs(o.runtime), ...sessionArgs], cwd: o.cwd, env: o.env, instanceId: o.instanceId, log: o.log, feed: o.feed });
    try {
      await process.ready();
    } catch (err) {
      await process.close();
      throw err;
    }
    if (this.#stopping) {
      await process.close();
      throw new ClaudeError('claude_exited', 'the runner is closing');
    }
    process.watch();
    this.#process = process;
    this.#sessionId = sessionId;
  }
}
