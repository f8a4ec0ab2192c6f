// Who may steer the session: the listen user first, then users the owner allowed. A name
// matches case-insensitively; a user id matches exactly. No actor, no permission.

export interface AllowedActor {
  readonly name: string;
  readonly user_id?: string;
}

export interface ActorRef {
  readonly user_id: string;
  readonly name: string;
}

export function isAllowed(actor: ActorRef | null | undefined, allowed: readonly AllowedActor[]): boolean {
  if (actor === null || actor === undefined) return false;
  const name = actor.name.toLowerCase();
  return allowed.some((a) => (a.user_id !== undefined && a.user_id === actor.user_id) || a.name.toLowerCase() === name);
}

/** "alice" or "alice, bob": for reasons shown to humans. */
export function describeAllowed(allowed: readonly AllowedActor[]): string {
  return allowed.length === 0 ? 'nobody' : allowed.map((a) => a.name).join(', ');
}
