// Test support: the official phoenix client in Node, with promise helpers and an event recorder.

import { Socket, type Channel, type Push } from 'phoenix';
import { WebSocket } from 'ws';

export function connect(url: string, token: string, opts: { reconnectMs?: number } = {}): Socket {
  const socket = new Socket(`${url.replace(/^http/, 'ws')}/socket`, {
    transport: WebSocket,
    params: { token },
    timeout: 5000,
    reconnectAfterMs: () => opts.reconnectMs ?? 50,
    rejoinAfterMs: () => opts.reconnectMs ?? 50,
  });
  socket.connect();
  return socket;
}

export class PushError extends Error {
  constructor(readonly code: string, readonly response: unknown) {
    super(`push failed: ${code}`);
  }
}

export function settle(push: Push): Promise<unknown> {
  return new Promise((resolve, reject) => {
    push
      .receive('ok', resolve)
      .receive('error', (r) => reject(new PushError((r as { code?: string }).code ?? 'unknown', r)))
      .receive('timeout', () => reject(new PushError('timeout', null)));
  });
}

export const join = (ch: Channel) => settle(ch.join());
export const push = (ch: Channel, event: string, payload: object) => settle(ch.push(event, payload));

export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof PushError) return err.code;
    throw err;
  }
  throw new Error('expected an error reply');
}

export interface Received {
  event: string;
  payload: { seq: number } & Record<string, unknown>;
}

/** Records every channel event with a seq, and lets a test await a condition on them. */
export class EventLog {
  readonly events: Received[] = [];
  private waiters: { pred: () => boolean; resolve: () => void }[] = [];

  constructor(ch: Channel, names = ['message', 'append', 'row_updated', 'state', 'presence', 'control']) {
    for (const event of names) {
      ch.on(event, (payload) => {
        this.events.push({ event, payload: payload as Received['payload'] });
        this.waiters = this.waiters.filter((w) => (w.pred() ? (w.resolve(), false) : true));
      });
    }
  }

  seqs(): number[] {
    return this.events.map((e) => e.payload.seq);
  }

  until(pred: () => boolean, timeoutMs = 10_000): Promise<void> {
    if (pred()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out; have ${this.events.length} events`)), timeoutMs);
      this.waiters.push({
        pred,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }
}
