// The one stream pipeline for every agent item kind. Rows are keyed by item key, the kind is
// data. Deltas are buffered per row and coalesced: `flush()` sends at most one append per row.
// Completion reconciles a row with Codex's final item, writing only what differs from what the
// hub already holds; a row never stays `streaming` once its turn is over (`finishTurn`).
// Memory per row is bounded (text.ts); hub writes are proportional to the output.

import type { RowStatus } from '@pilothouse/protocol';
import { Bounded } from './bounded.js';
import { clientId, fnv1a, type RowEffect } from './effects.js';
import type { Meta, RowSpec, StreamKind } from './items.js';
import { BoundedText, renderBounded, type Rendered, type TextBudget } from './text.js';

export interface StreamConfig extends TextBudget {
  /** The hub thread rows are posted into. */
  readonly threadId: string;
  /** Rows remembered (open ones and finished ones, for the duplicate guard). */
  readonly cap: number;
}

interface Entry {
  readonly key: string;
  readonly kind: StreamKind;
  readonly turnId: string;
  /** The row's text while it streams; released once done. */
  text: BoundedText | null;
  /** Code units of `text.head` the hub holds. */
  sentLen: number;
  /** The hub refused a write of this row: what it holds is unknown, so the finish replaces the body. */
  diverged: boolean;
  posted: boolean;
  done: boolean;
  meta: Meta;
  status: RowStatus;
  /** Fingerprint of the final body (duplicate guard for finished rows). */
  bodyFp: string;
}

export interface DeltaResult {
  readonly effects: RowEffect[];
  /** False when the row is already finished (a late delta) or unknown. */
  readonly accepted: boolean;
}

const fingerprint = (body: string): string => `${body.length}:${fnv1a(body)}`;
const sameMeta = (a: Meta, b: Meta): boolean => JSON.stringify(a) === JSON.stringify(b);

function sized(meta: Meta, rendered: Rendered): Meta {
  return rendered.truncated ? { ...meta, total_bytes: rendered.totalBytes, omitted_bytes: rendered.omittedBytes } : meta;
}

export class StreamPipeline {
  readonly #entries: Bounded<string, Entry>;
  /** Rows with unsent text, in the order they first got some (forwarded in order). */
  readonly #dirty = new Set<string>();

  constructor(readonly config: StreamConfig) {
    this.#entries = new Bounded(config.cap);
  }

  has(key: string): boolean {
    return this.#entries.has(key);
  }

  isOpen(key: string): boolean {
    const entry = this.#entries.get(key);
    return entry !== undefined && !entry.done;
  }

  get hasPending(): boolean {
    return this.#dirty.size > 0;
  }

  /** First sight of an item: registers it, and posts it now when eager or already holding text. */
  open(spec: RowSpec): RowEffect[] {
    if (this.#entries.has(spec.item_key)) return [];
    if (spec.status !== 'streaming') return this.complete(spec);
    const text = new BoundedText(this.config);
    if (spec.body !== null) text.push(spec.body);
    const entry: Entry = { key: spec.item_key, kind: spec.kind, turnId: spec.turnId, text, sentLen: 0, diverged: false, posted: false, done: false, meta: spec.meta, status: 'streaming', bodyFp: '' };
    const effects = this.#insert(entry);
    if (spec.eager || text.head.length > 0) effects.push(this.#post(entry, text.head, entry.meta, 'streaming'));
    return effects;
  }

  /** Buffers text for an open row (posting the row at its first text). */
  delta(key: string, delta: string): DeltaResult {
    const entry = this.#entries.get(key);
    if (entry === undefined || entry.text === null) return { effects: [], accepted: false };
    this.#entries.touch(key);
    const taken = entry.text.push(delta);
    if (!entry.posted && entry.text.head.length > 0) return { effects: [this.#post(entry, entry.text.head, entry.meta, 'streaming')], accepted: true };
    if (taken.length > 0) this.#dirty.add(key);
    return { effects: [], accepted: true };
  }

  /** One append per row with unsent text. */
  flush(): RowEffect[] {
    const effects: RowEffect[] = [];
    for (const key of this.#dirty) {
      const entry = this.#entries.get(key);
      const pending = entry?.text?.head.slice(entry.sentLen) ?? '';
      if (entry === undefined || !entry.posted || entry.diverged || pending === '') continue;
      effects.push({ type: 'append', payload: { item_key: key, offset: entry.sentLen, text: pending } });
      entry.sentLen += pending.length;
    }
    this.#dirty.clear();
    return effects;
  }

  /**
   * The hub refused an append or update of the row (its error is logged by the shell). Appends
   * after it would be refused too (offset_mismatch), so they stop, and the row's finish writes the
   * whole body with update_row: a refused write never leaves a silently short row.
   */
  refused(key: string): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    entry.diverged = true;
    entry.bodyFp = '';
    this.#dirty.delete(key);
  }

  /**
   * Reconciles a row with a final item (item/completed, turn/completed, or a replaced snapshot):
   * posts it if never seen, otherwise writes only what differs from what the hub holds.
   */
  complete(spec: RowSpec): RowEffect[] {
    const entry = this.#entries.get(spec.item_key);
    if (entry === undefined) {
      const rendered = renderBounded(spec.body ?? '', this.config, spec.gap);
      const fresh: Entry = { key: spec.item_key, kind: spec.kind, turnId: spec.turnId, text: null, sentLen: 0, diverged: false, posted: false, done: true, meta: spec.meta, status: spec.status, bodyFp: fingerprint(rendered.body) };
      const effects = this.#insert(fresh);
      if (rendered.body !== '' || spec.eager) effects.push(this.#post(fresh, rendered.body, sized(spec.meta, rendered), spec.status));
      return effects;
    }
    return entry.done ? this.#revise(entry, spec) : this.#finish(entry, spec);
  }

  /** Closes every row of `turnId` that never got its final item (e.g. an interrupted turn). */
  finishTurn(turnId: string, status: RowStatus): RowEffect[] {
    const open = [...this.#entries.values()].filter((e) => e.turnId === turnId && !e.done);
    return open.flatMap((e) => this.#finish(e, { item_key: e.key, turnId, kind: e.kind, body: null, meta: e.meta, status, eager: false }));
  }

  #finish(entry: Entry, spec: RowSpec): RowEffect[] {
    const text = entry.text ?? new BoundedText(this.config);
    const rendered = spec.body !== null ? renderBounded(spec.body, this.config, spec.gap) : text.render();
    const meta = sized(spec.meta, rendered);
    const effects: RowEffect[] = [];
    this.#dirty.delete(entry.key);
    if (!entry.posted) {
      if (rendered.body !== '' || spec.eager) effects.push(this.#post(entry, rendered.body, meta, spec.status));
    } else {
      const held = text.head.slice(0, entry.sentLen);
      const update: { body?: string; meta?: Meta; status?: RowStatus } = {};
      if (!entry.diverged && rendered.body.startsWith(held)) {
        const rest = rendered.body.slice(held.length);
        if (rest !== '') effects.push({ type: 'append', payload: { item_key: entry.key, offset: held.length, text: rest } });
      } else update.body = rendered.body;
      if (!sameMeta(meta, entry.meta)) update.meta = meta;
      if (spec.status !== entry.status) update.status = spec.status;
      if (Object.keys(update).length > 0) effects.push({ type: 'update_row', payload: { item_key: entry.key, ...update } });
    }
    Object.assign(entry, { text: null, done: true, diverged: false, meta, status: spec.status, bodyFp: fingerprint(rendered.body) });
    return effects;
  }

  #revise(entry: Entry, spec: RowSpec): RowEffect[] {
    const rendered = spec.body === null ? null : renderBounded(spec.body, this.config, spec.gap);
    const meta = rendered === null ? spec.meta : sized(spec.meta, rendered);
    const update: { body?: string; meta?: Meta; status?: RowStatus } = {};
    if (rendered !== null && fingerprint(rendered.body) !== entry.bodyFp) update.body = rendered.body;
    if (!sameMeta(meta, entry.meta)) update.meta = meta;
    if (spec.status !== entry.status) update.status = spec.status;
    if (Object.keys(update).length === 0) return [];
    Object.assign(entry, { meta, status: spec.status, bodyFp: update.body === undefined ? entry.bodyFp : fingerprint(update.body) });
    if (entry.posted) return [{ type: 'update_row', payload: { item_key: entry.key, ...update } }];
    // Finished without ever showing (an empty reasoning item): show it once it has content.
    return update.body !== undefined && update.body !== '' ? [this.#post(entry, update.body, meta, spec.status)] : [];
  }

  #post(entry: Entry, body: string, meta: Meta, status: RowStatus): RowEffect {
    entry.posted = true;
    entry.sentLen = body.length;
    entry.meta = meta;
    entry.status = status;
    const payload = { client_id: clientId('row', entry.key), thread_id: this.config.threadId, item_key: entry.key, kind: entry.kind, body, meta, status };
    return { type: 'post_row', payload };
  }

  /** Registers a row; a row pushed out by the cap is closed as interrupted first. */
  #insert(entry: Entry): RowEffect[] {
    const evicted = this.#entries.set(entry.key, entry);
    return evicted.flatMap(([, old]) =>
      old.done ? [] : this.#finish(old, { item_key: old.key, turnId: old.turnId, kind: old.kind, body: null, meta: old.meta, status: 'interrupted', eager: false }),
    );
  }
}
