// The runner's link to its channel as a pure state machine. `down` (no joined channel) →
// `registering` (joined; runner_register and the last runner_status are being re-sent) → `up`
// (the outbox flows). Any loss goes back to `down`; a refusal (bad token, not a member, runner id
// taken, ...) is final. Each join opens a new session, so answers and timeouts that belong to an
// earlier session are recognised and ignored. The client performs the effects.

import { assertNever } from '@pilothouse/protocol';

export type LinkState =
  | { status: 'down'; session: number; everUp: boolean; lastError: Error | null }
  | { status: 'registering'; session: number; everUp: boolean; lastError: Error | null; headSeq: number }
  | { status: 'up'; session: number; headSeq: number }
  | { status: 'failed'; error: Error }
  | { status: 'closed' };

export type LinkInput =
  /** The channel join was answered ok. */
  | { type: 'joined'; headSeq: number }
  /** runner_register (and the status restore) of `session` were answered ok. */
  | { type: 'registered'; session: number }
  /**
   * The link is gone or no longer trusted. `session` is set when the cause belongs to one session
   * (a push of it timed out); `reconnect` when the socket still looks open and must be replaced.
   */
  | { type: 'lost'; error: Error; session?: number; reconnect: boolean }
  /** A connection attempt failed; remembered as the last error. */
  | { type: 'transport_error'; error: Error }
  | { type: 'refused'; error: Error }
  | { type: 'close' };

export type LinkEffect =
  | { type: 'register'; session: number }
  /** Send what the outbox allows. */
  | { type: 'flush' }
  /** Nothing is in flight any more; unanswered pushes go again, in order, once up. */
  | { type: 'rewind' }
  | { type: 'reconnect' }
  /** Stop for good: disconnect, and reject every pending push with `error` (null: closed by the owner). */
  | { type: 'stop'; error: Error | null };

export const initialLink: LinkState = { status: 'down', session: 0, everUp: false, lastError: null };

type Step = { state: LinkState; effects: LinkEffect[] };

export function stepLink(state: LinkState, input: LinkInput): Step {
  if (state.status === 'failed' || state.status === 'closed') {
    return { state: input.type === 'close' ? { status: 'closed' } : state, effects: [] };
  }
  switch (input.type) {
    case 'joined': {
      const session = state.session + 1;
      const everUp = state.status === 'up' || state.everUp;
      const lastError = state.status === 'up' ? null : state.lastError;
      // A join while registering or up means the hub ended the previous one without our noticing.
      const effects: LinkEffect[] = state.status === 'down' ? [] : [{ type: 'rewind' }];
      effects.push({ type: 'register', session });
      return { state: { status: 'registering', session, everUp, lastError, headSeq: input.headSeq }, effects };
    }
    case 'registered':
      if (state.status !== 'registering' || input.session !== state.session) return { state, effects: [] };
      return { state: { status: 'up', session: state.session, headSeq: state.headSeq }, effects: [{ type: 'flush' }] };
    case 'lost': {
      if (input.session !== undefined && input.session !== state.session) return { state, effects: [] };
      if (state.status === 'down') return { state: { ...state, lastError: input.error }, effects: [] };
      const everUp = state.status === 'up' || state.everUp;
      const effects: LinkEffect[] = [{ type: 'rewind' }];
      if (input.reconnect) effects.push({ type: 'reconnect' });
      return { state: { status: 'down', session: state.session, everUp, lastError: input.error }, effects };
    }
    case 'transport_error':
      if (state.status === 'up') return { state, effects: [] };
      return { state: { ...state, lastError: input.error }, effects: [] };
    case 'refused':
      return { state: { status: 'failed', error: input.error }, effects: [{ type: 'stop', error: input.error }] };
    case 'close':
      return { state: { status: 'closed' }, effects: [{ type: 'stop', error: null }] };
    default:
      return assertNever(input);
  }
}

/** What the owner of a HubClient sees. */
export type HubConnectionState =
  | { status: 'connecting'; lastError: Error | null }
  | { status: 'connected'; /** The channel's head seq when the current join was answered. */ headSeq: number }
  | { status: 'reconnecting'; lastError: Error | null }
  | { status: 'failed'; error: Error }
  | { status: 'closed' };

export function publicState(state: LinkState): HubConnectionState {
  switch (state.status) {
    case 'down':
    case 'registering':
      return { status: state.everUp ? 'reconnecting' : 'connecting', lastError: state.lastError };
    case 'up':
      return { status: 'connected', headSeq: state.headSeq };
    case 'failed':
      return { status: 'failed', error: state.error };
    case 'closed':
      return { status: 'closed' };
    default:
      return assertNever(state);
  }
}

export function sameState(a: HubConnectionState, b: HubConnectionState): boolean {
  switch (a.status) {
    case 'connecting':
    case 'reconnecting':
      return b.status === a.status && b.lastError === a.lastError;
    case 'connected':
      return b.status === 'connected' && b.headSeq === a.headSeq;
    case 'failed':
      return b.status === 'failed' && b.error === a.error;
    case 'closed':
      return b.status === 'closed';
    default:
      return assertNever(a);
  }
}
