// What every row renderer may need beyond its message: who is looking, whether they may steer,
// and how to send a control. Built once per thread view and changed only when those change, so
// memoised rows keep their identity while the thread streams.

import type { Actor, ControlAction } from '@pilothouse/protocol';

export interface RowContext {
  readonly me: Actor;
  /** The caller is in the attached runner's `allowed` list. */
  readonly mayControl: boolean;
  readonly control: (action: ControlAction) => Promise<unknown>;
  /** Loads the rest of a body the hub sent clipped. */
  readonly loadBody: (messageId: string) => Promise<void>;
}
