// A command its turn left running: when the turn ends, a command row that never completed and
// whose process is among the listeners of the last port scan (previews/state.ts) did not stop; it
// runs in the background. Its row closes `completed` with `activity: background` and the ports
// (CommandRowMeta, docs/protocol.md §7) instead of a red `interrupted`.
// Which command started a listener is read from the command lines: the listener's (its process's
// argv) must appear, word for word, in the row's shell command (program paths compared by base
// name). A dev server started through a wrapper (`npm run dev` → node …) is not recognised.

import type { CommandRowMeta } from '@pilothouse/protocol';
import type { Target } from './previews/review.js';
import type { Entry, Left } from './stream.js';

/** Words of a command line: quotes dropped, programs by base name (`/usr/bin/python3` → `python3`). */
function words(command: string): string[] {
  return command
    .replace(/["'`]/g, ' ')
    .split(/[\s;&|()]+/)
    .filter((w) => w !== '')
    .map((w) => (w.startsWith('/') || w.startsWith('./') ? (w.split('/').at(-1) ?? w) : w));
}

/** `listener`'s words appear in a row, in order and adjacent, within `row`'s. */
export function startedBy(row: string, listener: string): boolean {
  const hay = words(row);
  const needle = words(listener);
  if (needle.length === 0) return false;
  for (let i = 0; i + needle.length <= hay.length; i++) if (needle.every((w, j) => hay[i + j] === w)) return true;
  return false;
}

/** How an unfinished row closes when its command still listens (null: the turn's dangling status). */
export function backgroundOf(listeners: readonly Target[]): (e: Entry) => Left | null {
  return (e) => {
    const command = e.kind === 'command' ? e.meta.command : undefined;
    if (typeof command !== 'string' || listeners.length === 0) return null;
    const ports = [...new Set(listeners.filter((l) => startedBy(command, l.command)).map((l) => l.port))].sort((a, b) => a - b);
    if (ports.length === 0) return null;
    return { status: 'completed', meta: { activity: 'background', ports } satisfies CommandRowMeta };
  };
}
