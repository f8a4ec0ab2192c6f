// The Claude Code process: `claude -p` in stream-json mode, one per agent thread (a Claude
// session), spawned with `--session-id` for a new one or `--resume` for an earlier one. It reads
// Claude's lines (bounded; a malformed one is logged and skipped), feeds the adapter's inputs to
// the core, writes our lines, and reports an exit: mid-session as `agent_exited`, so the runner
// never waits on a dead agent.

import type { Logger } from 'pino';
import { SESSION_MARKER_ENV } from '../agent/driver.js';
import type { AgentInput } from '../agent/vocabulary.js';
import { settlesWithin, spawnChild, type Child, type ChildExit } from '../agent/child.js';
import { ClaudeAdapter, type ControlReply } from './adapter.js';
import { DENY_MESSAGE } from './approvals.js';
import { ClaudeError } from './errors.js';
import { LineSplitter } from './lines.js';
import { encodeLine, parseLine, type Outbound } from './wire.js';

/** How long a starting Claude may take to answer `initialize` (it answers in well under a second). */
const READY_TIMEOUT_MS = 60_000;

/** Claude's lines can carry whole files (a Write's content, a tool result): generous, but bounded. */
const MAX_LINE_CHARS = 32 * 1024 * 1024;

export interface ClaudeProcessOptions {
  readonly bin: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly instanceId: string;
  readonly log: Logger;
  readonly feed: (input: AgentInput) => void;
}

interface Waiter {
  readonly resolve: (reply: ControlReply) => void;
  readonly reject: (error: Error) => void;
}

export class ClaudeProcess {
  readonly #o: ClaudeProcessOptions;
  readonly #child: Child;
  readonly #adapter = new ClaudeAdapter();
  readonly #waiters = new Map<string, Waiter>();
  #nextRequest = 0;
  #stopping = false;
  #exit: ChildExit | null = null;
  /** Settles when the process is gone (every line delivered). */
  readonly exited: Promise<ChildExit>;

  constructor(options: ClaudeProcessOptions) {
    this.#o = options;
    const { log } = options;
    this.#child = spawnChild(options.bin, options.args, { cwd: options.cwd, env: { ...options.env, [SESSION_MARKER_ENV]: options.instanceId } });
    const lines = new LineSplitter(MAX_LINE_CHARS, {
      line: (text) => this.#receive(text),
      tooLong: (chars) => log.warn({ event: 'claude_line_too_long', chars }, 'claude sent a line over the bound; skipped'),
    });
    const stdout = this.#child.process.stdout;
    stdout.setEncoding('utf8');
    stdout.on('data', (chunk: string) => lines.push(chunk));
    stdout.on('end', () => lines.end());
    // A write to a dead child fails with EPIPE; its exit reports the loss.
    this.#child.process.stdin.on('error', (err) => log.debug({ event: 'claude_stdin_error', err: err.message }, 'writing to claude failed'));
    this.exited = this.#child.exited.then((exit) => this.#ended(exit));
  }

  get pid(): number | null {
    return this.#exit === null ? (this.#child.process.pid ?? null) : null;
  }

  get alive(): boolean {
    return this.#exit === null;
  }

  /**
   * Sends `initialize` and waits for its answer: proves Claude started (a failed `--resume` exits
   * first). One that neither answers nor exits in time is stopped: the runner never waits on it.
   */
  async ready(timeoutMs = READY_TIMEOUT_MS): Promise<void> {
    const reply = this.#control('initialize');
    if (!(await settlesWithin(reply, timeoutMs))) {
      await this.close();
      throw new ClaudeError('claude_exited', `Claude Code did not answer within ${Math.round(timeoutMs / 1000)} s of starting.`);
    }
    const answered = await reply;
    if (answered.subtype === 'error') throw new ClaudeError('claude_exited', `Claude Code refused to start: ${answered.error ?? 'no reason given'}`);
  }

  /** Writes the user line of a new turn. */
  startTurn(turnId: string, text: string): void {
    if (this.#exit !== null) throw new ClaudeError('claude_not_running', 'Claude Code is not running: its session thread is lost.');
    this.#adapter.beginTurn(turnId);
    this.#write({ type: 'user', text });
  }

  /** Asks Claude to stop the turn; it ends it with an aborted `result` (and cancels its open prompts first). */
  async interrupt(): Promise<void> {
    if (this.#exit !== null) return;
    const reply = await this.#control('interrupt');
    if (reply.subtype === 'error') throw new ClaudeError('claude_exited', `Claude Code refused the interrupt: ${reply.error ?? 'no reason given'}`);
  }

  answer(requestId: string, choice: string): void {
    const answer = this.#adapter.answer(requestId, choice);
    if (answer === undefined) {
      this.#o.log.debug({ event: 'answer_moot', request_id: requestId, choice }, 'the Claude prompt is no longer pending');
      return;
    }
    if (!answer.known) this.#o.log.warn({ event: 'answer_unknown', request_id: requestId, choice }, 'a choice the Claude prompt did not offer; denied');
    this.#write({ type: 'permission', requestId, result: answer.result });
  }

  refuse(requestId: string, message: string): void {
    if (this.#adapter.forget(requestId)) this.#write({ type: 'permission', requestId, result: { behavior: 'deny', message } });
  }

  /** The runner closes: an exit is no longer news, and every open prompt is denied. */
  stopping(): void {
    this.#stopping = true;
    for (const requestId of this.#adapter.pending()) this.refuse(requestId, DENY_MESSAGE);
  }

  /** Closes stdin (Claude exits when its input ends), then SIGTERM and SIGKILL if it lingers. */
  async close(): Promise<void> {
    this.#stopping = true;
    if (this.#exit !== null) return;
    this.#child.process.stdin.end();
    if (await settlesWithin(this.exited, 2_000)) return;
    this.#child.process.kill('SIGTERM');
    if (await settlesWithin(this.exited, 1_000)) return;
    this.#child.process.kill('SIGKILL');
    await this.exited;
  }

  #control(subtype: 'initialize' | 'interrupt'): Promise<ControlReply> {
    if (this.#exit !== null) return Promise.reject(exitError(this.#exit));
    const requestId = `pilothouse-${++this.#nextRequest}`;
    const reply = new Promise<ControlReply>((resolve, reject) => this.#waiters.set(requestId, { resolve, reject }));
    this.#write({ type: 'control_request', requestId, subtype });
    return reply;
  }

  #write(line: Outbound): void {
    this.#child.process.stdin.write(encodeLine(line));
  }

  #receive(text: string): void {
    if (text.trim() === '') return;
    const parsed = parseLine(text);
    const { log, feed } = this.#o;
    if (parsed.type === 'malformed') {
      log.warn({ event: 'claude_protocol_error', err: parsed.reason, line: text.slice(0, 200) }, 'claude sent a line we could not read; skipped');
      return;
    }
    if (parsed.type === 'ignored') {
      log.debug({ event: 'claude_line_ignored', kind: parsed.kind }, 'claude line not handled');
      return;
    }
    const out = this.#adapter.line(parsed, Date.now());
    for (const input of out.inputs) feed(input);
    if (out.reply !== undefined) {
      const waiter = this.#waiters.get(out.reply.request_id);
      this.#waiters.delete(out.reply.request_id);
      waiter?.resolve(out.reply);
    }
    if (out.unsupported !== undefined) {
      const { requestId, subtype } = out.unsupported;
      log.warn({ event: 'claude_request_unsupported', request_id: requestId, subtype }, 'claude asked for something Pilothouse does not handle');
      this.#write({ type: 'control_error', requestId, error: `Pilothouse does not handle ${subtype}` });
    }
  }

  #ended(exit: ChildExit): ChildExit {
    this.#exit = exit;
    const error = exitError(exit);
    for (const waiter of this.#waiters.values()) waiter.reject(error);
    this.#waiters.clear();
    return exit;
  }

  /** Reports an unexpected exit once the process is known to be the session's (after `ready`). */
  watch(): void {
    void this.exited.then((exit) => {
      if (this.#stopping) return;
      this.#o.log.error({ event: 'claude_exit', code: exit.code, signal: exit.signal, stderr: exit.stderrTail }, 'claude exited');
      this.#o.feed({ type: 'agent_exited', now: Date.now(), reason: exitReason(exit) });
    });
  }
}

/** How the process ended, as the core words it after "… exited: " (the last stderr line says why, e.g. a failed --resume). */
function exitReason(exit: ChildExit): string {
  const how = exit.spawnError ? `could not start (${exit.spawnError.message})` : exit.signal !== null ? `killed by ${exit.signal}` : `exit code ${String(exit.code)}`;
  const tail = exit.stderrTail.split('\n').filter(Boolean).at(-1);
  return tail ? `${how}: ${tail}` : how;
}

function exitError(exit: ChildExit): ClaudeError {
  return new ClaudeError(exit.spawnError ? 'claude_missing' : 'claude_exited', `Claude Code exited (${exitReason(exit)})`, exit);
}
