// Who may steer a session, and which runner a session thread belongs to: one rule for the hub (it
// enforces), the runner (it decides) and the web (it shows the buttons). docs/protocol.md §5.1.

import type { Actor, Message, RunnerPresence } from './model.js';

/** An entry of an allowed list: a user name or user id (RunnerPresence), or a name with an optional id (Approval). */
export type AllowedEntry = string | { readonly name: string; readonly user_id?: string | undefined };

const sameName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * Whether `actor` is in `allowed`: a name matches in any case, a user id matches exactly (a bare
 * string may be either). No actor, no permission.
 */
export function mayDecide(allowed: readonly AllowedEntry[], actor: Pick<Actor, 'user_id' | 'name'> | null | undefined): boolean {
  if (actor === null || actor === undefined) return false;
  return allowed.some((a) =>
    typeof a === 'string' ? a === actor.user_id || sameName(a, actor.name) : (a.user_id !== undefined && a.user_id === actor.user_id) || sameName(a.name, actor.name),
  );
}

/**
 * The runner attached to a session thread: the runner that posted the thread's root row, by the
 * same user, while its presence says it serves that thread. Another runner claiming the thread id
 * in its presence is never attached (the hub refuses such a claim; older stores may still hold one).
 */
export function sessionRunner(
  root: Pick<Message, 'id' | 'runner_id' | 'author'>,
  runners: readonly RunnerPresence[],
): RunnerPresence | null {
  if (root.runner_id === null) return null;
  return runners.find((r) => r.runner_id === root.runner_id && r.user.user_id === root.author.user_id && r.thread_id === root.id) ?? null;
}
