// Types for the part of the official `phoenix` JS client (1.8, plain JS, no bundled types) that the
// web UI drives. The hub's tests keep their own copy (packages/hub/src/socket/phoenix.d.ts).

declare module 'phoenix' {
  export type PushStatus = 'ok' | 'error' | 'timeout';

  export interface Push {
    receive(status: PushStatus, callback: (response: unknown) => void): Push;
  }

  export class Channel {
    readonly topic: string;
    join(timeout?: number): Push;
    leave(timeout?: number): Push;
    push(event: string, payload: object, timeout?: number): Push;
    on(event: string, callback: (payload: unknown, ref: string | null, joinRef: string | null) => void): number;
    off(event: string, ref?: number): void;
    onClose(callback: (payload: unknown) => void): void;
    onError(callback: (reason: unknown) => void): number;
  }

  export interface SocketOptions {
    params?: Record<string, unknown> | (() => Record<string, unknown>);
    timeout?: number;
    heartbeatIntervalMs?: number;
    reconnectAfterMs?: (tries: number) => number;
    rejoinAfterMs?: (tries: number) => number;
    logger?: (kind: string, msg: string, data: unknown) => void;
  }

  export class Socket {
    constructor(endPoint: string, opts?: SocketOptions);
    connect(): void;
    disconnect(callback?: () => void, code?: number, reason?: string): void;
    channel(topic: string, params?: object | (() => object)): Channel;
    onOpen(callback: () => void): string;
    onClose(callback: (event: { code: number; reason: string }) => void): string;
    onError(callback: (error: unknown) => void): string;
    isConnected(): boolean;
  }
}
