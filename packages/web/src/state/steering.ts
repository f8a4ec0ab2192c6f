// Who may steer a session thread, and what there is to steer: the runner attached to the thread
// (the protocol's `sessionRunner`: the runner that posted the thread's root, docs/protocol.md §5.1),
// the turn in progress and the queued messages. Pure views of the state.

import { mayDecide, sessionRunner, type Actor, type Approval, type Message, type RunnerPresence } from '@pilothouse/protocol';

export interface Steering {
  readonly runner: RunnerPresence | null;
  /** The caller may interrupt, drop queued messages and have their replies become turns. */
  readonly mayControl: boolean;
  /** The human message whose turn is running. */
  readonly active: Message | null;
  /** Human messages waiting for a turn, oldest first. */
  readonly queued: readonly Message[];
}

export function steeringOf(runners: readonly RunnerPresence[], threadId: string, messages: readonly Message[], me: Actor): Steering {
  const root = messages.find((m) => m.id === threadId);
  const runner = root ? sessionRunner(root, runners) : null;
  const human = messages.filter((m) => m.runner_id === null);
  return {
    runner,
    mayControl: runner !== null && mayDecide(runner.allowed, me),
    active: human.find((m) => m.state?.state === 'processing') ?? null,
    queued: human.filter((m) => m.state?.state === 'queued'),
  };
}

/**
 * An approval's buttons are live for the people it names who may also steer (both by protocol's
 * `mayDecide`, the rule the hub and the runner enforce).
 */
export function mayAnswer(approval: Approval, mayControl: boolean, me: Actor): boolean {
  return mayDecide(approval.allowed, me) && mayControl;
}

/** "alice", "alice and bob", "alice, bob and carol"; "nobody" for an empty list. */
export function names(list: readonly string[]): string {
  if (list.length === 0) return 'nobody';
  if (list.length === 1) return list[0]!;
  return `${list.slice(0, -1).join(', ')} and ${list.at(-1)!}`;
}
