// Phoenix Channels V2 JSON frames: [join_ref, ref, topic, event, payload] (vsn=2.0.0).
// See phoenix/assets/js/phoenix/serializer.js: the client encodes exactly this array.

import { PilothouseError } from './errors.js';

export interface Frame {
  joinRef: string | null;
  ref: string | null;
  topic: string;
  event: string;
  payload: unknown;
}

export const PHX = {
  join: 'phx_join',
  leave: 'phx_leave',
  reply: 'phx_reply',
  error: 'phx_error',
  close: 'phx_close',
  heartbeat: 'heartbeat',
  socketTopic: 'phoenix',
} as const;

export function encodeFrame(frame: Frame): string {
  return JSON.stringify([frame.joinRef, frame.ref, frame.topic, frame.event, frame.payload]);
}

const isRef = (v: unknown): v is string | null => v === null || typeof v === 'string';

/**
 * Decodes one text frame. On failure throws a PilothouseError whose `details.ref`/`details.topic`
 * carry whatever could be salvaged so the caller can still address its error reply.
 */
export function decodeFrame(text: string): Frame {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new PilothouseError('malformed_frame', 'The frame is not valid JSON.');
  }
  if (!Array.isArray(raw)) {
    throw new PilothouseError('malformed_frame', 'A frame must be a JSON array [join_ref, ref, topic, event, payload].');
  }
  const salvage = salvageAddress(raw);
  if (raw.length !== 5) {
    throw new PilothouseError('malformed_frame', `A frame has 5 elements, got ${raw.length}.`, salvage);
  }
  const [joinRef, ref, topic, event, payload] = raw as [unknown, unknown, unknown, unknown, unknown];
  if (!isRef(joinRef) || !isRef(ref) || typeof topic !== 'string' || typeof event !== 'string') {
    throw new PilothouseError(
      'malformed_frame',
      'join_ref and ref must be strings or null; topic and event must be strings.',
      salvage,
    );
  }
  return { joinRef, ref, topic, event, payload };
}

/** Best effort: the refs and topic of a broken frame, so an error reply can still be correlated. */
export function salvageAddress(raw: unknown[]): { joinRef: string | null; ref: string | null; topic: string | null } {
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  return { joinRef: str(raw[0]), ref: str(raw[1]), topic: str(raw[2]) };
}

export function replyFrame(
  req: Pick<Frame, 'joinRef' | 'ref' | 'topic'>,
  status: 'ok' | 'error',
  response: unknown,
): Frame {
  return { joinRef: req.joinRef, ref: req.ref, topic: req.topic, event: PHX.reply, payload: { status, response } };
}
