// The inbound edge of a socket: one WebSocket message in, a Phoenix V2 frame or an addressed error out.
// Pure (no I/O). Rejects binary and oversized messages before any parsing, and for every failure
// salvages join_ref/ref/topic when it can so that the error reply still reaches the client's push.

import { decodeFrame, PHX, PilothouseError, type Frame } from '@pilothouse/protocol';

/** Where a reply goes: the request's refs and topic (topic "phoenix" when nothing could be salvaged). */
export interface Address {
  joinRef: string | null;
  ref: string | null;
  topic: string;
  /** For logs only; null when the event could not be read. */
  event: string | null;
}

export type Inbound = { type: 'frame'; frame: Frame } | { type: 'invalid'; error: PilothouseError; address: Address };

const UNADDRESSED: Address = { joinRef: null, ref: null, topic: PHX.socketTopic, event: null };

/** The header of an oversized frame is searched for in this many leading bytes only. */
const SALVAGE_PREFIX_BYTES = 4096;

export function readInbound(data: Buffer, isBinary: boolean, maxFrameBytes: number): Inbound {
  if (isBinary) {
    return invalid(
      new PilothouseError('malformed_frame', 'Binary frames are not supported; send the JSON text frame of vsn 2.0.0.'),
      UNADDRESSED,
    );
  }
  if (data.length > maxFrameBytes) {
    const address = salvageHeader(data.subarray(0, SALVAGE_PREFIX_BYTES).toString('utf8'));
    return invalid(
      new PilothouseError('frame_too_large', `The frame has ${data.length} bytes; the limit is ${maxFrameBytes}.`),
      address,
    );
  }
  try {
    return { type: 'frame', frame: decodeFrame(data.toString('utf8')) };
  } catch (err) {
    const error =
      err instanceof PilothouseError ? err : new PilothouseError('malformed_frame', undefined, undefined, { cause: err });
    return invalid(error, addressFromDetails(error.details));
  }
}

function invalid(error: PilothouseError, address: Address): Inbound {
  return { type: 'invalid', error, address };
}

/** decodeFrame leaves what it salvaged in `details` ({joinRef, ref, topic}); read it defensively. */
function addressFromDetails(details: unknown): Address {
  if (typeof details !== 'object' || details === null) return UNADDRESSED;
  const d = details as Record<string, unknown>;
  return {
    joinRef: typeof d.joinRef === 'string' ? d.joinRef : null,
    ref: typeof d.ref === 'string' ? d.ref : null,
    topic: typeof d.topic === 'string' ? d.topic : PHX.socketTopic,
    event: null,
  };
}

// A JSON string literal (escapes validated later by JSON.parse), and `null`.
const STRING = String.raw`"(?:[^"\\]|\\.)*"`;
const REF = `(null|${STRING})`;
const HEADER = new RegExp(String.raw`^\s*\[\s*${REF}\s*,\s*${REF}\s*,\s*(${STRING})\s*,\s*(${STRING})\s*,`);

/**
 * Reads `[join_ref, ref, topic, event,` from the start of a frame without parsing its (large) payload.
 * The Phoenix serializer always writes those four fields first, so a prefix is enough.
 */
export function salvageHeader(prefix: string): Address {
  const match = HEADER.exec(prefix);
  if (!match) return UNADDRESSED;
  const topic = parseString(match[3]);
  return {
    joinRef: parseString(match[1]),
    ref: parseString(match[2]),
    topic: topic ?? PHX.socketTopic,
    event: parseString(match[4]),
  };
}

function parseString(token: string | undefined): string | null {
  if (token === undefined || token === 'null') return null;
  try {
    const value: unknown = JSON.parse(token);
    return typeof value === 'string' ? value : null;
  } catch {
    return null; // an invalid escape inside the literal: treat the field as not salvageable
  }
}
