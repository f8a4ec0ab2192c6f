// Who may steer a session thread, and what there is to steer: the runner attached to the thread
// (the hub's rule: the first in updated_at order whose thread_id matches, docs/protocol.md §5.1),
// the turn in progress and the queued messages. Pure views of the state.

import type { Actor, Approval, Message, RunnerPresence } from '@pilothouse/protocol';

export interface Steering {
  readonly runner: RunnerPresence | null;
  /** The caller may interrupt, drop queued messages and have their replies become turns. */
  readonly mayControl: boolean;
  /** The human message whose turn is running. */
  readonly active: Message | null;
  /** Human messages waiting for a turn, oldest first. */
  readonly queued: readonly Message[];
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** The hub accepts the caller when `allowed` holds their name (any case) or their user id. */
export const isAllowed = (allowed: readonly string[], me: Actor): boolean => allowed.some((a) => a === me.user_id || same(a, me.name));

export function attachedRunner(runners: readonly RunnerPresence[], threadId: string): RunnerPresence | null {
  const attached = runners.filter((r) => r.thread_id === threadId).sort((a, b) => a.updated_at.localeCompare(b.updated_at));
  return attached[0] ?? null;
}

export function steeringOf(runners: readonly RunnerPresence[], threadId: string, messages: readonly Message[], me: Actor): Steering {
  const runner = attachedRunner(runners, threadId);
  const human = messages.filter((m) => m.runner_id === null);
  return {
    runner,
    mayControl: runner !== null && isAllowed(runner.allowed, me),
    active: human.find((m) => m.state?.state === 'processing') ?? null,
    queued: human.filter((m) => m.state?.state === 'queued'),
  };
}

/** An approval's buttons are live for the people it names (the hub checks the runner's list too). */
export function mayDecide(approval: Approval, mayControl: boolean, me: Actor): boolean {
  const named = approval.allowed.some((a) => (a.user_id !== undefined && a.user_id === me.user_id) || same(a.name, me.name));
  return named && mayControl;
}

/** "alice", "alice and bob", "alice, bob and carol"; "nobody" for an empty list. */
export function names(list: readonly string[]): string {
  if (list.length === 0) return 'nobody';
  if (list.length === 1) return list[0]!;
  return `${list.slice(0, -1).join(', ')} and ${list.at(-1)!}`;
}
