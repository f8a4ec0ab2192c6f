// One channel's feed over the shared socket: joins `channel:WS/CH` resuming from the caller's
// cursor (`since`, docs/protocol.md §4.2, re-read on every automatic rejoin), parses every event
// and reply at this boundary, and turns pushes into promises.

import type { Socket } from 'phoenix';
import {
  CHANNEL_EVENT_NAMES,
  ChannelEvents,
  EphemeralEvents,
  type MachinePresence,
  type ThreadPresence,
  ChannelPushes,
  JoinReply,
  type ChannelEvent,
  type ChannelEventName,
  type PushPayload,
  type PushReply,
} from '@pilothouse/protocol';
import { z } from 'zod';

/** The pushes a person's browser makes (the others are the runner's). */
export type ClientPush =
  | 'post_message'
  | 'list_threads'
  | 'get_thread'
  | 'get_body'
  | 'control'
  | 'set_title'
  | 'watch'
  | 'typing'
  | 'list_machines'
  | 'session_start'
  | 'session_changes'
  | 'session_end';

export interface FeedHandlers {
  /** Every successful join, the first and each rejoin after a reconnect. */
  joined(reply: JoinReply): void;
  /** The hub will not let us in (not a member, no such channel): we stop retrying. */
  refused(code: string, message: string): void;
  event(event: ChannelEvent): void;
  /** Who watches a thread and who types in it (ephemeral: no seq, not replayed). */
  presence(presence: ThreadPresence): void;
  /** The channel's machines, the whole list, whenever one changed (ephemeral). */
  machines(machines: MachinePresence[]): void;
}

export interface Feed {
  push<K extends ClientPush>(event: K, payload: PushPayload<K>): Promise<PushReply<K>>;
  leave(): void;
}

/** A refused or unanswered push: `code` is the hub's error code, or `timeout`; `details` what the hub added (merge_conflict: the files). */
export class PushError extends Error {
  override readonly name = 'PushError';
  constructor(
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

const ErrorReply = z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() });
/** Join refusals that a retry cannot fix. */
const FINAL = new Set(['not_member', 'channel_not_found', 'unknown_topic', 'invalid_payload', 'unauthorized']);
const PUSH_TIMEOUT_MS = 15_000;
/** A machine's start or end waits for the daemon (the hub gives it 60 s: a runner starting, an agent stopping, a merge). */
const SLOW_PUSHES: Partial<Record<string, number>> = { session_start: 75_000, session_end: 75_000, session_changes: 30_000 };

const toError = (response: unknown): PushError => {
  const e = ErrorReply.safeParse(response);
  return e.success ? new PushError(e.data.code, e.data.message, e.data.details) : new PushError('internal', 'The hub refused without a reason.');
};

function parseEvent(name: ChannelEventName, payload: unknown): ChannelEvent | null {
  const r = ChannelEvents[name].safeParse(payload);
  return r.success ? ({ type: name, payload: r.data } as ChannelEvent) : null;
}

export function openFeed(socket: Socket, channel: string, cursor: () => number | null, handlers: FeedHandlers): Feed {
  const ch = socket.channel(`channel:${channel}`, () => {
    const seq = cursor();
    return seq === null ? {} : { since: seq };
  });
  for (const name of CHANNEL_EVENT_NAMES) {
    ch.on(name, (payload) => {
      const event = parseEvent(name, payload);
      if (event) handlers.event(event);
      else console.error(`pilothouse: dropped a malformed ${name} event`, payload);
    });
  }
  ch.on('thread_presence', (payload) => {
    const p = EphemeralEvents.thread_presence.safeParse(payload);
    if (p.success) handlers.presence(p.data);
    else console.error('pilothouse: dropped a malformed thread_presence event', payload);
  });
  ch.on('machines', (payload) => {
    const m = EphemeralEvents.machines.safeParse(payload);
    if (m.success) handlers.machines(m.data.machines);
    else console.error('pilothouse: dropped a malformed machines event', payload);
  });
  ch.join()
    .receive('ok', (response) => {
      const r = JoinReply.safeParse(response);
      if (r.success) handlers.joined(r.data);
      else handlers.refused('internal', 'The hub sent an unexpected join reply.');
    })
    .receive('error', (response) => {
      const e = toError(response);
      if (!FINAL.has(e.code)) return; // the phoenix client retries after its backoff
      ch.leave();
      handlers.refused(e.code, e.message);
    });
  return {
    push(event, payload) {
      return new Promise((resolve, reject) => {
        ch.push(event, payload, SLOW_PUSHES[event] ?? PUSH_TIMEOUT_MS)
          .receive('ok', (response) => {
            const r = ChannelPushes[event].reply.safeParse(response);
            if (r.success) resolve(r.data as PushReply<typeof event>);
            else reject(new PushError('internal', 'The hub sent an unexpected reply.'));
          })
          .receive('error', (response) => reject(toError(response)))
          .receive('timeout', () => reject(new PushError('timeout', 'The hub did not answer in time; check the connection and try again.')));
      });
    },
    leave() {
      ch.leave();
    },
  };
}
