// The contract between the delivery worker and the media it sends through (push, email,
// webhook): what a notification says, and what one attempt at delivering it came to. A sender
// never throws for a failure of its medium: it answers with an Attempt, and the worker decides
// (retry with backoff, give up, or drop the target).

import type { NotificationKind } from '@pilothouse/protocol';

export { NOTIFICATION_KINDS, type NotificationKind } from '@pilothouse/protocol';

/** A one-tap answer offered on the alert itself (approval and preview prompts). */
export interface AlertAction {
  /** `approve` or `deny` (the prompt's choice ids). */
  readonly id: 'approve' | 'deny';
  readonly label: string;
  /**
   * The single-use decision code for this choice, minted just before the send (plaintext only in
   * the message that carries it; the hub keeps its SHA-256). Push: posted by the service worker
   * to `POST /api/decide`; email: the link `{hubUrl}/decide/{code}` opens a confirmation page.
   */
  readonly code: string;
}

/** What one notification says, the same for every medium (each renders it its own way). */
export interface NotificationContent {
  /** The notification's id (one per event and person; webhooks: per event and channel). */
  readonly id: string;
  readonly kind: NotificationKind;
  /** One line: "Approval needed: npm test" */
  readonly title: string;
  /** A few lines of plain text. */
  readonly body: string;
  /** Absolute link to the thread (and prompt) in the web UI. */
  readonly url: string;
  /** `workspace/channel` */
  readonly channel: string;
  readonly thread_id: string;
  readonly message_id: string | null;
  /** The approval's request id, for prompts. */
  readonly request_id: string | null;
  /** Collapses alerts about the same thing across a person's browsers: `approval:<request_id>`. */
  readonly tag: string;
  readonly actions: readonly AlertAction[];
  /** ISO-8601 */
  readonly created_at: string;
}

/** What one attempt came to. */
export type Attempt =
  | { readonly outcome: 'sent'; readonly status?: number }
  /** Worth trying again later (timeout, 5xx, 429, connection refused); `retryAfterMs` when the far end said. */
  | { readonly outcome: 'retry'; readonly code: string; readonly message: string; readonly retryAfterMs?: number }
  /** Will not succeed by trying again (4xx, refused address, bad configuration). */
  | { readonly outcome: 'failed'; readonly code: string; readonly message: string }
  /** The target is gone for good (a push subscription answered 404/410): the worker deletes it. */
  | { readonly outcome: 'gone'; readonly code: string; readonly message: string };

/** A prompt an alert can answer: what the worker mints decision codes for at send time. */
export interface PromptTarget {
  readonly prompt: 'approval' | 'port_forward';
  readonly request_id: string;
  readonly message_id: string;
  readonly expires_at: string | null;
}

/**
 * A notification's content as stored with its delivery (deliveries.content): the thread's path
 * instead of its URL (the hub's public origin is added at send time) and the actions without
 * codes (minted just before the send, so no usable code ever rests in the database).
 */
export interface StoredContent extends Omit<NotificationContent, 'url' | 'actions'> {
  readonly path: string;
  readonly actions: readonly Omit<AlertAction, 'code'>[];
  readonly prompt: PromptTarget | null;
}
