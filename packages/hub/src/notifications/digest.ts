// A flood becomes a digest: deliveries due at once to the same target (one browser, one address)
// are sent as one message when there are several updates that ask nothing of the person. Prompts
// always go alone (each carries its own Approve / Deny). Pure.

import { PROMPT_KINDS } from '@pilothouse/protocol';
import type { StoredContent } from './delivery.js';

/** Updates due together to one target from which a digest is made instead. */
export const DIGEST_MIN = 3;

export interface Due {
  readonly id: string;
  readonly medium: string;
  readonly target: string;
  readonly parsed: StoredContent;
}

/** One message to send: its content and the deliveries it settles. */
export interface Send<D extends Due> {
  readonly content: StoredContent;
  readonly rows: readonly D[];
}

/** Groups `due` into sends: per target, updates become one digest once there are DIGEST_MIN of them (when `digestFor` allows). */
export function planSends<D extends Due>(due: readonly D[], digestFor: (row: D) => boolean): Send<D>[] {
  const sends: Send<D>[] = [];
  const updates = new Map<string, D[]>();
  for (const row of due) {
    if (PROMPT_KINDS.has(row.parsed.kind) || row.medium === 'webhook' || !digestFor(row)) {
      sends.push({ content: row.parsed, rows: [row] });
      continue;
    }
    const key = `${row.medium}\u0000${row.target}`;
    updates.set(key, [...(updates.get(key) ?? []), row]);
  }
  for (const rows of updates.values()) {
    if (rows.length < DIGEST_MIN) {
      for (const row of rows) sends.push({ content: row.parsed, rows: [row] });
      continue;
    }
    sends.push({ content: digestOf(rows.map((r) => r.parsed)), rows });
  }
  return sends;
}

/** The digest of several updates: a count in the title, one line per update, the newest's thread as the link. */
export function digestOf(contents: readonly StoredContent[]): StoredContent {
  const newest = contents.reduce((a, b) => (b.created_at > a.created_at ? b : a));
  const channels = [...new Set(contents.map((c) => c.channel))];
  const lines = contents.slice(0, 10).map((c) => `• ${c.title}`);
  if (contents.length > 10) lines.push(`…and ${contents.length - 10} more`);
  return {
    ...newest,
    id: `digest-${newest.id}`,
    title: `${contents.length} updates in ${channels.length === 1 ? channels[0]! : `${channels.length} channels`}`,
    body: lines.join('\n'),
    tag: 'digest',
    actions: [],
    prompt: null,
    request_id: null,
  };
}
