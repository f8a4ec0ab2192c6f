// Previews (docs/protocol.md §14): the contract between the hub's preview proxy, the runner's tunnel
// client and the web UI. A preview is one approved runner port served at its own origin; each
// browser-side connection rides one tunnel stream that the runner dials out to the hub.

import { z } from 'zod';
import { DecisionVia, Id } from './model.js';
import { PREVIEW_ID_PATTERN } from './refs.js';

export const PreviewId = z.string().regex(PREVIEW_ID_PATTERN, 'a preview id is 8–40 lower-case letters or digits');
export type PreviewId = z.infer<typeof PreviewId>;

export const Port = z.number().int().min(1).max(65535);

/** Why a preview stopped being served (runner side `preview_close`, hub side tombstone). */
export const PreviewCloseReason = z.enum(['revoked', 'process_exited', 'runner_closed', 'runner_offline', 'evicted']);
export type PreviewCloseReason = z.infer<typeof PreviewCloseReason>;

/**
 * Hub → runner, on the runner's joined channel topic, NOT stored and carrying no seq: open one
 * tunnel stream for `preview_id`. The runner checks that `port` is still approved, connects to
 * 127.0.0.1:port, then dials the hub's tunnel endpoint with `stream_id` and `secret`.
 */
export const TunnelOpen = z.object({
  stream_id: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/),
  preview_id: PreviewId,
  port: Port,
  /** Single use, short-lived; proves the dial answers this request. */
  secret: z.string().regex(/^[A-Za-z0-9_-]{16,128}$/, 'a tunnel secret is 16–128 base64url characters'),
});
export type TunnelOpen = z.infer<typeof TunnelOpen>;

/** Events the hub sends to one socket only (never stored, never replayed). */
export const RunnerDirectives = {
  tunnel_open: TunnelOpen,
} as const;
export type RunnerDirectiveName = keyof typeof RunnerDirectives;
export type RunnerDirective = { [K in RunnerDirectiveName]: { type: K; payload: z.infer<(typeof RunnerDirectives)[K]> } }[RunnerDirectiveName];

export function isRunnerDirectiveName(event: string): event is RunnerDirectiveName {
  return Object.hasOwn(RunnerDirectives, event);
}

/**
 * The tunnel endpoint: the runner sends `GET TUNNEL_PATH` with `Connection: Upgrade`,
 * `Upgrade: TUNNEL_UPGRADE`, `Authorization: Bearer <token>` and the stream headers; after
 * `101 Switching Protocols` the socket carries the raw bytes of one connection to the dev server.
 * A runner that could not reach the dev server dials with TUNNEL_ERROR_HEADER set instead
 * (`connection_refused`, `port_not_approved`…) and the hub answers the browser at once.
 */
export const TUNNEL_PATH = '/tunnel';
export const TUNNEL_UPGRADE = 'pilothouse-tunnel';
export const TUNNEL_STREAM_HEADER = 'x-pilothouse-stream';
export const TUNNEL_SECRET_HEADER = 'x-pilothouse-secret';
export const TUNNEL_ERROR_HEADER = 'x-pilothouse-error';

export const TunnelDialError = z.enum(['connection_refused', 'port_not_approved', 'dial_failed']);
export type TunnelDialError = z.infer<typeof TunnelDialError>;

/** On a preview host: exchanges `?code=` (one-time, from the grant API) for the preview cookie, then redirects to `next`. */
export const PREVIEW_GRANT_PATH = '/__pilothouse/grant';
/** HttpOnly, host-only cookie on the preview host; the hub strips it before the request reaches the dev server. */
export const PREVIEW_COOKIE = 'pilothouse_preview';

/** `POST /api/previews/:preview_id/grant` (hub origin, signed-in member): a link valid once, briefly. */
export const PreviewGrantReply = z.object({
  url: z.string(),
  expires_at: z.string(),
});
export type PreviewGrantReply = z.infer<typeof PreviewGrantReply>;

/** What the runner puts in a `port_forward` row's meta (prompt, ready, revoked, closed). */
export const PortForwardMeta = z.object({
  port: Port,
  pid: z.number().int().nullable(),
  command: z.string().nullable(),
  cwd: z.string().nullable(),
  /** prompt → approved → ready (preview open) → closed / revoked; or denied. */
  phase: z.enum(['prompt', 'ready', 'denied', 'revoked', 'closed']),
  request_id: z.string().nullable(),
  preview_id: PreviewId.nullable(),
  /** The preview's origin (no grant in it): the UI asks the grant API for a one-time link. */
  url: z.string().nullable(),
  thread_id: Id.optional(),
  reason: z.string().nullable().optional(),
  /** Who decided the prompt (null: the runner, e.g. `--forward`) and how it reached the runner; absent while undecided. */
  decided_by: z.string().max(100).nullable().optional(),
  decided_via: DecisionVia.optional(),
});
export type PortForwardMeta = z.infer<typeof PortForwardMeta>;
