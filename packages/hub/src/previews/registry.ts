// Which previews this hub process serves: preview id → channel, thread, owner, runner, port and the
// runner socket that opens its tunnel streams (null while that runner is offline), plus bounded
// tombstones so that a closed preview answers 410 with its reason rather than 404. In memory, per
// process (docs/protocol.md, "Previews"). Pure bookkeeping: the service tears down what it reports.

import { PilothouseError, type PreviewCloseReason } from '@pilothouse/protocol';
import type { Subscription } from '../socket/types.js';

export interface PreviewRecord {
  readonly previewId: string;
  readonly channelId: string;
  readonly threadId: string;
  readonly ownerUserId: string;
  readonly runnerId: string;
  readonly instanceId: string;
  readonly port: number;
  /** The runner socket's membership in its channel topic; null while the runner is offline. */
  readonly sub: Subscription | null;
}

export type PreviewLookup =
  | { status: 'open'; preview: PreviewRecord & { sub: Subscription } }
  | { status: 'offline'; preview: PreviewRecord }
  | { status: 'closed'; reason: PreviewCloseReason }
  | { status: 'unknown' };

export interface OpenInput {
  previewId: string;
  channelId: string;
  threadId: string;
  ownerUserId: string;
  runnerId: string;
  instanceId: string;
  port: number;
  sub: Subscription;
}

export interface OpenResult {
  preview: PreviewRecord;
  /** A new id (not a re-send after a reconnect). */
  created: boolean;
  /** Tunnel sockets and cookies of the previous binding are void: the port or the channel changed. */
  reset: boolean;
  /** Records the bounds pushed out (closed with reason `evicted`). */
  evicted: PreviewRecord[];
}

export interface RegistryLimits {
  perRunner: number;
  total: number;
  tombstones: number;
}

export const DEFAULT_REGISTRY_LIMITS: RegistryLimits = { perRunner: 64, total: 4096, tombstones: 1000 };

export class PreviewRegistry {
  /** Insertion order is age order: re-opening moves a record to the end. */
  readonly #open = new Map<string, PreviewRecord>();
  readonly #tombstones = new Map<string, { reason: PreviewCloseReason; ownerUserId: string }>();
  readonly #limits: RegistryLimits;

  constructor(limits: RegistryLimits = DEFAULT_REGISTRY_LIMITS) {
    this.#limits = limits;
  }

  get size(): number {
    return this.#open.size;
  }

  lookup(previewId: string): PreviewLookup {
    const preview = this.#open.get(previewId);
    if (preview) return preview.sub && !preview.sub.closed ? { status: 'open', preview: { ...preview, sub: preview.sub } } : { status: 'offline', preview };
    const tomb = this.#tombstones.get(previewId);
    return tomb ? { status: 'closed', reason: tomb.reason } : { status: 'unknown' };
  }

  /** Opens or re-binds (idempotent by id). Another user's id, open or closed, is forbidden. */
  open(input: OpenInput): OpenResult {
    const existing = this.#open.get(input.previewId);
    const owner = existing?.ownerUserId ?? this.#tombstones.get(input.previewId)?.ownerUserId;
    if (owner !== undefined && owner !== input.ownerUserId) {
      throw new PilothouseError('forbidden', `Preview ${input.previewId} belongs to another user.`);
    }
    const reset = existing !== undefined && (existing.port !== input.port || existing.channelId !== input.channelId);
    const preview: PreviewRecord = { ...input };
    this.#tombstones.delete(input.previewId);
    this.#open.delete(input.previewId);
    this.#open.set(input.previewId, preview);
    return { preview, created: existing === undefined, reset, evicted: this.#evict(preview) };
  }

  /** Closes a preview for good; closing an unknown or closed id records or keeps its tombstone. */
  close(previewId: string, reason: PreviewCloseReason, byUserId: string): PreviewRecord | null {
    const existing = this.#open.get(previewId);
    const owner = existing?.ownerUserId ?? this.#tombstones.get(previewId)?.ownerUserId ?? byUserId;
    if (owner !== byUserId) throw new PilothouseError('forbidden', `Preview ${previewId} belongs to another user.`);
    if (!existing && this.#tombstones.has(previewId)) return null;
    this.#open.delete(previewId);
    this.#bury(previewId, reason, owner);
    return existing ?? null;
  }

  /** The runner socket left its topic: its previews wait, offline, until it re-opens them. */
  socketLeft(sub: Subscription): PreviewRecord[] {
    const offline: PreviewRecord[] = [];
    for (const [id, preview] of this.#open) {
      if (preview.sub !== sub) continue;
      const next = { ...preview, sub: null };
      this.#open.set(id, next);
      offline.push(next);
    }
    return offline;
  }

  /** Every open record (e.g. to tear everything down at shutdown). */
  all(): PreviewRecord[] {
    return [...this.#open.values()];
  }

  /** Oldest first: the runner's own beyond perRunner, then anyone's beyond total. */
  #evict(newest: PreviewRecord): PreviewRecord[] {
    const sameRunner = (p: PreviewRecord) => p.channelId === newest.channelId && p.runnerId === newest.runnerId;
    const evicted: PreviewRecord[] = [];
    let excess = [...this.#open.values()].filter(sameRunner).length - this.#limits.perRunner;
    for (const p of this.#open.values()) {
      if (excess <= 0) break;
      if (p !== newest && sameRunner(p)) {
        evicted.push(p);
        excess--;
      }
    }
    for (const p of evicted) this.#open.delete(p.previewId);
    for (const p of this.#open.values()) {
      if (this.#open.size <= this.#limits.total) break;
      if (p === newest) continue;
      evicted.push(p);
      this.#open.delete(p.previewId);
    }
    for (const p of evicted) this.#bury(p.previewId, 'evicted', p.ownerUserId);
    return evicted;
  }

  #bury(previewId: string, reason: PreviewCloseReason, ownerUserId: string): void {
    this.#tombstones.delete(previewId);
    this.#tombstones.set(previewId, { reason, ownerUserId });
    while (this.#tombstones.size > this.#limits.tombstones) {
      const oldest = this.#tombstones.keys().next().value;
      if (oldest === undefined) break;
      this.#tombstones.delete(oldest);
    }
  }
}
