// The one stream pipeline for every agent item kind, as plain data. Rows are keyed by item key,
// the kind is data. Deltas are buffered per row and coalesced: `flush` sends at most one append
// per row. Completion reconciles a row with the agent's final item, writing only what differs
// from what the hub already holds; a row never stays `streaming` once its turn is over.
// Memory per row is bounded (text.ts); hub writes are proportional to the output. Every function
// returns a new Stream and pushes its row effects (each with the row's turn id) onto `out`.
// The hot path is a delta: only the open rows' text buffers (a few) are copied for it, never the
// row registry; a row becomes the newest in the registry when it posts and at each flush.

import type { RowStatus } from '@pilothouse/protocol';
import type { Meta, RowData, RowKind } from '../agent/vocabulary.js';
import * as lru from './bounded.js';
import { clientId, fnv1a, type Effect, type RowEffect } from './effects.js';
import { EMPTY_TEXT, pushText, renderBounded, renderText, type Rendered, type TextBudget, type TextBuffer } from './text.js';

export interface StreamConfig extends TextBudget {
  /** The hub thread rows are posted into. */
  readonly threadId: string;
  /** Rows remembered (open ones and finished ones, for the duplicate guard). */
  readonly registryCap: number;
}

/** A row as the session knows it: `turnId` is the turn whose item it shows. */
export type RowSpec = RowData & { readonly turnId: string };

export interface Entry {
  readonly key: string;
  readonly kind: RowKind;
  readonly turnId: string;
  /** Code units of the text's head the hub holds. */
  readonly sentLen: number;
  /** The hub refused a write of this row: what it holds is unknown, so the finish replaces the body. */
  readonly diverged: boolean;
  readonly posted: boolean;
  readonly done: boolean;
  readonly meta: Meta;
  readonly status: RowStatus;
  /** Fingerprint of the final body (duplicate guard for finished rows). */
  readonly bodyFp: string;
}

export interface Stream {
  /** Every row remembered, open and finished (the duplicate guard), oldest first. */
  readonly entries: lru.Lru<Entry>;
  /** The text of each open row (released when it finishes). */
  readonly texts: lru.Lru<TextBuffer>;
  /** Rows with unsent text, in the order they first got some (forwarded in order). */
  readonly dirty: readonly string[];
}

export const EMPTY_STREAM: Stream = { entries: [], texts: [], dirty: [] };

const fingerprint = (body: string): string => `${body.length}:${fnv1a(body)}`;
const sameMeta = (a: Meta, b: Meta): boolean => JSON.stringify(a) === JSON.stringify(b);
const sized = (meta: Meta, r: Rendered): Meta => (r.truncated ? { ...meta, total_bytes: r.totalBytes, omitted_bytes: r.omittedBytes } : meta);
const without = (keys: readonly string[], key: string): readonly string[] => (keys.includes(key) ? keys.filter((k) => k !== key) : keys);

export const hasRow = (st: Stream, key: string): boolean => lru.has(st.entries, key);
export const isOpen = (st: Stream, key: string): boolean => lru.get(st.entries, key)?.done === false;
export const hasPending = (st: Stream): boolean => st.dirty.length > 0;

/** First sight of an item: registers it, and posts it now when eager or already holding text. */
export function openRow(st: Stream, cfg: StreamConfig, spec: RowSpec, out: Effect[]): Stream {
  if (lru.has(st.entries, spec.key)) return st;
  if (spec.status !== 'streaming') return completeRow(st, cfg, spec, out);
  const text = spec.body === null ? EMPTY_TEXT : pushText(EMPTY_TEXT, cfg, spec.body);
  const entry: Entry = { key: spec.key, kind: spec.kind, turnId: spec.turnId, sentLen: 0, diverged: false, posted: false, done: false, meta: spec.meta, status: 'streaming', bodyFp: '' };
  const next = spec.eager || text.head.length > 0 ? insertPosted(st, cfg, entry, text.head, entry.meta, 'streaming', out) : insert(st, cfg, entry, out);
  return { ...next, texts: lru.set(next.texts, spec.key, text, cfg.registryCap).lru };
}

/** Buffers text for an open row (posting the row at its first text); null when the row is finished or unknown. */
export function appendText(st: Stream, cfg: StreamConfig, key: string, delta: string, out: Effect[]): Stream | null {
  const before = lru.get(st.texts, key);
  if (before === undefined) return null;
  const text = pushText(before, cfg, delta);
  const texts = lru.replace(st.texts, key, text);
  const entry = lru.get(st.entries, key);
  if (entry !== undefined && !entry.posted && text.head.length > 0) {
    return { ...st, entries: lru.update(st.entries, key, post(entry, cfg, text.head, entry.meta, 'streaming', out)), texts };
  }
  const dirty = text.head.length > before.head.length && !st.dirty.includes(key) ? [...st.dirty, key] : st.dirty;
  return { entries: st.entries, texts, dirty };
}

/** One append per row with unsent text. */
export function flush(st: Stream, out: Effect[]): Stream {
  if (st.dirty.length === 0) return st;
  let entries = st.entries;
  for (const key of st.dirty) {
    const entry = lru.get(entries, key);
    const pending = entry === undefined ? '' : (lru.get(st.texts, key)?.head.slice(entry.sentLen) ?? '');
    if (entry === undefined || !entry.posted || entry.diverged || pending === '') continue;
    out.push({ type: 'append', turn_id: entry.turnId, payload: { item_key: key, offset: entry.sentLen, text: pending } });
    // A row that streams stays the newest: the cap never pushes it out while it is in use.
    entries = lru.update(entries, key, { ...entry, sentLen: entry.sentLen + pending.length });
  }
  return { ...st, entries, dirty: [] };
}

/**
 * The hub refused an append or update of the row (its error is logged by the shell). Appends
 * after it would be refused too (offset_mismatch), so they stop, and the row's finish writes the
 * whole body with update_row: a refused write never leaves a silently short row.
 */
export function refused(st: Stream, key: string): Stream {
  const entry = lru.get(st.entries, key);
  if (entry === undefined) return st;
  return { ...st, entries: lru.replace(st.entries, key, { ...entry, diverged: true, bodyFp: '' }), dirty: without(st.dirty, key) };
}

/**
 * Reconciles a row with a final item (item completed, turn completed, or a replaced snapshot):
 * posts it if never seen, otherwise writes only what differs from what the hub holds.
 */
export function completeRow(st: Stream, cfg: StreamConfig, spec: RowSpec, out: Effect[]): Stream {
  const entry = lru.get(st.entries, spec.key);
  if (entry === undefined) {
    const rendered = renderBounded(spec.body ?? '', cfg, spec.gap);
    const fresh: Entry = { key: spec.key, kind: spec.kind, turnId: spec.turnId, sentLen: 0, diverged: false, posted: false, done: true, meta: spec.meta, status: spec.status, bodyFp: fingerprint(rendered.body) };
    return rendered.body !== '' || spec.eager ? insertPosted(st, cfg, fresh, rendered.body, sized(spec.meta, rendered), spec.status, out) : insert(st, cfg, fresh, out);
  }
  if (entry.done) return { ...st, entries: lru.replace(st.entries, spec.key, revise(entry, cfg, spec, out)) };
  return closeEntry(st, finish(entry, lru.get(st.texts, spec.key) ?? EMPTY_TEXT, cfg, spec, out));
}

/**
 * Closes every row of `turnId` that never got its final item (e.g. an interrupted turn), with
 * `status`, or with what `left` says of it (a command still running in the background).
 * What an open row was doing (`activity`) ends with it.
 */
export function finishTurn(st: Stream, cfg: StreamConfig, turnId: string, status: RowStatus, out: Effect[], left: (e: Entry) => Left | null = () => null): Stream {
  let next = st;
  for (const [, e] of st.entries) {
    if (e.turnId !== turnId || e.done) continue;
    const text = lru.get(st.texts, e.key) ?? EMPTY_TEXT;
    const { activity: _, ...meta } = e.meta;
    const how = left(e);
    const spec: RowSpec = { key: e.key, turnId, kind: e.kind, body: null, meta: how === null ? meta : { ...meta, ...how.meta }, status: how?.status ?? status, eager: false };
    next = closeEntry(next, finish(e, text, cfg, spec, out));
  }
  return next;
}

/** How a row its turn left open closes instead of the turn's dangling status. */
export interface Left {
  readonly status: RowStatus;
  readonly meta: Meta;
}

/** What an open row is doing beyond streaming (CommandRowMeta `activity`), null for nothing: an update_row when it changed. */
export function setActivity(st: Stream, key: string, activity: string | null, out: Effect[]): Stream {
  const entry = lru.get(st.entries, key);
  if (entry === undefined || entry.done || (entry.meta.activity ?? null) === activity) return st;
  const { activity: _, ...rest } = entry.meta;
  const meta = activity === null ? rest : { ...rest, activity };
  if (entry.posted && !entry.diverged) out.push({ type: 'update_row', turn_id: entry.turnId, payload: { item_key: key, meta } });
  return { ...st, entries: lru.replace(st.entries, key, { ...entry, meta }) };
}

/** A finished row: its registry entry replaced (same age), its text released. */
function closeEntry(st: Stream, closed: Entry): Stream {
  return { entries: lru.replace(st.entries, closed.key, closed), texts: lru.remove(st.texts, closed.key), dirty: without(st.dirty, closed.key) };
}

function finish(entry: Entry, text: TextBuffer, cfg: StreamConfig, spec: RowSpec, out: Effect[]): Entry {
  const rendered = spec.body !== null ? renderBounded(spec.body, cfg, spec.gap) : renderText(text, cfg);
  const meta = sized(spec.meta, rendered);
  const closed = (e: Entry): Entry => ({ ...e, done: true, diverged: false, meta, status: spec.status, bodyFp: fingerprint(rendered.body) });
  if (!entry.posted) return closed(rendered.body !== '' || spec.eager ? post(entry, cfg, rendered.body, meta, spec.status, out) : entry);
  const held = text.head.slice(0, entry.sentLen);
  const update: { body?: string; meta?: Meta; status?: RowStatus } = {};
  if (!entry.diverged && rendered.body.startsWith(held)) {
    const rest = rendered.body.slice(held.length);
    if (rest !== '') out.push({ type: 'append', turn_id: entry.turnId, payload: { item_key: entry.key, offset: held.length, text: rest } });
  } else update.body = rendered.body;
  if (!sameMeta(meta, entry.meta)) update.meta = meta;
  if (spec.status !== entry.status) update.status = spec.status;
  if (Object.keys(update).length > 0) out.push({ type: 'update_row', turn_id: entry.turnId, payload: { item_key: entry.key, ...update } });
  return closed(entry);
}

function revise(entry: Entry, cfg: StreamConfig, spec: RowSpec, out: Effect[]): Entry {
  const rendered = spec.body === null ? null : renderBounded(spec.body, cfg, spec.gap);
  const meta = rendered === null ? spec.meta : sized(spec.meta, rendered);
  const update: { body?: string; meta?: Meta; status?: RowStatus } = {};
  if (rendered !== null && fingerprint(rendered.body) !== entry.bodyFp) update.body = rendered.body;
  if (!sameMeta(meta, entry.meta)) update.meta = meta;
  if (spec.status !== entry.status) update.status = spec.status;
  if (Object.keys(update).length === 0) return entry;
  const revised: Entry = { ...entry, meta, status: spec.status, bodyFp: update.body === undefined ? entry.bodyFp : fingerprint(update.body) };
  if (entry.posted) {
    out.push({ type: 'update_row', turn_id: entry.turnId, payload: { item_key: entry.key, ...update } });
    return revised;
  }
  // Finished without ever showing (an empty reasoning item): show it once it has content.
  return update.body !== undefined && update.body !== '' ? post(revised, cfg, update.body, meta, spec.status, out) : revised;
}

function post(entry: Entry, cfg: StreamConfig, body: string, meta: Meta, status: RowStatus, out: Effect[]): Entry {
  const payload = { client_id: clientId('row', entry.key), thread_id: cfg.threadId, item_key: entry.key, kind: entry.kind, body, meta, status };
  out.push({ type: 'post_row', turn_id: entry.turnId, payload } satisfies RowEffect);
  return { ...entry, posted: true, sentLen: body.length, meta, status };
}

/** Registers a row; a row pushed out by the cap is closed as interrupted first. */
function insert(st: Stream, cfg: StreamConfig, entry: Entry, out: Effect[]): Stream {
  const { lru: entries, evicted } = lru.set(st.entries, entry.key, entry, cfg.registryCap);
  let { texts, dirty } = st;
  for (const [key, old] of evicted) {
    if (!old.done) finish(old, lru.get(texts, key) ?? EMPTY_TEXT, cfg, { key, turnId: old.turnId, kind: old.kind, body: null, meta: old.meta, status: 'interrupted', eager: false }, out);
    texts = lru.remove(texts, key);
    dirty = without(dirty, key);
  }
  return { entries, texts, dirty };
}

/** Registers a new row, then posts it (what the cap pushed out is closed before the post). */
function insertPosted(st: Stream, cfg: StreamConfig, entry: Entry, body: string, meta: Meta, status: RowStatus, out: Effect[]): Stream {
  const posted: Effect[] = [];
  const next = insert(st, cfg, post(entry, cfg, body, meta, status, posted), out);
  out.push(...posted);
  return next;
}
