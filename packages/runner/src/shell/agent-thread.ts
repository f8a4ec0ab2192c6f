// The one bootstrap of the agent thread, used at start and by the core's `start_thread` effect:
// resume the earlier Codex thread when there is one, else start a new one with the runtime
// options. A resume that fails is logged with its code and told to people in the session thread.

import type { Logger } from 'pino';
import type { PushPayload } from '@pilothouse/protocol';
import type { ThreadResumeResponse, ThreadStartResponse } from '../codex/generated/v2/index.js';
import { threadStartParams, type RuntimeOptions } from '../codex/runtime-options.js';
import { clientId } from '../session/effects.js';
import type { AgentProcess } from './agent-process.js';
import { describeError, type ErrorFacts } from './errors.js';

/** The earlier agent thread that could not be resumed, and why. */
export interface ResumeFailure extends ErrorFacts {
  readonly previous: string;
}

export interface OpenedThread {
  readonly response: ThreadStartResponse | ThreadResumeResponse;
  readonly resumeFailure: ResumeFailure | null;
}

export interface AgentThreadOptions {
  readonly agent: AgentProcess;
  readonly runtime: RuntimeOptions;
  readonly cwd: string;
  readonly log: Logger;
  /** A name for new threads: `codex resume` (the owner's TUI) needs the thread's rollout, which a new thread gets with its first turn or a name. */
  readonly name: string | null;
  readonly postRow: (payload: PushPayload<'post_row'>) => Promise<unknown>;
}

export class AgentThreads {
  readonly #o: AgentThreadOptions;

  constructor(options: AgentThreadOptions) {
    this.#o = options;
  }

  /** Resumes `resume` when set (a failure is reported, not thrown), else or then starts a new thread. */
  async open(resume: string | null): Promise<OpenedThread> {
    const codex = await this.#o.agent.ensure();
    let resumeFailure: ResumeFailure | null = null;
    if (resume !== null) {
      try {
        return { response: await codex.threadResume({ threadId: resume }), resumeFailure };
      } catch (err) {
        resumeFailure = { previous: resume, ...describeError(err) };
        this.#o.log.warn({ event: 'codex_resume_failed', thread_id: resume, code: resumeFailure.code, err: resumeFailure.message }, 'could not resume the Codex thread; starting a new one');
      }
    }
    const response = await codex.threadStart(threadStartParams(this.#o.runtime, this.#o.cwd));
    if (this.#o.name !== null) await codex.request('thread/name/set', { threadId: response.thread.id, name: this.#o.name });
    return { response, resumeFailure };
  }

  /** The notice row in the session thread: the earlier agent thread is gone, a new one took its place. */
  reportResumeFailure(sessionThreadId: string, failure: ResumeFailure, newThreadId: string): void {
    const payload = resumeFailedNotice(sessionThreadId, failure, newThreadId);
    this.#o.postRow(payload).catch((err: unknown) => {
      const { code, message } = describeError(err);
      this.#o.log.warn({ event: 'forward_failed', push: 'post_row', client_id: payload.client_id, code, err: message }, 'the hub refused a row');
    });
  }
}

/** What people read when the earlier agent thread could not be resumed (one row per new thread). */
export function resumeFailedNotice(sessionThreadId: string, failure: ResumeFailure, newThreadId: string): PushPayload<'post_row'> {
  return {
    client_id: clientId('agent-resume-failed', newThreadId),
    thread_id: sessionThreadId,
    kind: 'notice',
    body: `The earlier agent thread could not be resumed, so a new one was started; it does not remember this session's earlier turns. Reason: ${failure.message} (${failure.code}).`,
    meta: { code: failure.code, previous_agent_thread: failure.previous, agent_thread: newThreadId },
  };
}
