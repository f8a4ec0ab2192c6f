// Coalesced audit rows for refusals: the first refusal of an actor's action with a given code is
// written at once; repeats within the window are counted and written as one row when the window
// ends (`detail.repeated`, and a few of the channels they named). A flood of refusals costs one
// row per window instead of one per request, and the log still shows who did what, how often.

import type { Clock } from './token-bucket.js';

export interface AuditEntry {
  actor: { id: string; name: string } | null;
  action: string;
  channel?: string | null;
  detail?: Record<string, unknown>;
}

interface Window {
  startedAt: number;
  entry: AuditEntry;
  repeated: number;
  channels: Set<string>;
}

/** Distinct channel names kept per coalesced row. */
const MAX_CHANNELS = 10;
/** Open windows kept at most; past it the oldest are written out early. */
const MAX_WINDOWS = 10_000;

export class AuditCoalescer {
  readonly #windows = new Map<string, Window>();

  constructor(
    private readonly write: (entry: AuditEntry) => Promise<void>,
    private readonly clock: Clock,
    readonly windowMs = 60_000,
  ) {}

  async record(entry: AuditEntry): Promise<void> {
    const key = JSON.stringify([entry.actor?.id ?? null, entry.action, entry.detail?.code ?? null]);
    const open = this.#windows.get(key);
    if (open && this.clock.now() - open.startedAt < this.windowMs) {
      open.repeated++;
      if (entry.channel && open.channels.size < MAX_CHANNELS) open.channels.add(entry.channel);
      return;
    }
    if (open) await this.#close(key, open);
    if (this.#windows.size >= MAX_WINDOWS) await this.#closeOldest();
    this.#windows.set(key, { startedAt: this.clock.now(), entry, repeated: 0, channels: new Set() });
    await this.write(entry);
  }

  /** Writes the rows of windows that have ended; with `all`, of every open window (shutdown). */
  async flush(all = false): Promise<void> {
    const now = this.clock.now();
    for (const [key, w] of [...this.#windows]) if (all || now - w.startedAt >= this.windowMs) await this.#close(key, w);
  }

  async #closeOldest(): Promise<void> {
    const [key, w] = this.#windows.entries().next().value as [string, Window];
    await this.#close(key, w);
  }

  async #close(key: string, w: Window): Promise<void> {
    this.#windows.delete(key);
    if (w.repeated === 0) return;
    await this.write({
      actor: w.entry.actor,
      action: w.entry.action,
      channel: w.entry.channel ?? null,
      detail: { ...w.entry.detail, repeated: w.repeated, window_ms: this.windowMs, channels: [...w.channels] },
    });
  }
}
