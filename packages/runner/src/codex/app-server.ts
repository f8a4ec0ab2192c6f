// A running `codex app-server`: spawn, initialize handshake, typed requests, typed
// notifications, server requests answered by one handler, and an orderly close. It speaks over
// stdio by default, or over its Unix socket when other clients (the owner's TUI) share it.
import { settlesWithin, spawnChild, type Child, type ChildExit } from '../agent/child.js';
import { CodexError } from './errors.js';
import { EventFeed } from './event-feed.js';
import type { ClientInfo, InitializeResponse } from './generated/index.js';
import type {
  ThreadResumeParams,
  ThreadResumeResponse,
  ThreadStartParams,
  ThreadStartResponse,
  TurnInterruptParams,
  TurnInterruptResponse,
  TurnStartParams,
  TurnStartResponse,
} from './generated/v2/index.js';
import { locateCodex, type CodexBinary } from './locate.js';
import type { ClientMethod, ClientParams, ClientResults, ServerNotification, ServerRequest, ServerRequestHandler } from './methods.js';
import { RpcConnection, type RpcAnswer } from './rpc.js';
import { connectUnixSocket, unixSocketAddress, type SocketLink } from './ws-transport.js';

export interface StartCodexOptions {
  /** A specific binary; otherwise located (and version-checked) by `locateCodex`. */
  readonly codexBin?: string;
  readonly cwd: string;
  /** Added to the inherited environment, e.g. `CODEX_HOME`. `RUST_LOG` defaults to `warn`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly clientInfo: ClientInfo;
  /** Extra arguments after `app-server`, e.g. `['-c', 'model="gpt-5.5"']`. */
  readonly args?: readonly string[];
  /**
   * Listen on this Unix socket (`--listen unix://PATH`) and connect to it, so that other clients
   * can join (`codex resume --remote`). Put it in a directory only the user can read.
   */
  readonly socketPath?: string;
  /** How long to wait for the socket to accept (default 20 s). */
  readonly connectTimeoutMs?: number;
}

export interface CodexExit extends ChildExit {
  /** True when the exit followed our own `close()`. */
  readonly expected: boolean;
}

export type CodexEvent =
  | { readonly type: 'notification'; readonly notification: ServerNotification }
  /** A line that could not be read, or a failed answer to a server request. Never fatal. */
  | { readonly type: 'protocol_error'; readonly error: CodexError }
  /** Always the last event. */
  | { readonly type: 'exit'; readonly exit: CodexExit };

export interface CodexAppServer {
  readonly binary: CodexBinary;
  readonly info: InitializeResponse;
  /** The address other clients connect to (`codex --remote …`); null over stdio. */
  readonly remoteAddress: string | null;
  /** The app-server's process id: the root of the agent's process tree (the port watcher's). */
  readonly pid: number | null;
  request<M extends ClientMethod>(method: M, params: ClientParams<M>): Promise<ClientResults[M]>;
  threadStart(params: ThreadStartParams): Promise<ThreadStartResponse>;
  threadResume(params: ThreadResumeParams): Promise<ThreadResumeResponse>;
  turnStart(params: TurnStartParams): Promise<TurnStartResponse>;
  turnInterrupt(params: TurnInterruptParams): Promise<TurnInterruptResponse>;
  /** Listens to every later event; returns an unsubscribe function. */
  onEvent(listener: (event: CodexEvent) => void): () => void;
  /** Iterates every later event, ending after `exit`. */
  events(): AsyncIterableIterator<CodexEvent>;
  /**
   * Sets the one handler that answers server requests (approvals, user input...). Without
   * one, requests are refused with JSON-RPC -32601.
   */
  onServerRequest(handler: ServerRequestHandler): void;
  readonly exited: Promise<CodexExit>;
  /** Closes stdin (or the socket) and waits for the exit; SIGTERM, then SIGKILL, if Codex lingers. */
  close(options?: { timeoutMs?: number }): Promise<CodexExit>;
}

export async function startCodex(options: StartCodexOptions): Promise<CodexAppServer> {
  const binary = await locateCodex({ bin: options.codexBin });
  const listen = options.socketPath === undefined ? [] : ['--listen', unixSocketAddress(options.socketPath)];
  const child = spawnChild(binary.path, ['app-server', ...listen, ...(options.args ?? [])], {
    cwd: options.cwd,
    env: { ...process.env, RUST_LOG: 'warn', ...options.env },
  });
  const feed = new EventFeed<CodexEvent>();
  let handler: ServerRequestHandler | undefined;
  let closing = false;

  let socket: SocketLink | null = null;
  if (options.socketPath !== undefined) {
    socket = await connectSocket(child, options.socketPath, options.connectTimeoutMs ?? 20_000);
    // A listening app-server keeps running when its socket closes: stop it, so that its exit
    // (with the stderr tail) is what reports the loss.
    void socket.closed.then(() => {
      if (!closing) child.process.kill('SIGTERM');
    });
  }
  // Over the socket, stdout carries nothing we read; drain it so Codex never blocks on it.
  if (socket !== null) child.process.stdout.resume();
  const input = socket?.input ?? child.process.stdout;
  const output = socket?.output ?? child.process.stdin;

  const rpc = new RpcConnection(input, output, {
    onNotification: (method, params) => {
      // Trust boundary: envelopes were validated in wire.ts; params are taken to match the
      // bindings generated from this same pinned binary (locateCodex checked the version).
      feed.emit({ type: 'notification', notification: { method, params } as ServerNotification });
    },
    onRequest: async (method, params, id): Promise<RpcAnswer> => {
      if (!handler) return { error: { code: -32601, message: `pilothouse has no handler for ${method}` } };
      try {
        const answer = await handler({ method, id, params } as ServerRequest);
        return answer.kind === 'result' ? { result: answer.result } : { error: { code: answer.code, message: answer.message } };
      } catch (error) {
        const message = `handling ${method} failed: ${error instanceof Error ? error.message : String(error)}`;
        feed.emit({ type: 'protocol_error', error: new CodexError('codex_protocol_error', message, undefined, { cause: error }) });
        return { error: { code: -32603, message } };
      }
    },
    onProtocolError: (error) => feed.emit({ type: 'protocol_error', error }),
  });

  const exited = child.exited.then((exit): CodexExit => {
    const result = { ...exit, expected: closing };
    rpc.fail(closing ? new CodexError('codex_closed', 'the Codex connection was closed') : exitError(exit));
    feed.emit({ type: 'exit', exit: result });
    feed.end();
    return result;
  });

  const request = <M extends ClientMethod>(method: M, params: ClientParams<M>) =>
    rpc.request(method, params) as Promise<ClientResults[M]>;

  const close = async ({ timeoutMs = 3_000 } = {}): Promise<CodexExit> => {
    closing = true;
    child.process.stdin.end();
    // Over stdio, Codex exits when stdin closes; a listening app-server only on a signal
    // (SIGTERM: a clean exit that removes its socket).
    socket?.close();
    if (socket === null && (await settlesWithin(exited, timeoutMs))) return exited;
    child.process.kill('SIGTERM');
    if (await settlesWithin(exited, socket === null ? 1_000 : timeoutMs)) return exited;
    child.process.kill('SIGKILL');
    return exited;
  };

  let info: InitializeResponse;
  try {
    info = await request('initialize', {
      clientInfo: options.clientInfo,
      // experimentalApi: the bindings are generated with --experimental, and Codex then
      // sends fields such as availableDecisions on command approvals.
      capabilities: { experimentalApi: true, requestAttestation: false },
    });
    rpc.notify('initialized');
  } catch (error) {
    await close({ timeoutMs: 500 });
    throw error;
  }

  return {
    binary,
    info,
    remoteAddress: options.socketPath === undefined ? null : unixSocketAddress(options.socketPath),
    pid: child.process.pid ?? null,
    request,
    threadStart: (params) => request('thread/start', params),
    threadResume: (params) => request('thread/resume', params),
    turnStart: (params) => request('turn/start', params),
    turnInterrupt: (params) => request('turn/interrupt', params),
    onEvent: (listener) => feed.on(listener),
    events: () => feed.iterate(),
    onServerRequest: (next) => {
      handler = next;
    },
    exited,
    close,
  };
}

/** Connects to the socket of a listening app-server; if it cannot, the child is stopped. */
async function connectSocket(child: Child, path: string, timeoutMs: number): Promise<SocketLink> {
  const gone = new AbortController();
  void child.exited.then(() => gone.abort());
  try {
    return await connectUnixSocket(path, { timeoutMs, signal: gone.signal });
  } catch (error) {
    if (!gone.signal.aborted) {
      child.process.kill('SIGKILL');
      throw new CodexError('codex_closed', `codex app-server did not accept connections on ${path}: ${(error as Error).message}`, undefined, { cause: error });
    }
    throw exitError(await child.exited);
  }
}

function exitError(exit: ChildExit): CodexError {
  if (exit.spawnError) {
    return new CodexError('codex_missing', `codex app-server could not start: ${exit.spawnError.message}`, exit, { cause: exit.spawnError });
  }
  const how = exit.signal ? `signal ${exit.signal}` : `code ${String(exit.code)}`;
  // Codex appends an unsymbolised "Stack backtrace:" to fatal errors; it only hides the cause.
  const tail = exit.stderrTail.split(/\n\s*Stack backtrace:/)[0]?.trim() ?? '';
  const stderr = tail ? `; stderr: ${tail}` : '';
  return new CodexError('codex_exited', `codex app-server exited (${how})${stderr}`, exit);
}
