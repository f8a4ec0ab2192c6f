// JSON-RPC over a child's stdio: our requests with their pending promises, notifications in,
// and server -> client requests handed to one handler whose answer is written back.
// The connection never ends itself: its owner calls `fail()` when the peer is gone, because
// only the owner knows why (exit code, stderr).
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { CodexError } from './errors.js';
import { encodeOutbound, excerpt, parseInbound, type Outbound, type RpcErrorBody, type RpcId } from './wire.js';

export interface RpcHandlers {
  onNotification(method: string, params: unknown): void;
  /** Resolves to the result, or rejects to answer with a JSON-RPC error. */
  onRequest(method: string, params: unknown, id: RpcId): Promise<RpcAnswer>;
  /** A line that is not a valid message, or a response nobody waits for. Never fatal. */
  onProtocolError(error: CodexError): void;
}

export type RpcAnswer = { readonly result: unknown } | { readonly error: RpcErrorBody };

interface Pending {
  readonly method: string;
  readonly resolve: (result: unknown) => void;
  readonly reject: (error: CodexError) => void;
}

export class RpcConnection {
  #nextId = 1;
  #pending = new Map<RpcId, Pending>();
  #failure: CodexError | undefined;

  constructor(
    input: Readable,
    private readonly output: Writable,
    private readonly handlers: RpcHandlers,
  ) {
    createInterface({ input, crlfDelay: Infinity }).on('line', (line) => this.#receive(line));
    // A write to a dead child surfaces as EPIPE here; the owner's exit handling reports it.
    output.on('error', (error) => this.fail(new CodexError('codex_closed', `writing to codex app-server failed: ${error.message}`, undefined, { cause: error })));
  }

  request(method: string, params?: unknown): Promise<unknown> {
    if (this.#failure) return Promise.reject(this.#failure);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { method, resolve, reject });
      this.#write(params === undefined ? { id, method } : { id, method, params });
    });
  }

  notify(method: string, params?: unknown): void {
    if (this.#failure) throw this.#failure;
    this.#write(params === undefined ? { method } : { method, params });
  }

  /** Rejects every pending request and all future ones with `error`. Idempotent. */
  fail(error: CodexError): void {
    if (this.#failure) return;
    this.#failure = error;
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
  }

  get failure(): CodexError | undefined {
    return this.#failure;
  }

  #receive(line: string): void {
    if (line.trim() === '') return;
    const message = parseInbound(line);
    switch (message.kind) {
      case 'malformed':
        this.handlers.onProtocolError(
          new CodexError('codex_protocol_error', `unreadable line from codex app-server (${message.reason}): ${excerpt(line)}`, { line }),
        );
        return;
      case 'notification':
        this.handlers.onNotification(message.method, message.params);
        return;
      case 'request':
        void this.#answer(message.id, message.method, message.params);
        return;
      case 'response':
      case 'error_response': {
        const pending = this.#pending.get(message.id);
        if (!pending) {
          this.handlers.onProtocolError(
            new CodexError('codex_protocol_error', `codex app-server answered unknown request id ${String(message.id)}: ${excerpt(line)}`, { line }),
          );
          return;
        }
        this.#pending.delete(message.id);
        if (message.kind === 'response') pending.resolve(message.result);
        else
          pending.reject(
            new CodexError('codex_rpc_error', `codex app-server refused ${pending.method}: ${message.error.message} (code ${message.error.code})`, message.error),
          );
        return;
      }
    }
  }

  async #answer(id: RpcId, method: string, params: unknown): Promise<void> {
    let answer: RpcAnswer;
    try {
      answer = await this.handlers.onRequest(method, params, id);
    } catch (error) {
      answer = { error: { code: -32603, message: error instanceof Error ? error.message : String(error) } };
    }
    if (this.#failure) return; // The peer is gone; nobody is left to read the answer.
    this.#write('result' in answer ? { id, result: answer.result } : { id, error: answer.error });
  }

  #write(message: Outbound): void {
    this.output.write(encodeOutbound(message));
  }
}
