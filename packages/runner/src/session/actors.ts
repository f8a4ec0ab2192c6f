// The runner's view of who may steer the session: the listen user first, then users the owner
// allowed. The matching rule itself is the protocol's `mayDecide` (shared with the hub and web).

export interface AllowedActor {
  readonly name: string;
  readonly user_id?: string;
}

export interface ActorRef {
  readonly user_id: string;
  readonly name: string;
}

/** "alice" or "alice, bob": for reasons shown to humans. */
export function describeAllowed(allowed: readonly AllowedActor[]): string {
  return allowed.length === 0 ? 'nobody' : allowed.map((a) => a.name).join(', ');
}
