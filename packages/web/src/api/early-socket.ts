// The page's first WebSocket, opened as the page's code loads when this browser was signed in
// before, and handed to the phoenix client for its first connection (connection.ts): the handshake
// overlaps fetching /api/me and the signed-in code instead of following them. Kept out of the
// phoenix chunk so the sign-in page stays small; a socket nobody takes is closed.

/** The address phoenix connects to (`/socket`, Phoenix V2 frames). */
export function socketUrl(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/socket/websocket?vsn=2.0.0`;
}

let early: WebSocket | null = null;

export function openEarlySocket(): void {
  if (early !== null || typeof WebSocket === 'undefined') return;
  early = new WebSocket(socketUrl());
}

/** The early socket for `url`, once, while it is connecting or open; null otherwise. */
export function takeEarlySocket(url: string): WebSocket | null {
  const ws = early;
  early = null;
  if (ws === null) return null;
  if (ws.url !== url || (ws.readyState !== WebSocket.CONNECTING && ws.readyState !== WebSocket.OPEN)) {
    ws.close();
    return null;
  }
  return ws;
}

/** The page turned out signed out: the early socket is of no use. */
export function dropEarlySocket(): void {
  early?.close();
  early = null;
}

/**
 * phoenix's `transport`: the early socket when there is one for this address, else a new one.
 * phoenix sets its handlers right after constructing; a socket that is open already is told so
 * once they are set.
 */
export const EarlyTransport = function EarlyTransport(url: string, protocols?: string | string[]): WebSocket {
  const ws = takeEarlySocket(url);
  if (ws === null) return new WebSocket(url, protocols);
  if (ws.readyState === WebSocket.OPEN) queueMicrotask(() => ws.dispatchEvent(new Event('open')));
  return ws;
} as unknown as typeof WebSocket;
