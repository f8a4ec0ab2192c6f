// What every row renderer may need beyond its message: who is looking, whether they may steer,
// and how to send a control. Built once per thread view and changed only when those change, so
// memoised rows keep their identity while the thread streams.

import type { Actor, ControlAction, Message } from '@pilothouse/protocol';
import type { AgentIdentity } from '../render/agent-identity.js';

export interface RowContext {
  readonly me: Actor;
  /** The caller is in the attached runner's `allowed` list. */
  readonly mayControl: boolean;
  readonly control: (action: ControlAction) => Promise<unknown>;
  /** Loads the rest of a body the hub sent clipped. */
  readonly loadBody: (messageId: string) => Promise<void>;
  /** Who a runner row speaks for (agent and runner); null for people's rows. */
  readonly agentOf: (message: Pick<Message, 'runner_id' | 'author'>) => AgentIdentity | null;
}
