// Who is looking at a thread now, and who is typing in it: ephemeral (never stored, no seq), sent
// to the channel's members as full snapshots of one thread. The bounds are here so the hub enforces
// and the web paces itself by the same numbers (docs/protocol.md §6.1, docs/security.md).

import { z } from 'zod';
import { MachinePresence } from './machines.js';
import { Actor, Id } from './model.js';

/** A typing mark lasts this long unless refreshed. */
export const TYPING_TTL_MS = 5000;
/** How often a client refreshes its typing mark while the person keeps typing. */
export const TYPING_REFRESH_MS = 2000;
/** Sockets one hub tracks as watching in one channel; more `watch` pushes are refused (presence_full). */
export const MAX_WATCHERS_PER_CHANNEL = 200;

/** One thread's presence: the people watching it and those typing in it, each once, in arrival order. */
export const ThreadPresence = z.object({
  thread_id: Id,
  watching: z.array(Actor).max(MAX_WATCHERS_PER_CHANNEL),
  typing: z.array(Actor).max(MAX_WATCHERS_PER_CHANNEL),
});
export type ThreadPresence = z.infer<typeof ThreadPresence>;

/** Hub → client events that are not part of the channel log: no seq, not replayed, not stored. */
export const EphemeralEvents = {
  /** The presence of a thread changed (someone came, left, started or stopped typing). */
  thread_presence: ThreadPresence,
  /** The channel's machines changed (one came, went, or its sessions changed): the whole list. */
  machines: z.object({ machines: z.array(MachinePresence) }),
} as const;

export type EphemeralEventName = keyof typeof EphemeralEvents;
export const EPHEMERAL_EVENT_NAMES = Object.keys(EphemeralEvents) as EphemeralEventName[];
