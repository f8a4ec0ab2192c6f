// The WebSocket transport to an app-server started with `--listen unix://PATH`: the same JSON-RPC
// envelopes as stdio, one message per text frame (see docs/decisions/tui-mirror.md). It is exposed
// as a line stream pair so RpcConnection runs unchanged over either transport. stdio stays the
// default; this one exists so that a second client (the owner's TUI) can share the app-server.
import { PassThrough, Writable, type Readable } from 'node:stream';
import { WebSocket } from 'ws';

export interface SocketLink {
  /** One line per inbound frame. Ends when the socket closes. */
  readonly input: Readable;
  /** Every write (one encoded message) is sent as one text frame. */
  readonly output: Writable;
  /** Settles once the socket is closed, by either side. */
  readonly closed: Promise<void>;
  close(): void;
}

/** The address Codex takes for `--listen` and `--remote`. */
export const unixSocketAddress = (path: string): string => `unix://${path}`;

export interface ConnectOptions {
  /** Give up after this long (the socket appears once app-server is up: about 0.5 s cold). */
  readonly timeoutMs: number;
  /** Stop trying early, e.g. when the app-server exited. */
  readonly signal?: AbortSignal;
  readonly retryMs?: number;
}

/** Connects to the app-server's Unix socket, retrying until it accepts or the time is up. */
export async function connectUnixSocket(path: string, options: ConnectOptions): Promise<SocketLink> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: Error | undefined;
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      return link(await open(path));
    } catch (error) {
      lastError = error as Error;
    }
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, options.retryMs ?? 50));
  }
  throw new Error(`could not connect to ${path} within ${options.timeoutMs} ms: ${lastError?.message ?? 'no answer'}`, { cause: lastError });
}

function open(path: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    // ws's form for a Unix socket: `ws+unix://<socket path>:<request path>`.
    const ws = new WebSocket(`ws+unix://${path}:/`);
    const fail = (error: Error) => {
      ws.removeAllListeners();
      ws.on('error', () => {}); // a late error of the abandoned attempt must not crash the process
      ws.terminate();
      reject(error);
    };
    ws.once('open', () => {
      ws.removeAllListeners();
      resolve(ws);
    });
    ws.once('error', fail);
    ws.once('unexpected-response', (_req, res) => fail(new Error(`HTTP ${String(res.statusCode)} instead of a WebSocket upgrade`)));
  });
}

function link(ws: WebSocket): SocketLink {
  const input = new PassThrough({ encoding: 'utf8' });
  const closed = new Promise<void>((resolve) => {
    ws.on('close', () => {
      input.end();
      resolve();
    });
  });
  // Errors end in 'close'; the app-server's exit is what the owner reports.
  ws.on('error', () => {});
  ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
    const text = Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
    if (!input.writableEnded) input.write(text.endsWith('\n') ? text : `${text}\n`);
  });
  const output = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (ws.readyState !== WebSocket.OPEN) return done(new Error('the app-server socket is closed'));
      const text = chunk.toString('utf8');
      ws.send(text.endsWith('\n') ? text.slice(0, -1) : text, done);
    },
  });
  return {
    input,
    output,
    closed,
    close: () => {
      if (ws.readyState === WebSocket.CLOSED) return;
      ws.close();
      // A peer that never answers the close handshake must not keep the socket alive.
      setTimeout(() => ws.terminate(), 1_000).unref();
    },
  };
}
