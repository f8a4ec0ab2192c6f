// Performs the session core's effects, in order: pushes to the hub, requests to the agent (through
// its driver), answers to its requests, a new agent thread, preview pushes and listener scans, a
// probe of the agent's model URL, log lines and cursor acks. Two
// pieces of state live here: the state write each turn start waits for, and the batched ack.

import { assertNever } from '@pilothouse/protocol';
import type { Logger } from 'pino';
import type { AgentDriver } from '../agent/driver.js';
import { probeModel, type ModelProbeResult } from '../agent/model-probe.js';
import { describeError } from '../errors.js';
import type { HubClient } from '../hub/api.js';
import type { Effect, SessionInput } from '../session/index.js';
import { reportResumeFailure } from './agent-thread.js';
import type { PortWiring } from './port-wiring.js';

export interface EffectRunnerOptions {
  readonly hub: HubClient;
  readonly agent: AgentDriver;
  readonly ports: Pick<PortWiring, 'open' | 'closePreview' | 'scan'>;
  readonly feed: (input: SessionInput) => void;
  readonly log: Logger;
  /** The hub thread the session is bound to now (it follows re-binds): where a resume failure is told. */
  readonly bound: () => string;
  readonly allowed: readonly string[];
  /** A new agent thread is in use in the bound session thread: remember both for `--resume`. */
  readonly remember: (threadId: string, agentThreadId: string) => void;
  /** Whether anything answers HTTP at a model URL (default: agent/model-probe.ts, a GET with a 5 s deadline). */
  readonly probe?: (url: string) => Promise<ModelProbeResult>;
}

export class EffectRunner {
  readonly #o: EffectRunnerOptions;
  /** The last state push per message, until the hub answers it (a turn starts after `processing`). */
  readonly #stateWrites = new Map<string, Promise<unknown>>();
  #pendingAck: number | null = null;
  #stopped = false;

  constructor(options: EffectRunnerOptions) {
    this.#o = options;
  }

  readonly perform = (effect: Effect): void => {
    const { hub, log, feed } = this.#o;
    switch (effect.type) {
      case 'post_row':
      case 'append':
      case 'update_row':
        void hub.push(effect.type, effect.payload as never).catch((err: unknown) => {
          const { code, message } = describeError(err);
          log.warn({ event: 'forward_failed', push: effect.type, item_key: effect.payload.item_key, turn_id: effect.turn_id, code, err: message }, 'the hub refused a row');
          if (effect.type !== 'post_row') feed({ type: 'row_refused', now: Date.now(), item_key: effect.payload.item_key, code });
        });
        return;
      case 'set_state':
        return this.#setState(effect.payload);
      case 'runner_status':
        hub.push('runner_status', { status: effect.status, thread_id: effect.thread_id, allowed: [...this.#o.allowed] }).catch((err: unknown) => {
          // Presence is best effort: the next status or the re-register repeats it.
          log.debug({ event: 'runner_status_failed', ...describeError(err) }, 'runner_status not delivered');
        });
        return;
      case 'start_turn':
        return this.#turnStart(effect);
      case 'interrupt':
        this.#o.agent.interrupt({ threadId: effect.threadId, turnId: effect.turnId }).catch((err: unknown) => {
          const { code, message } = describeError(err);
          log.warn({ event: 'interrupt_failed', code, err: message }, 'the agent refused the interrupt');
        });
        return;
      case 'answer':
        return this.#o.agent.answer(effect.requestId, effect.choice);
      case 'refuse':
        return this.#o.agent.refuse(effect.requestId, effect.message);
      case 'start_thread':
        return this.#startThread(effect.resume, effect.reason);
      case 'preview_open':
        return this.#o.ports.open(effect.payload);
      case 'preview_close':
        return this.#o.ports.closePreview(effect.payload);
      case 'scan_listeners':
        return this.#o.ports.scan();
      case 'probe_model':
        // probeModel never rejects: its failures are its answer.
        (this.#o.probe ?? probeModel)(effect.url).then(
          (result) => feed({ type: 'model_probed', now: Date.now(), turnId: effect.turnId, result }),
          // probeModel never rejects (its failures are its answer); another probe that does is a bug to see.
          (err: unknown) => log.error({ event: 'model_probe_failed', turn_id: effect.turnId, ...describeError(err) }, 'the model probe threw'),
        );
        return;
      case 'log':
        log[effect.level]({ event: effect.event, ...effect.fields }, effect.event);
        return;
      case 'ack':
        return this.#ack(effect.seq, effect.durable === true);
      default:
        return assertNever(effect, 'effect');
    }
  };

  /** The runner closes: the batched ack is persisted now, and later acks are dropped. */
  stop(): void {
    this.#stopped = true;
    if (this.#pendingAck !== null) this.#o.hub.ack(this.#pendingAck);
    this.#pendingAck = null;
  }

  #setState(payload: Extract<Effect, { type: 'set_state' }>['payload']): void {
    const written = this.#o.hub.push('set_state', payload);
    this.#stateWrites.set(payload.message_id, written);
    const forget = () => void (this.#stateWrites.get(payload.message_id) === written && this.#stateWrites.delete(payload.message_id));
    written.then(forget, (err: unknown) => {
      forget();
      const { code, message } = describeError(err);
      this.#o.log.warn({ event: 'state_failed', message_id: payload.message_id, code, err: message }, 'the hub refused a state');
    });
  }

  #turnStart(effect: Extract<Effect, { type: 'start_turn' }>): void {
    // Only once the hub has the message `processing`: a restart then knows it may have run.
    const recorded = this.#stateWrites.get(effect.message_id) ?? Promise.resolve();
    const { agent } = this.#o;
    const started = recorded.then(() => agent.startTurn({ threadId: effect.threadId, messageId: effect.message_id, text: effect.text }));
    started.then(
      (r) => this.#o.feed({ type: 'turn_start_ok', now: Date.now(), message_id: effect.message_id, turnId: r.turnId }),
      (err: unknown) => {
        const error = describeError(err).message;
        this.#o.feed({ type: 'turn_start_failed', now: Date.now(), message_id: effect.message_id, error, threadLost: agent.isThreadLost(error) });
      },
    );
  }

  #startThread(resume: string | null, reason: string): void {
    const { agent, hub, log, feed } = this.#o;
    agent.openThread(resume).then(
      ({ threadId: id, resumeFailure }) => {
        // The session does not re-bind while it waits for this thread: `bound` is the thread it is for.
        const threadId = this.#o.bound();
        this.#o.remember(threadId, id);
        if (resumeFailure) reportResumeFailure((row) => hub.push('post_row', row), log, threadId, resumeFailure, id);
        log.info({ event: 'agent_thread_started', agent: agent.binary.name, old: resume, new: id, reason }, 'agent thread started');
        feed({ type: 'thread_started', now: Date.now(), threadId: id });
      },
      (err: unknown) => feed({ type: 'thread_start_failed', now: Date.now(), error: describeError(err).message }),
    );
  }

  #ack(seq: number, durable: boolean): void {
    // Before what follows (a run's final state): a restart must not find the run's trigger again.
    if (durable && !this.#stopped) {
      this.#pendingAck = null;
      this.#o.hub.ack(seq);
      return;
    }
    // The cursor file is fsynced on save: persist once per tick, not once per event.
    if (this.#pendingAck === null)
      setImmediate(() => {
        const pending = this.#pendingAck;
        this.#pendingAck = null;
        if (pending !== null && !this.#stopped) this.#o.hub.ack(pending);
      });
    this.#pendingAck = Math.max(this.#pendingAck ?? 0, seq);
  }
}
