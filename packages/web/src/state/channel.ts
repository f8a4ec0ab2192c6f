// A channel's feed as one client sees it: the join's outcome, the resume cursor (the highest seq
// received, sent as `since` on every rejoin: docs/protocol.md §4.2) and the runners present.
// Seqs are dense per channel, so an event past cursor + 1 means something was missed.

import { admit, assertNever, type ChannelEvent, type JoinReply, type RunnerPresence } from '@pilothouse/protocol';

export type JoinState =
  | { readonly status: 'joining' }
  | { readonly status: 'joined'; readonly user: JoinReply['user'] }
  | { readonly status: 'refused'; readonly code: string; readonly message: string };

export interface ChannelState {
  readonly join: JoinState;
  /** The resume cursor: null before the first join, then the head or the newest event's seq. */
  readonly seq: number | null;
  readonly runners: Readonly<Record<string, RunnerPresence>>;
  /** A seq was skipped: the shell reloads its snapshots, then sends `resynced`. */
  readonly gap: boolean;
}

export type ChannelInput =
  | { type: 'joined'; reply: JoinReply }
  | { type: 'refused'; code: string; message: string }
  | { type: 'event'; event: ChannelEvent }
  | { type: 'resynced' };

export const emptyChannel: ChannelState = { join: { status: 'joining' }, seq: null, runners: {}, gap: false };

export function channelStep(state: ChannelState, input: ChannelInput): ChannelState {
  switch (input.type) {
    case 'joined': {
      const runners: Record<string, RunnerPresence> = {};
      for (const r of input.reply.runners) runners[r.runner_id] = r;
      // A rejoin keeps the cursor: the replay after this reply starts right above it.
      return { ...state, join: { status: 'joined', user: input.reply.user }, seq: state.seq ?? input.reply.head_seq, runners };
    }
    case 'refused':
      return { ...state, join: { status: 'refused', code: input.code, message: input.message } };
    case 'event': {
      const seq = input.event.payload.seq;
      const admission = admit(state.seq, seq);
      if (admission.type === 'repeat') return state;
      const next = { ...state, seq, gap: state.gap || admission.gap > 0 };
      switch (input.event.type) {
        case 'presence': {
          const r = input.event.payload.runner;
          return { ...next, runners: { ...state.runners, [r.runner_id]: r } };
        }
        case 'message':
        case 'append':
        case 'row_updated':
        case 'state':
        case 'control':
        case 'title':
          return next;
        default:
          return assertNever(input.event, 'channel event');
      }
    }
    case 'resynced':
      return { ...state, gap: false };
    default:
      return assertNever(input, 'channel input');
  }
}

/** Runners, most recently updated first. */
export const runnersOf = (state: ChannelState): RunnerPresence[] =>
  Object.values(state.runners).sort((a, b) => b.updated_at.localeCompare(a.updated_at));
