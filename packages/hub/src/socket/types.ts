// The contract between the Phoenix V2 socket layer (socket/) and the topics the hub serves
// (channels/). The socket layer owns frames, refs, heartbeats and limits; a topic owns meaning.

import type { IncomingMessage } from 'node:http';
import type { TokenScope } from '../store/identity.js';

/** Who is on the other end of a socket, established once at upgrade time. */
export interface Principal {
  userId: string;
  name: string;
  admin: boolean;
  via: 'token' | 'session';
  /**
   * What the credential may do: `runner` (an API token that may also register runners) or
   * `member` (a member-scoped token, or a browser session: never a runner).
   */
  scope: TokenScope;
  /** The API token's id (null for a browser session): a joined topic re-checks it is still valid. */
  tokenId: string | null;
  /**
   * The browser session's digest (never the cookie itself), for a socket opened with the session
   * cookie: a joined topic re-checks that the session still exists (not signed out, not expired).
   */
  sessionHash?: string | null;
}


/** Authenticates an upgrade request; throws PilothouseError('unauthorized') to refuse it with HTTP 401. */
export type Authenticate = (req: IncomingMessage) => Promise<Principal>;

/** One socket's membership in one topic, handed to the topic on join. */
export interface Subscription {
  readonly socketId: string;
  readonly topic: string;
  readonly joinRef: string | null;
  /** True once the socket closed or the topic was left or re-joined. */
  readonly closed: boolean;
  /** Sends `[null, null, topic, event, payload]` to this socket. */
  push(event: string, payload: unknown): void;
  /** Sends an already-encoded frame (fan-out encodes once for every subscriber). */
  sendRaw(text: string): void;
  /** Resolves once the socket's unsent backlog is at most `lowWater` bytes, or it is closing. */
  drained(lowWater: number): Promise<void>;
}

export interface JoinContext {
  principal: Principal;
  topic: string;
  payload: unknown;
  sub: Subscription;
  /**
   * Ends this join from the server side (the user lost access): the session leaves with 'closed'
   * and the client gets `phx_close`, so the phoenix client closes the channel without rejoining.
   * A no-op once the join ended otherwise.
   */
  close: () => void;
}

/** A joined topic on one socket. Errors are thrown as PilothouseError and become phx_reply errors. */
export interface TopicSession {
  /** Runs after the ok join reply has been written, so replayed events follow the reply. */
  afterJoin?(): Promise<void>;
  /** Answers one push; the resolved value is the `response` of an ok phx_reply. */
  handle(event: string, payload: unknown): Promise<unknown>;
  /** The topic was left, re-joined, or the socket closed. Must not throw. */
  leave(reason: 'leave' | 'rejoin' | 'closed'): void;
}

export interface TopicHandler {
  join(ctx: JoinContext): Promise<{ reply: unknown; session: TopicSession }>;
}

/** Maps a topic string to its handler; null means `unknown_topic`. */
export type TopicRouter = (topic: string) => TopicHandler | null;
