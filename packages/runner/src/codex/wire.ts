// The app-server's line format: newline-delimited JSON-RPC 2.0 messages without the
// "jsonrpc" member (JSON-RPC 2.0 §4-5). Every inbound line is classified here, once.
import { z } from 'zod';

export type RpcId = string | number;

const rpcErrorSchema = z.object({ code: z.number(), message: z.string(), data: z.unknown().optional() });
export type RpcErrorBody = z.infer<typeof rpcErrorSchema>;

const envelopeSchema = z.object({
  id: z.union([z.string(), z.number()]).optional(),
  method: z.string().optional(),
  params: z.unknown().optional(),
  result: z.unknown().optional(),
  error: rpcErrorSchema.optional(),
});

export type Inbound =
  | { readonly kind: 'response'; readonly id: RpcId; readonly result: unknown }
  | { readonly kind: 'error_response'; readonly id: RpcId; readonly error: RpcErrorBody }
  /** A server -> client request; its id is the server's and may equal one of ours. */
  | { readonly kind: 'request'; readonly id: RpcId; readonly method: string; readonly params: unknown }
  | { readonly kind: 'notification'; readonly method: string; readonly params: unknown }
  | { readonly kind: 'malformed'; readonly reason: string };

export function parseInbound(line: string): Inbound {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return { kind: 'malformed', reason: 'not JSON' };
  }
  const parsed = envelopeSchema.safeParse(json);
  if (!parsed.success) return { kind: 'malformed', reason: z.prettifyError(parsed.error).replaceAll('\n', ' ') };
  const { id, method, params, error } = parsed.data;
  // Requests and responses share one id space per direction only, so route by `method`.
  if (method !== undefined) {
    return id === undefined ? { kind: 'notification', method, params } : { kind: 'request', id, method, params };
  }
  if (id === undefined) return { kind: 'malformed', reason: 'neither a method nor an id' };
  if (error !== undefined) return { kind: 'error_response', id, error };
  if (json !== null && typeof json === 'object' && 'result' in json) return { kind: 'response', id, result: parsed.data.result };
  return { kind: 'malformed', reason: 'a response without result or error' };
}

export type Outbound =
  | { readonly id: RpcId; readonly method: string; readonly params?: unknown }
  | { readonly method: string; readonly params?: unknown }
  | { readonly id: RpcId; readonly result: unknown }
  | { readonly id: RpcId; readonly error: RpcErrorBody };

export function encodeOutbound(message: Outbound): string {
  return `${JSON.stringify(message)}\n`;
}

/** Keeps protocol-error messages one line and bounded. */
export function excerpt(line: string, max = 200): string {
  return line.length > max ? `${line.slice(0, max)}…` : line;
}
