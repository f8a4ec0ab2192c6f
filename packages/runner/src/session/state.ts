// The whole state of one runner session in one type, as plain data (objects, arrays, strings,
// numbers, booleans, null: it can be built, copied, frozen and compared as a value):
// configuration, the agent thread, the turn, the queue, the stream pipeline, the pending
// approvals and the hub cursor. Every registry is keyed and bounded. `step` never changes a state.

import type { MessageStateName } from '@pilothouse/protocol';
import type { AllowedActor } from './actors.js';
import type { Approvals } from './approvals.js';
import { DEFAULT_CAP, type Lru } from './bounded.js';
import type { Effect } from './effects.js';
import type { Queue, QueuedMessage } from './queue.js';
import { EMPTY_STREAM, type Stream, type StreamConfig } from './stream.js';
import { initialPreviews, type PreviewsConfig, type PreviewsState } from './previews/state.js';
import { IDLE, type Turn } from './turn.js';

/** The stream pipeline's settings are a part of it (stream.ts StreamConfig). */
/** A session thread of this runner (the id of its root message) and the agent thread it last used (null: none yet). */
export interface KnownThread {
  readonly threadId: string;
  readonly agentThreadId: string | null;
}

/** Older session threads remembered (newest first): a reply in one re-binds the session to it. */
export const MAX_OLDER_THREADS = 32;

export interface SessionConfig {
  /** The hub thread the session starts bound to (the id of its root message); `SessionState.bound` follows re-binds. */
  readonly threadId: string;
  /** The agent thread to use; null starts one before the first turn. */
  readonly agentThreadId: string | null;
  /** Older session threads of this runner in this folder and channel, newest first (shell/local-state.ts). */
  readonly threads: readonly KnownThread[];
  /** Who may steer: the listen user first, then users the owner allowed. */
  readonly allowed: readonly AllowedActor[];
  /** Shown with approvals, e.g. `{approval_policy: 'on-request', sandbox: 'workspace-write'}`. */
  readonly policy: Readonly<Record<string, string | null>>;
  /** What people call the agent, e.g. in "Claude Code exited: …" (agent/drivers.ts agentTitle). */
  readonly agentTitle: string;
  readonly flushMs: number;
  readonly heartbeatMs: number;
  /** Pending approvals are cancelled after this long; null waits forever. */
  readonly approvalTimeoutMs: number | null;
  /** Per row: the streamed head and the kept tail, in UTF-16 code units. */
  readonly headChars: number;
  readonly tailChars: number;
  /** Entries per registry (rows, approvals, finished turns). */
  readonly registryCap: number;
  /** Accepted messages waiting; more are refused with a visible reason. */
  readonly maxQueued: number;
  /** Port forwarding (previews/state.ts); null: off, `/pilothouse` port commands are refused. */
  readonly previews: PreviewsConfig | null;
  /**
   * How long a turn may go on while nothing answers the agent's model requests (the agent reports
   * connection failures and keeps retrying: Codex without end) before the session stops it and
   * fails the message with the agent's reason.
   */
  readonly unreachableMs: number;
  /** Where the agent's model is (its provider's base URL), for that reason; null when unknown. */
  readonly modelUrl: string | null;
  /**
   * For an agent that says nothing while it retries a model it cannot reach (Gemini CLI over ACP):
   * after this long without a word while the turn waits on its model, the session has the shell
   * ask `modelUrl` itself (unreachable.ts), and keeps asking while the quiet lasts. Null: the agent
   * reports its own trouble (Codex, Claude Code), nothing is asked.
   */
  readonly modelProbeMs: number | null;
}

export type SessionOptions = Pick<SessionConfig, 'threadId' | 'allowed'> & Partial<SessionConfig>;

export const DEFAULTS = {
  agentThreadId: null,
  threads: [],
  policy: {},
  agentTitle: 'Codex',
  flushMs: 150,
  heartbeatMs: 5_000,
  approvalTimeoutMs: null,
  headChars: 64 * 1024,
  tailChars: 64 * 1024,
  registryCap: DEFAULT_CAP,
  maxQueued: 256,
  previews: null,
  unreachableMs: 15_000,
  modelUrl: null,
  modelProbeMs: null,
} as const satisfies Omit<SessionConfig, 'threadId' | 'allowed'>;

/** Head + marker + tail must fit one push (MAX_TEXT = 512 KiB) with room to spare. */
const MAX_ROW_CHARS = 256 * 1024;

export function sessionConfig(options: SessionOptions): SessionConfig {
  const config: SessionConfig = { ...DEFAULTS, ...options };
  const positive = ['flushMs', 'heartbeatMs', 'headChars', 'tailChars', 'registryCap', 'maxQueued', 'unreachableMs'] as const;
  for (const key of positive) {
    if (!Number.isInteger(config[key]) || config[key] < 1) throw new RangeError(`${key} must be a positive integer, got ${config[key]}`);
  }
  if (config.modelProbeMs !== null && (!Number.isInteger(config.modelProbeMs) || config.modelProbeMs < 1)) throw new RangeError(`modelProbeMs must be a positive integer or null, got ${config.modelProbeMs}`);
  if (config.headChars + config.tailChars > MAX_ROW_CHARS) throw new RangeError(`headChars + tailChars must be at most ${MAX_ROW_CHARS}`);
  if (config.allowed.length === 0) throw new RangeError('allowed must name the listen user');
  const { previews } = config;
  // Preview ids are derived from the secret: a short one would make them guessable.
  if (previews !== null && previews.secret.length < 32) throw new RangeError('previews.secret must be at least 32 characters of randomness');
  if (previews?.scanMs != null && (!Number.isInteger(previews.scanMs) || previews.scanMs < 1)) throw new RangeError(`previews.scanMs must be a positive integer, got ${previews.scanMs}`);
  return config;
}

export type AgentThread =
  | { readonly status: 'ready'; readonly threadId: string }
  | { readonly status: 'starting'; readonly previous: string | null }
  /** `resume`: try to resume `previous` (the agent restarted) rather than start afresh (thread lost). */
  | { readonly status: 'missing'; readonly previous: string | null; readonly resume: boolean };

/** A person's instruction in the session thread and the last state it was given (what a retry checks). */
export interface Steered {
  readonly message: QueuedMessage;
  readonly state: MessageStateName | null;
}

/**
 * After a restart: the hub's thread as read at start (recovery.ts). Events up to `throughSeq` may
 * have been seen by the dead process; `states` says what became of each message after the cursor.
 */
export interface Recovered {
  readonly throughSeq: number;
  readonly states: Readonly<Record<string, MessageStateName>>;
}

export interface SessionState {
  readonly config: SessionConfig;
  /**
   * The hub thread the session is bound to: its rows, notices, states and presence go there, and
   * replies there steer it. A reply in one of `older` re-binds the session to that thread (rebind.ts).
   */
  readonly bound: string;
  /** This runner's other session threads, newest first (at most MAX_OLDER_THREADS); never holds `bound`. */
  readonly older: readonly KnownThread[];
  readonly agent: AgentThread;
  readonly turn: Turn;
  readonly queue: Queue;
  readonly stream: Stream;
  readonly approvals: Approvals;
  /** Turns already closed: their late deltas and items are dropped. */
  readonly finishedTurns: readonly string[];
  /** A turn another client (the owner's TUI) started, while it runs: mirrored (foreign.ts). */
  readonly foreign: string | null;
  /** Keys of the owner's inputs already mirrored into the thread (posted once). */
  readonly mirrored: readonly string[];
  /** Instructions of this thread (newest kept), for `retry`. */
  readonly steered: Lru<Steered>;
  readonly recovered: Recovered | null;
  /** The port-forward review and open previews (previews/state.ts); null when port forwarding is off. */
  readonly previews: PreviewsState | null;
  /** Highest hub seq seen, and the cursor acknowledged to the shell. */
  readonly lastSeq: number;
  readonly ackedSeq: number;
  /** When the last flush went out; null before the first. */
  readonly lastFlushAt: number | null;
  /** When the last working heartbeat went out; null while idle. */
  readonly lastBeatAt: number | null;
  readonly closed: boolean;
}

/** `cursor`: the seq the hub feed resumes after (events at or below it were handled before). */
export function createSession(config: SessionConfig, cursor = 0): SessionState {
  return {
    config,
    bound: config.threadId,
    older: config.threads.filter((t) => t.threadId !== config.threadId).slice(0, MAX_OLDER_THREADS),
    agent: config.agentThreadId === null ? { status: 'missing', previous: null, resume: false } : { status: 'ready', threadId: config.agentThreadId },
    turn: IDLE,
    queue: [],
    stream: EMPTY_STREAM,
    approvals: [],
    finishedTurns: [],
    foreign: null,
    mirrored: [],
    steered: [],
    recovered: null,
    previews: config.previews === null ? null : initialPreviews(config.threadId, config.allowed, config.previews),
    lastSeq: cursor,
    ackedSeq: cursor,
    lastFlushAt: null,
    lastBeatAt: null,
    closed: false,
  };
}

/** One step in progress: the state, the input's time, and the effects emitted so far. */
export interface Ctx {
  /** A working copy of the state: its fields are replaced (never mutated through) as the step goes. */
  readonly s: { -readonly [K in keyof SessionState]: SessionState[K] };
  readonly now: number;
  readonly out: Effect[];
}

/** The stream pipeline's settings (stream.ts), posting rows into the bound thread. */
export const streamConfig = (s: Pick<SessionState, 'config' | 'bound'>): StreamConfig => (s.config.threadId === s.bound ? s.config : { ...s.config, threadId: s.bound });

export const listenUser = (s: SessionState): string => s.config.allowed[0]?.name ?? 'nobody';
