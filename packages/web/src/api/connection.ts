// The one WebSocket to the hub (phoenix client, Phoenix V2 frames). Same origin: the browser
// sends the session cookie with the upgrade. Reconnects with a capped backoff and reports whether
// the link is up, so the UI can show a banner; channels rejoin on their own (feed.ts).

import { Socket } from 'phoenix';
import { EarlyTransport } from './early-socket.js';

export type LinkStatus = 'connecting' | 'open' | 'lost';

/** Backoff by attempt number: quick first retries, then every two seconds. */
const backoff = (tries: number): number => [100, 250, 500, 1000][tries - 1] ?? 2000;

export interface Connection {
  readonly socket: Socket;
  readonly status: () => LinkStatus;
  readonly onStatus: (listener: (status: LinkStatus) => void) => () => void;
  readonly close: () => void;
}

export function connect(): Connection {
  // The first connection takes the socket App.tsx opened as the page loaded (early-socket.ts).
  const socket = new Socket('/socket', { reconnectAfterMs: backoff, rejoinAfterMs: backoff, transport: EarlyTransport });
  let status: LinkStatus = 'connecting';
  const listeners = new Set<(s: LinkStatus) => void>();
  const set = (next: LinkStatus) => {
    if (next === status) return;
    status = next;
    for (const l of listeners) l(next);
  };
  socket.onOpen(() => set('open'));
  socket.onError(() => set('lost'));
  socket.onClose(() => set('lost'));
  socket.connect();
  return {
    socket,
    status: () => status,
    onStatus(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      listeners.clear();
      socket.disconnect();
    },
  };
}
