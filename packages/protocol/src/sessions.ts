// What tells session threads apart in a list: a title (set by a steerer, or taken from the first
// instruction), and who may change it. One rule for the hub (enforces), the web (shows the
// pencil) and the docs (docs/protocol.md §5.2).

import { z } from 'zod';
import { isChatCommand, type Actor, type Message, type RunnerPresence } from './model.js';
import { mayDecide, sessionRunner } from './steering.js';

/** Longest title, set or derived (UTF-16 code units). */
export const MAX_TITLE = 120;

/** A title someone sets: one line of 1..MAX_TITLE characters, no control characters, not blank. */
export const SessionTitle = z
  .string()
  .min(1)
  .max(MAX_TITLE)
  .refine((s) => !/\p{Cc}/u.test(s), 'must be one line without control characters')
  .refine((s) => s.trim() === s && s !== '', 'must not be blank or start or end with blanks');

/** A person's instruction: a plain text message (not a runner's row, not a `/pilothouse` command). */
export function isInstruction(m: Pick<Message, 'kind' | 'runner_id' | 'body'>): boolean {
  return m.kind === 'text' && m.runner_id === null && !isChatCommand(m.body);
}

/** The title an instruction gives its thread: its first non-blank line, blanks collapsed, clipped to MAX_TITLE. */
export function instructionTitle(body: string): string | null {
  const line = body
    .split('\n')
    .map((l) => l.replace(/[\p{Cc}\s]+/gu, ' ').trim())
    .find((l) => l !== '');
  if (line === undefined) return null;
  return line.length > MAX_TITLE ? `${line.slice(0, MAX_TITLE - 1)}…` : line;
}

/**
 * Who may retitle a thread: while a runner is attached to a session thread (sessionRunner, any
 * status), the people who may steer it (mayDecide on its `allowed`); a session with no runner
 * attached any more (it moved on), and a people's thread, only the person who started it.
 */
export function mayRetitle(
  root: Pick<Message, 'id' | 'runner_id' | 'author'>,
  runners: readonly RunnerPresence[],
  actor: Pick<Actor, 'user_id' | 'name'>,
): boolean {
  const runner = sessionRunner(root, runners);
  if (runner) return mayDecide(runner.allowed, actor);
  return root.author.user_id === actor.user_id;
}

/** A session is live while its attached runner is present (any status but `offline`). */
export function isLiveSession(root: Pick<Message, 'id' | 'runner_id' | 'author'>, runners: readonly RunnerPresence[]): boolean {
  const runner = sessionRunner(root, runners);
  return runner !== null && runner.status !== 'offline';
}
