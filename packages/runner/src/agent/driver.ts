// The agent seam, process side: what the shell asks of a running agent, whichever it is. A driver
// owns its agent's process (spawned lazily, again after it exits), turns what the agent says into
// `AgentInput`s (vocabulary.ts) fed to the core, and performs the core's agent effects in the
// agent's own protocol. One driver per agent (codex/, claude/, acp/); drivers.ts picks one.

import type { Logger } from 'pino';
import type { AgentInput } from './vocabulary.js';
import type { RuntimeOptions } from './runtime-options.js';

/** The agents `pilothouse run --agent` knows. `acp`: any Agent Client Protocol agent, given its command. */
export const AGENT_NAMES = ['codex', 'claude', 'gemini', 'acp'] as const;
export type AgentName = (typeof AGENT_NAMES)[number];

/** The agent binary found and checked before anything starts. */
export interface AgentBinary {
  /** What the session row and presence say: `codex`, `claude`, `gemini`, or the ACP agent's own name. */
  readonly name: string;
  readonly version: string;
  /** The executable spawned (for ACP: the command's first word). */
  readonly path: string;
}

/** An earlier agent thread that could not be resumed, and why. */
export interface ResumeFailure {
  readonly previous: string;
  readonly code: string;
  readonly message: string;
}

/** An agent thread (Codex thread, Claude session, ACP session) ready for turns. */
export interface OpenedAgentThread {
  readonly threadId: string;
  /** What people are shown with approvals, e.g. `{approval_policy: 'on-request', sandbox: 'workspace-write'}`. */
  readonly policy: Readonly<Record<string, string | null>>;
  /** Set when `resume` was asked for and failed: a new thread took its place. */
  readonly resumeFailure: ResumeFailure | null;
}

export interface AgentDriverOptions {
  readonly cwd: string;
  /** The environment the agent runs in (the user's own by default), with the session marker added by the driver. */
  readonly env: NodeJS.ProcessEnv;
  /** This runner process: set as `PILOTHOUSE_SESSION=<id>` in the agent's environment (sessionMarker). */
  readonly instanceId: string;
  readonly runtime: RuntimeOptions;
  readonly log: Logger;
  /** Where the agent's notifications, requests and exits go (stamped `now` on arrival). */
  readonly feed: (input: AgentInput) => void;
}

export interface AgentDriver {
  readonly binary: AgentBinary;
  /** What the runner registers beyond `stream` and `previews` (e.g. `approvals`, `interrupt`). */
  readonly capabilities: readonly string[];
  /** The root of the agent's process tree (the port watcher's), or null while none runs. */
  readonly pid: number | null;
  /** Resumes `resume` when set (a failure is reported in the result, not thrown), else starts a new thread. Spawns the agent if needed. */
  openThread(resume: string | null): Promise<OpenedAgentThread>;
  /** Starts a turn; resolves with the agent's turn id once the agent accepted it. */
  startTurn(turn: { readonly threadId: string; readonly messageId: string; readonly text: string }): Promise<{ readonly turnId: string }>;
  interrupt(turn: { readonly threadId: string; readonly turnId: string }): Promise<void>;
  /** The core's choice for a pending request (unknown or moot ids are logged and ignored). */
  answer(requestId: string, choice: string): void;
  /** The core refuses a request it does not handle. */
  refuse(requestId: string, message: string): void;
  /** Whether a failed turn start means the agent no longer has the thread (the core then starts a new one). */
  isThreadLost(error: string): boolean;
  /** The runner closes: an exit is no longer news, and every open request is declined. */
  stopping(): void;
  close(): Promise<void>;
}

/** Set in the agent's environment, inherited by everything it starts: how the port watcher and `--resume` find what this session started. */
export const SESSION_MARKER_ENV = 'PILOTHOUSE_SESSION';

/** The `NAME=value` environment marker of a runner instance. */
export const sessionMarker = (instanceId: string): string => `${SESSION_MARKER_ENV}=${instanceId}`;
