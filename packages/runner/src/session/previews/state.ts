// The previews sub-state of a session, as plain data: the review's decisions, the row of each
// pending prompt, each open preview with its row and what the row shows, the listeners of the last
// scan and when the next scan is due. Every list is bounded by the review's cap (REVIEW_CAP).

import { createHash } from 'node:crypto';
import type { AllowedActor } from '../actors.js';
import { initialReviewState, type ReviewState, type Target } from './review.js';
import type { Phase, RowFacts } from './rows.js';

export interface PreviewsConfig {
  /** Request ids are `${idPrefix}${n}`: unique per runner instance, short enough to type. */
  readonly idPrefix: string;
  /** Random, from the shell: preview ids are derived from it (unguessable, yet `step` stays pure). */
  readonly secret: string;
  /** `--forward` ports: approved from the start. */
  readonly initialForward: readonly number[];
  /** `--no-forward` ports: never prompted. */
  readonly suppressed: readonly number[];
  /** How long after a scan the next one is due; null: the shell does not scan (no watcher). */
  readonly scanMs: number | null;
}

/** One `port_forward` row: its item key and what it says about the port. */
export interface PortRow {
  readonly key: string;
  readonly facts: RowFacts;
}

export interface Prompt {
  readonly id: string;
  readonly row: PortRow;
}

export type PreviewView = Extract<Phase, { phase: 'opening' | 'ready' | 'unavailable' }>;

export interface OpenPreview {
  readonly id: string;
  readonly port: number;
  readonly row: PortRow;
  readonly view: PreviewView;
}

/** `idle` until `dueAt`; `scanning` while the shell scans (scans never overlap); `off` for good. */
export type ScanState =
  | { readonly status: 'idle'; readonly dueAt: number; readonly failing: boolean }
  | { readonly status: 'scanning'; readonly failing: boolean }
  | { readonly status: 'off' };

export interface PreviewsState {
  readonly config: PreviewsConfig;
  /** The hub thread its rows go to, and who may decide (shown on prompts). */
  readonly threadId: string;
  readonly allowed: readonly AllowedActor[];
  readonly review: ReviewState;
  readonly prompts: readonly Prompt[];
  readonly open: readonly OpenPreview[];
  /** Rows posted without a prompt (approved ports), and previews ever opened: ids are numbered. */
  readonly rowsPosted: number;
  readonly previewsOpened: number;
  /** The listeners of the last scan, keyed by (port, pid). */
  readonly listeners: readonly Target[];
  readonly scan: ScanState;
  readonly closed: boolean;
}

export function initialPreviews(threadId: string, allowed: readonly AllowedActor[], config: PreviewsConfig): PreviewsState {
  return {
    config,
    threadId,
    allowed,
    review: initialReviewState({ bound: true, allowed, suppressed: config.suppressed, initialForward: config.initialForward, idPrefix: config.idPrefix }),
    prompts: [],
    open: [],
    rowsPosted: 0,
    previewsOpened: 0,
    listeners: [],
    // Due at once: the first scan runs as soon as the shell asks for the first deadline.
    scan: config.scanMs === null ? { status: 'off' } : { status: 'idle', dueAt: 0, failing: false },
    closed: false,
  };
}

/** The `n`th preview id of a session: 20 lower-case hex digits (a DNS label), unguessable without the secret. */
export function previewIdFor(secret: string, n: number): string {
  return createHash('sha256').update(`${secret}:preview:${n}`).digest('hex').slice(0, 20);
}

/** The tunnel client's check before it connects a stream to a dev server. */
export function previewApproved(state: PreviewsState | null, previewId: string, port: number): boolean {
  return state !== null && !state.closed && state.open.some((p) => p.id === previewId && p.port === port);
}

/** Open previews (for logs and tests). */
export function openPreviews(state: PreviewsState): { preview_id: string; port: number; url: string | null }[] {
  return state.open.map((p) => ({ preview_id: p.id, port: p.port, url: p.view.phase === 'ready' ? p.view.url : null }));
}

/** When the next scan is due; null while none is (scanning, off, closed). */
export function previewsDeadline(state: PreviewsState): number | null {
  return !state.closed && state.scan.status === 'idle' ? state.scan.dueAt : null;
}
