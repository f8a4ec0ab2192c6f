// Tunnel stream requests waiting for the runner's dial: the hub sends `tunnel_open` with a fresh
// stream id and secret on the runner's socket and parks the request here until the runner dials
// the tunnel endpoint with them (single use, constant-time compare), reports a dial error, or the
// deadline passes. Sockets are opaque here; the endpoint (tunnel-endpoint.ts) does the HTTP.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { PilothouseError, type TunnelOpen } from '@pilothouse/protocol';
import type { Clock } from './grants.js';

export interface StreamTarget {
  previewId: string;
  ownerUserId: string;
  port: number;
  /** Delivers the directive to the runner's socket. */
  send(open: TunnelOpen): void;
}

interface Pending {
  previewId: string;
  ownerUserId: string;
  port: number;
  secretDigest: Buffer;
  deadline: number;
  resolve: (socket: Duplex) => void;
  reject: (err: PilothouseError) => void;
}

export type Claim =
  | { type: 'claimed'; port: number; settle: { resolve: (socket: Duplex) => void; reject: (err: PilothouseError) => void } }
  | { type: 'unknown' }
  | { type: 'not_owner' }
  | { type: 'bad_secret' };

const sha256 = (s: string) => createHash('sha256').update(s).digest();

export class StreamBroker {
  readonly #pending = new Map<string, Pending>();
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  readonly #maxPendingPerPreview: number;

  constructor(opts: { clock: Clock; timeoutMs: number; maxPendingPerPreview: number }) {
    this.#clock = opts.clock;
    this.#timeoutMs = opts.timeoutMs;
    this.#maxPendingPerPreview = opts.maxPendingPerPreview;
  }

  get pending(): number {
    return this.#pending.size;
  }

  /** Asks the runner for one stream; rejects with preview_unavailable when none arrives in time. */
  request(target: StreamTarget): Promise<Duplex> {
    let waiting = 0;
    for (const p of this.#pending.values()) if (p.previewId === target.previewId) waiting++;
    if (waiting >= this.#maxPendingPerPreview) {
      return Promise.reject(new PilothouseError('preview_unavailable', `Too many streams of preview ${target.previewId} are waiting for the runner.`));
    }
    const streamId = randomBytes(16).toString('base64url');
    const secret = randomBytes(32).toString('base64url');
    return new Promise((resolve, reject) => {
      this.#pending.set(streamId, {
        previewId: target.previewId,
        ownerUserId: target.ownerUserId,
        port: target.port,
        secretDigest: sha256(secret),
        deadline: this.#clock.now() + this.#timeoutMs,
        resolve,
        reject,
      });
      target.send({ stream_id: streamId, preview_id: target.previewId, port: target.port, secret });
    });
  }

  /** A dial arrived: the stream id must be pending for this user, with this secret. Claiming removes it. */
  claim(streamId: string, userId: string, secret: string): Claim {
    const p = this.#pending.get(streamId);
    if (!p) return { type: 'unknown' };
    if (p.ownerUserId !== userId) return { type: 'not_owner' };
    if (!timingSafeEqual(sha256(secret), p.secretDigest)) return { type: 'bad_secret' };
    this.#pending.delete(streamId);
    return { type: 'claimed', port: p.port, settle: { resolve: p.resolve, reject: p.reject } };
  }

  /** Fails the requests whose deadline passed (called from the preview service's one timer). */
  sweep(): void {
    const now = this.#clock.now();
    for (const [id, p] of this.#pending) {
      if (p.deadline > now) continue;
      this.#pending.delete(id);
      p.reject(new PilothouseError('preview_unavailable', `The runner did not open a stream within ${Math.round(this.#timeoutMs / 1000)} s.`));
    }
  }

  /** Fails every request of one preview (closed, runner offline), or of all when previewId is null. */
  fail(previewId: string | null, err: PilothouseError): void {
    for (const [id, p] of this.#pending) {
      if (previewId !== null && p.previewId !== previewId) continue;
      this.#pending.delete(id);
      p.reject(err);
    }
  }
}
