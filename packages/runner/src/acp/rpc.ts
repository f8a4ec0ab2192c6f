// JSON-RPC 2.0 over an ACP agent's stdio (https://www.jsonrpc.org/specification; ACP frames one
// message per line): our requests with their pending promises, the agent's notifications, and
// the agent's requests handed on by id and answered later (a permission waits for a person).
// Lines are bounded (lines.ts); an unreadable one is reported and skipped. The connection never
// ends itself: its owner calls `fail()` when the agent is gone, and every pending request rejects.

import type { Readable, Writable } from 'node:stream';
import { assertNever } from '@pilothouse/protocol';
import { excerpt, parseInbound, type RpcErrorBody, type RpcId } from '../codex/wire.js';
import { AcpError } from './errors.js';
import { lineReader } from './lines.js';

export type { RpcId };

/** Longest message line read from an agent: a file edit carries whole files. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

export interface AcpHandlers {
  onNotification(method: string, params: unknown): void;
  /** The agent asks; answer with `respond` (by the same id) when decided. */
  onRequest(id: RpcId, method: string, params: unknown): void;
  /** A line that is not a valid message, too long, or a response nobody waits for. Never fatal. */
  onProtocolError(message: string): void;
}

interface Pending {
  readonly method: string;
  readonly resolve: (result: unknown) => void;
  readonly reject: (error: AcpError) => void;
}

export class AcpConnection {
  #nextId = 0;
  readonly #pending = new Map<RpcId, Pending>();
  #failure: AcpError | undefined;

  constructor(
    input: Readable,
    private readonly output: Writable,
    private readonly handlers: AcpHandlers,
    maxLineBytes = MAX_LINE_BYTES,
  ) {
    const lines = lineReader(maxLineBytes, (line) => this.#receive(line), (bytes) => handlers.onProtocolError(`skipped a line of ${bytes} bytes (over ${maxLineBytes})`));
    input.on('data', (chunk: Buffer) => lines.push(chunk));
    // A write to a dead agent surfaces as EPIPE here; the owner's exit handling reports the exit.
    output.on('error', (error) => this.fail(new AcpError('acp_closed', `writing to the ACP agent failed: ${error.message}`, undefined, { cause: error })));
  }

  request(method: string, params: unknown): Promise<unknown> {
    if (this.#failure) return Promise.reject(this.#failure);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { method, resolve, reject });
      this.#write({ id, method, params });
    });
  }

  notify(method: string, params: unknown): void {
    if (!this.#failure) this.#write({ method, params });
  }

  respond(id: RpcId, answer: { readonly result: unknown } | { readonly error: RpcErrorBody }): void {
    // The agent is gone: nobody is left to read the answer.
    if (!this.#failure) this.#write({ id, ...answer });
  }

  /** Rejects every pending request and all future ones with `error`. Idempotent. */
  fail(error: AcpError): void {
    if (this.#failure) return;
    this.#failure = error;
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
  }

  #receive(line: string): void {
    if (line.trim() === '') return;
    const message = parseInbound(line);
    switch (message.kind) {
      case 'malformed':
        return this.handlers.onProtocolError(`unreadable line (${message.reason}): ${excerpt(line)}`);
      case 'notification':
        return this.handlers.onNotification(message.method, message.params);
      case 'request':
        return this.handlers.onRequest(message.id, message.method, message.params);
      case 'response':
      case 'error_response': {
        const pending = this.#pending.get(message.id);
        if (!pending) return this.handlers.onProtocolError(`an answer to unknown request id ${String(message.id)}: ${excerpt(line)}`);
        this.#pending.delete(message.id);
        if (message.kind === 'response') return pending.resolve(message.result);
        const data = message.error.data !== undefined ? ` ${excerpt(JSON.stringify(message.error.data))}` : '';
        return pending.reject(new AcpError('acp_rpc_error', `the agent refused ${pending.method}: ${message.error.message}${data} (code ${message.error.code})`, message.error));
      }
      default:
        return assertNever(message, 'JSON-RPC message');
    }
  }

  #write(message: object): void {
    this.output.write(`${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`);
  }
}

