// Telling people an earlier agent thread is gone: when the driver could not resume it (at start
// or on the core's `start_thread`), one notice row in the session thread says so and why.

import type { Logger } from 'pino';
import type { PushPayload } from '@pilothouse/protocol';
import type { ResumeFailure } from '../agent/driver.js';
import { describeError } from '../errors.js';
import { clientId } from '../session/effects.js';

/** Posts the notice row (once per new thread: its client id is derived from the new thread). */
export function reportResumeFailure(
  postRow: (payload: PushPayload<'post_row'>) => Promise<unknown>,
  log: Logger,
  sessionThreadId: string,
  failure: ResumeFailure,
  newThreadId: string,
): void {
  const payload = resumeFailedNotice(sessionThreadId, failure, newThreadId);
  postRow(payload).catch((err: unknown) => {
    const { code, message } = describeError(err);
    log.warn({ event: 'forward_failed', push: 'post_row', client_id: payload.client_id, code, err: message }, 'the hub refused a row');
  });
}

/** What people read when the earlier agent thread could not be resumed (one row per new thread). */
export function resumeFailedNotice(sessionThreadId: string, failure: ResumeFailure, newThreadId: string): PushPayload<'post_row'> {
  return {
    client_id: clientId('agent-resume-failed', newThreadId),
    thread_id: sessionThreadId,
    kind: 'notice',
    body: `The earlier agent thread could not be resumed, so a new one was started; it does not remember this session's earlier turns. Reason: ${failure.message} (${failure.code}).`,
    meta: { code: failure.code, previous_agent_thread: failure.previous, agent_thread: newThreadId },
  };
}
