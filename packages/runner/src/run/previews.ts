// The port-forward shell: feeds watcher events, button decisions and chat commands to the pure
// review (ports/review.ts) and performs its effects — prompt rows, preview_open / preview_close on
// the hub, row updates as a preview opens, is revoked or closes — and answers the tunnel client's
// "is this preview still approved?". DESIGN point 7; SEED-BEHAVIOURS "Port forwarding and previews".
//
// State beyond the review: the row of each pending prompt and the open preview of each approved
// port. Both are bounded by the review's own caps (REVIEW_CAP pending, REVIEW_CAP approved).

import { randomBytes } from 'node:crypto';
import { PilothouseError, type PushPayload, type PushReply } from '@pilothouse/protocol';
import { parseCommand } from '../ports/commands.js';
import { initialReviewState, step, type ReviewEffect, type ReviewEvent, type ReviewState, type Target } from '../ports/review.js';
import type { PortEvent } from '../previews/listeners/watcher.js';
import { describeAllowed, type ActorRef, type AllowedActor } from '../session/actors.js';
import { assertNever, clientId } from '../session/effects.js';
import { rowContent, type Phase, type RowFacts } from './port-rows.js';

type PreviewPushName = 'post_row' | 'update_row' | 'preview_open' | 'preview_close';
export type PreviewPush = <K extends PreviewPushName>(event: K, payload: PushPayload<K>) => Promise<PushReply<K>>;

export interface PreviewLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface PortForwardingOptions {
  readonly threadId: string;
  readonly allowed: readonly AllowedActor[];
  readonly push: PreviewPush;
  readonly log: PreviewLogger;
  /** Request ids are `${idPrefix}${n}`: unique per runner instance, short enough to type. */
  readonly idPrefix: string;
  /** `--forward` ports: approved from the start. */
  readonly initialForward?: readonly number[];
  /** Never prompted (e.g. ports the runner itself uses). */
  readonly suppressed?: readonly number[];
  readonly newPreviewId?: () => string;
  /** A preview stopped being served: drop its tunnel streams. */
  readonly onPreviewClosed?: (previewId: string) => void;
}

/** The outcome of a chat command, for the message's state: an error (code first) or a note. */
export interface CommandOutcome {
  readonly error: string | null;
  readonly note: string | null;
}

interface Row {
  readonly key: string;
  facts: RowFacts;
}

type PreviewView = Extract<Phase, { phase: 'opening' | 'ready' | 'unavailable' }>;

interface Preview {
  readonly id: string;
  readonly port: number;
  readonly row: Row;
  view: PreviewView;
}

/** 20 lower-case hex digits: a DNS label (PreviewId), unguessable. */
const randomPreviewId = (): string => randomBytes(10).toString('hex');

export class PortForwarding {
  readonly #o: PortForwardingOptions;
  #review: ReviewState;
  readonly #prompts = new Map<string, Row>();
  readonly #previews = new Map<number, Preview>();
  #rows = 0;
  #closed = false;

  constructor(options: PortForwardingOptions) {
    this.#o = options;
    this.#review = initialReviewState({
      bound: true,
      allowed: options.allowed,
      suppressed: options.suppressed ?? [],
      initialForward: options.initialForward ?? [],
      idPrefix: options.idPrefix,
    });
  }

  /** Open previews, by port (for tests and logs). */
  get previews(): { preview_id: string; port: number; url: string | null }[] {
    return [...this.#previews.values()].map((p) => ({ preview_id: p.id, port: p.port, url: p.view.phase === 'ready' ? p.view.url : null }));
  }

  /** The tunnel client's check before it connects a stream to a dev server. */
  isApproved(previewId: string, port: number): boolean {
    return !this.#closed && this.#previews.get(port)?.id === previewId;
  }

  /** A watcher event. */
  listener(event: PortEvent): void {
    switch (event.type) {
      case 'listening':
        return void this.#step({ type: 'listener_seen', listener: target(event.listener) });
      case 'closed':
        return void this.#step({ type: 'listener_closed', listener: target(event.listener) });
      case 'scan_failed':
        this.#o.log.warn({ event: 'forward_port_scan_failed', err: String((event.error as Error | null)?.message ?? event.error) }, 'port scan failed');
        return;
      default:
        return assertNever(event, 'port event');
    }
  }

  /** An allowed actor's button (control resolve_port_forward); a refusal becomes a notice row. */
  decision(control_id: string, request_id: string, decision: 'approve' | 'deny', actor: ActorRef): void {
    const effects = this.#step({ type: 'decision', id: request_id, decision, actor, via: 'button' });
    const rejected = effects.find((e) => e.type === 'rejected');
    if (rejected === undefined) return;
    const message = describeRejection(rejected, this.#o.allowed);
    this.#post({
      client_id: clientId('port-control', control_id),
      thread_id: this.#o.threadId,
      kind: 'notice',
      body: `resolve_port_forward refused: ${message}`,
      meta: { code: rejected.code, control_id, action: 'resolve_port_forward', actor: actor.name },
    });
  }

  /** A `/pilothouse …` message; the outcome becomes the message's state. */
  command(text: string, actor: ActorRef): CommandOutcome {
    const parsed = parseCommand(text);
    if (parsed === null) {
      const verb = text.trim().split(/\s+/)[1];
      const what = verb === undefined ? 'no command given' : `unknown command "${verb}"`;
      return fail(`invalid_command: ${what}; use approve-port-forward <id>, deny-port-forward <id> or forward <port>`);
    }
    if (parsed.type === 'malformed') {
      this.#o.log.info({ event: 'forward_port_command_rejected', code: 'invalid_command', by: actor.name }, 'malformed port command');
      return fail(`invalid_command: ${parsed.verb}: ${parsed.reason}`);
    }
    const effects = this.#step({ type: 'chat_command', text, actor });
    const rejected = effects.find((e) => e.type === 'rejected');
    if (rejected !== undefined) return fail(`${rejected.code}: ${describeRejection(rejected, this.#o.allowed)}`);
    const resolved = effects.find((e) => e.type === 'resolved');
    if (resolved !== undefined) return { error: null, note: `port ${resolved.port} ${resolved.outcome}` };
    return { error: null, note: parsed.type === 'forward' ? `port ${parsed.port} is already approved` : null };
  }

  /** After a reconnect: the hub may have forgotten our previews (preview_open is idempotent). */
  reopenAll(): void {
    for (const preview of this.#previews.values()) this.#open(preview);
  }

  /** The runner is closing: stop serving every preview and say so in the rows. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const preview of [...this.#previews.values()]) this.#stop(preview, 'runner_closed', { phase: 'closed', preview_id: preview.id, why: 'runner_closed', was: 'approved' });
    for (const row of this.#prompts.values()) this.#update(row, { phase: 'closed', preview_id: null, why: 'runner_closed', was: 'pending' });
    this.#prompts.clear();
  }

  #step(event: ReviewEvent): readonly ReviewEffect[] {
    if (this.#closed) return [];
    const { state, effects } = step(this.#review, event);
    this.#review = state;
    for (const effect of effects) this.#perform(effect);
    return effects;
  }

  #perform(effect: ReviewEffect): void {
    const { threadId } = this.#o;
    switch (effect.type) {
      case 'prompt': {
        const row: Row = { key: `port:${effect.id}`, facts: { port: effect.port, target: target(effect), request_id: effect.id, thread_id: threadId } };
        this.#prompts.set(effect.id, row);
        this.#postRow(row, { phase: 'prompt', choices: effect.choices, allowed: this.#o.allowed });
        return;
      }
      case 'resolved': {
        const prompt = effect.id === null ? undefined : this.#prompts.get(effect.id);
        if (effect.id !== null) this.#prompts.delete(effect.id);
        const by = effect.actor?.name ?? null;
        if (effect.outcome === 'denied') {
          if (prompt !== undefined) this.#update(prompt, { phase: 'denied', by });
          return;
        }
        this.#serve(effect.port, effect.target, effect.id, prompt, by);
        return;
      }
      case 'found': {
        const preview = this.#previews.get(effect.port);
        if (preview === undefined) return this.#serve(effect.port, effect.target, null, undefined, null);
        // A manual forward learns which process it serves.
        preview.row.facts = { ...preview.row.facts, target: effect.target };
        this.#update(preview.row, preview.view);
        return;
      }
      case 'revoked': {
        const preview = this.#previews.get(effect.port);
        if (preview !== undefined) this.#stop(preview, effect.reason === 'evicted' ? 'evicted' : 'revoked', { phase: 'revoked', preview_id: preview.id, why: effect.reason });
        return;
      }
      case 'closed': {
        if (effect.was === 'pending') {
          const row = effect.id === null ? undefined : this.#prompts.get(effect.id);
          if (effect.id !== null) this.#prompts.delete(effect.id);
          if (row !== undefined) this.#update(row, { phase: 'closed', preview_id: null, why: effect.reason, was: 'pending' });
          return;
        }
        const preview = this.#previews.get(effect.port);
        if (preview === undefined || (preview.row.facts.target !== null && preview.row.facts.target.pid !== effect.target.pid)) return;
        this.#stop(preview, effect.reason, { phase: 'closed', preview_id: preview.id, why: effect.reason, was: 'approved' });
        return;
      }
      case 'rejected':
        this.#o.log.info({ event: 'forward_port_rejected', code: effect.code, id: effect.id, port: effect.port, by: effect.actor?.name ?? null }, 'port-forward request refused');
        return;
      case 'log':
        this.#o.log.info({ event: effect.event, ...effect.fields }, effect.event);
        return;
      default:
        return assertNever(effect, 'review effect');
    }
  }

  /** An approved port: a new preview, shown in the prompt's row (or a new row), opened on the hub. */
  #serve(port: number, tgt: Target | null, requestId: string | null, prompt: Row | undefined, by: string | null): void {
    const old = this.#previews.get(port);
    if (old !== undefined) this.#stop(old, 'revoked', { phase: 'revoked', preview_id: old.id, why: 'listener_changed' });
    const id = (this.#o.newPreviewId ?? randomPreviewId)();
    const view: PreviewView = { phase: 'opening', preview_id: id, by };
    let row = prompt;
    if (row === undefined) {
      row = { key: `port:${this.#o.idPrefix}r${(this.#rows += 1)}`, facts: { port, target: tgt, request_id: requestId, thread_id: this.#o.threadId } };
      this.#postRow(row, view);
    } else {
      row.facts = { ...row.facts, target: tgt ?? row.facts.target };
      this.#update(row, view);
    }
    const preview: Preview = { id, port, row, view };
    this.#previews.set(port, preview);
    this.#open(preview);
  }

  #open(preview: Preview): void {
    const { id, port } = preview;
    this.#o.push('preview_open', { preview_id: id, port, thread_id: this.#o.threadId }).then(
      (reply) => {
        if (this.#previews.get(port) !== preview) return;
        const again = preview.view.phase === 'ready' && preview.view.url === reply.url;
        this.#o.log.info({ event: again ? 'forward_port_reopened' : 'forward_port_opened', preview_id: id, port, url: reply.url }, 'preview open');
        if (again) return;
        preview.view = { phase: 'ready', preview_id: id, url: reply.url };
        this.#update(preview.row, preview.view);
      },
      (err: unknown) => {
        const reason = errorText(err);
        this.#o.log.warn({ event: 'forward_port_failed', preview_id: id, port, err: reason }, 'the hub did not open the preview');
        if (this.#previews.get(port) !== preview) return;
        preview.view = { phase: 'unavailable', preview_id: id, reason };
        this.#update(preview.row, preview.view);
      },
    );
  }

  #stop(preview: Preview, reason: 'revoked' | 'process_exited' | 'evicted' | 'runner_closed', phase: Phase): void {
    this.#previews.delete(preview.port);
    this.#o.onPreviewClosed?.(preview.id);
    this.#update(preview.row, phase);
    this.#o.push('preview_close', { preview_id: preview.id, reason }).catch((err: unknown) => {
      this.#o.log.info({ event: 'forward_port_close_failed', preview_id: preview.id, reason, err: errorText(err) }, 'preview_close refused');
    });
  }

  #postRow(row: Row, phase: Phase): void {
    const { body, meta, status } = rowContent(row.facts, phase);
    this.#post({
      client_id: row.key,
      thread_id: this.#o.threadId,
      item_key: row.key,
      kind: 'port_forward',
      body,
      meta,
      ...(status === null ? {} : { status }),
    });
  }

  #post(payload: PushPayload<'post_row'>): void {
    this.#o.push('post_row', payload).catch((err: unknown) => this.#o.log.warn({ event: 'forward_failed', push: 'post_row', err: errorText(err) }, 'the hub refused a row'));
  }

  #update(row: Row, phase: Phase): void {
    const { body, meta, status } = rowContent(row.facts, phase);
    this.#o
      .push('update_row', { item_key: row.key, body, meta, status })
      .catch((err: unknown) => this.#o.log.warn({ event: 'forward_failed', push: 'update_row', err: errorText(err) }, 'the hub refused a row'));
  }
}

function target(t: { port: number; pid: number; command: string; cwd: string }): Target {
  return { port: t.port, pid: t.pid, command: t.command, cwd: t.cwd };
}

const fail = (error: string): CommandOutcome => ({ error, note: null });

function errorText(err: unknown): string {
  if (err instanceof PilothouseError) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

function describeRejection(rejected: Extract<ReviewEffect, { type: 'rejected' }>, allowed: readonly AllowedActor[]): string {
  switch (rejected.code) {
    case 'sender_not_allowed':
      return `${rejected.actor?.name ?? 'nobody'} may not decide port forwards (${describeAllowed(allowed)} can).`;
    case 'port_forward_request_not_found':
      return `No pending port-forward request "${rejected.id ?? ''}" (already decided, closed, or never asked).`;
    case 'invalid_port':
      return `${String(rejected.port)} is not a TCP port (1–65535).`;
    case 'invalid_command':
      return 'Use approve-port-forward <id>, deny-port-forward <id> or forward <port>.';
    default:
      return assertNever(rejected.code, 'rejection code');
  }
}
