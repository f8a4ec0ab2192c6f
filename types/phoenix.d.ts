// Types for the part of the official `phoenix` JS client (1.8, plain JS, no bundled types) that the
// runner's hub connection, the web UI, the hub's socket tests, e2e/ and bench/ drive. One copy for
// the repository: the root tsconfig and packages/web/tsconfig.json include it. Replace it with
// @types/phoenix if that dependency is ever added.

declare module 'phoenix' {
  export type PushStatus = 'ok' | 'error' | 'timeout';

  export interface Push {
    receive(status: PushStatus, callback: (response: unknown) => void): Push;
  }

  export interface Message {
    join_ref: string | null;
    ref: string | null;
    topic: string;
    event: string;
    payload: unknown;
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
    joinRef(): string | null;
    isJoined(): boolean;
    rejoin(timeout?: number): void;
    /** The join's push: its `receive` hooks run again on every rejoin's reply. */
    readonly joinPush: Push;
  }

  export interface SocketOptions {
    transport?: unknown;
    params?: Record<string, unknown> | (() => Record<string, unknown>);
    authToken?: string | (() => string);
    timeout?: number;
    heartbeatIntervalMs?: number;
    reconnectAfterMs?: (tries: number) => number;
    rejoinAfterMs?: (tries: number) => number;
    logger?: (kind: string, msg: string, data: unknown) => void;
    vsn?: string;
  }

  export class Socket {
    constructor(endPoint: string, opts?: SocketOptions);
    readonly conn: { readonly protocol?: string; readonly readyState: number } | null;
    connect(): void;
    disconnect(callback?: () => void, code?: number, reason?: string): void;
    channel(topic: string, params?: object | (() => object)): Channel;
    onOpen(callback: () => void): string;
    onClose(callback: (event: { code: number; reason: string }) => void): string;
    onError(callback: (error: unknown) => void): string;
    onMessage(callback: (message: Message) => void): string;
    ping(callback: (rttMs: number) => void): boolean;
    isConnected(): boolean;
    endPointURL(): string;
  }
}
