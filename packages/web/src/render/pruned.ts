// A row whose output the hub's retention emptied (docs/protocol.md §7 "Row meta", protocol
// PrunedRowMeta): the marker read from the row's meta at the edge, and the words the page shows
// where the output was.

import { PrunedRowMeta, type MessageKind } from '@pilothouse/protocol';
import { formatSize } from './clip.js';

export interface Pruned {
  readonly afterDays: number;
  /** When the hub emptied it (ISO). */
  readonly at: string;
  /** How long the body was, in characters. */
  readonly length: number;
}

/** The marker, or null for a row that was not pruned (or whose marker is malformed). */
export function prunedOf(meta: Record<string, unknown> | null): Pruned | null {
  const r = PrunedRowMeta.safeParse(meta ?? {});
  return r.success ? { afterDays: r.data.pruned.after_days, at: r.data.pruned.at, length: r.data.pruned.length } : null;
}

/** What each kind's body is called in the note; other kinds are never pruned (hub store/retention.ts). */
const WHAT: Partial<Record<MessageKind, string>> = { command: 'Output', reasoning: 'Reasoning', file_change: 'Diff', web_search: 'Queries' };

/** "Output pruned after 30 days (2.0 K characters)". */
export function prunedText(kind: MessageKind, pruned: Pruned): string {
  const days = pruned.afterDays === 1 ? '1 day' : `${pruned.afterDays} days`;
  return `${WHAT[kind] ?? 'Content'} pruned after ${days}${pruned.length > 0 ? ` (${formatSize(pruned.length)})` : ''}`;
}
