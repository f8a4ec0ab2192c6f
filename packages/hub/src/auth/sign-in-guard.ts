// The guard in front of every way to sign in (a password, a one-time link): refuses an attempt whose
// user name or address is backing off (rate_limited, with the seconds to wait), counts failures,
// and writes refusals to the audit log coalesced (refusal-audit.ts), from one timer that close()
// clears after writing what is left.

import { PilothouseError } from '@pilothouse/protocol';
import type { Logger } from 'pino';
import type { Store } from '../store/store.js';
import { LoginLimiter, type Attempt, type LoginLimits } from './login-limiter.js';
import type { Clock } from './membership.js';
import { RefusalAudit, type AuditRow } from './refusal-audit.js';

/** Refusals of one kind within this long share one audit row (after the first). */
export const REFUSAL_AUDIT_WINDOW_MS = 60_000;

export interface SignInGuard {
  /** Throws `rate_limited` (details `{retry_after_ms}`, as on the socket) while the attempt's name or address backs off. */
  check(a: Attempt): void;
  /** A failed attempt: counted for backoff and audited (coalesced). */
  refused(a: Attempt, action: string, detail: Record<string, unknown>): Promise<void>;
  succeeded(a: Attempt): void;
  /** Stops the timer and writes every pending audit row. */
  close(): Promise<void>;
}

export function createSignInGuard(deps: { store: Store; logger: Logger; limits?: Partial<LoginLimits>; auditWindowMs?: number; clock?: Clock }): SignInGuard {
  const clock = deps.clock ?? { now: () => Date.now() };
  const limiter = new LoginLimiter(deps.limits ?? {}, clock);
  const windowMs = deps.auditWindowMs ?? REFUSAL_AUDIT_WINDOW_MS;
  const audit = new RefusalAudit(windowMs, clock);
  const write = async (rows: AuditRow[]) => {
    for (const row of rows) await deps.store.audit(row);
  };
  const flush = () =>
    void write(audit.due()).catch((err: unknown) => deps.logger.error({ err }, 'could not write the audit log'));
  const timer = setInterval(flush, Math.max(10, windowMs));
  timer.unref();

  return {
    check(a) {
      const wait = limiter.wait(a);
      if (wait > 0) {
        const seconds = Math.ceil(wait / 1000);
        const detail = { address: a.address, ...(a.name !== undefined ? { name: a.name } : {}) };
        void write(audit.refused('sign_in_rate_limited', detail)).catch((err: unknown) => deps.logger.error({ err }, 'could not write the audit log'));
        throw new PilothouseError('rate_limited', `Too many failed sign-ins; retry in ${seconds} s.`, { retry_after_ms: seconds * 1000 });
      }
    },
    async refused(a, action, detail) {
      limiter.failed(a);
      await write(audit.refused(action, detail));
    },
    succeeded(a) {
      limiter.succeeded(a);
    },
    async close() {
      clearInterval(timer);
      await write(audit.drain());
    },
  };
}
