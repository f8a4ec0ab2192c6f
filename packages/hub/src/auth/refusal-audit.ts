// Refused sign-ins in the audit log without one row per attempt: the first refusal of a kind
// (action + detail, e.g. a user name from an address) is written at once with count 1; the ones
// that follow within `windowMs` are counted and written as one row with their count when the
// window ends (or at shutdown). The sum of `count` over the rows is the number of refusals.
// Pure over an injected clock: the caller writes the rows it is handed.

import type { Clock } from './membership.js';

export interface AuditRow {
  actor: null;
  action: string;
  detail: Record<string, unknown>;
}

interface Window {
  readonly row: AuditRow;
  readonly endsAt: number;
  more: number;
}

const MAX_WINDOWS = 10_000;

export class RefusalAudit {
  readonly #windows = new Map<string, Window>();
  readonly #windowMs: number;
  readonly #clock: Clock;

  constructor(windowMs: number, clock: Clock) {
    this.#windowMs = windowMs;
    this.#clock = clock;
  }

  /** The rows to write now: this refusal's own (first of its window) and any window that ended. */
  refused(action: string, detail: Record<string, unknown>): AuditRow[] {
    const key = `${action}\n${JSON.stringify(detail)}`;
    const out = this.due();
    const open = this.#windows.get(key);
    if (open !== undefined) {
      open.more++;
      return out;
    }
    // Full: close the oldest window early rather than grow or lose a count.
    if (this.#windows.size >= MAX_WINDOWS) out.push(...this.#end(this.#windows.keys().next().value!));
    const row: AuditRow = { actor: null, action, detail: { ...detail, count: 1 } };
    this.#windows.set(key, { row, endsAt: this.#clock.now() + this.#windowMs, more: 0 });
    return [...out, row];
  }

  /** Rows of the windows that have ended by now. */
  due(): AuditRow[] {
    const now = this.#clock.now();
    const out: AuditRow[] = [];
    for (const [key, w] of this.#windows) if (w.endsAt <= now) out.push(...this.#end(key));
    return out;
  }

  /** Rows of every open window (shutdown). */
  drain(): AuditRow[] {
    return [...this.#windows.keys()].flatMap((key) => this.#end(key));
  }

  #end(key: string): AuditRow[] {
    const w = this.#windows.get(key)!;
    this.#windows.delete(key);
    return w.more === 0 ? [] : [{ ...w.row, detail: { ...w.row.detail, count: w.more, window_ms: this.#windowMs } }];
  }
}
