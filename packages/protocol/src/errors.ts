// The error codes every transport speaks: one constant table, one error class, one normaliser.
// Hub replies carry `{code, message}`; HTTP maps a code to a status in one place (hub/http).

export const ErrorCodes = {
  malformed_frame: 'The frame is not valid JSON or not a Phoenix V2 array [join_ref, ref, topic, event, payload].',
  frame_too_large: 'The frame is larger than the configured limit.',
  unknown_topic: 'No such topic.',
  unknown_event: 'The event is not known on this topic.',
  invalid_payload: 'The payload does not match the schema of the event.',
  not_joined: 'Push before phx_join on this topic.',
  unauthorized: 'Missing, unknown or expired credentials.',
  forbidden: 'The actor may not do this.',
  not_member: 'The user is not a member of this channel.',
  channel_not_found: 'No such channel.',
  thread_not_found: 'No such thread in this channel.',
  message_not_found: 'No such message in this channel.',
  row_not_found: 'No streaming row with that item key in this channel.',
  not_runner: 'Only a socket registered as a runner may do this.',
  not_row_owner: 'The row belongs to another runner.',
  runner_conflict: 'The runner id is registered to another user.',
  not_session_runner: 'The session thread belongs to another runner: only the runner that opened it may write to it, report it or serve it.',
  runner_token_required: 'Registering a runner needs a runner-scoped API token; a browser session or a member token cannot.',
  offset_mismatch: 'The append offset does not match the row length.',
  client_id_conflict: 'The client id was already used for a different write.',
  row_closed: 'The row is no longer streaming.',
  sender_not_allowed: 'The actor is not allowed to steer this session.',
  presence_full: 'The hub tracks as many watchers in this channel as it will; watching is refused until some leave.',
  no_runner: 'No runner is attached to this thread.',
  approval_request_not_found: 'No pending approval with that id.',
  port_forward_request_not_found: 'No pending port-forward request with that id.',
  preview_not_found: 'No such preview on this hub.',
  preview_closed: 'The preview was closed (revoked, its process exited, or its runner went away).',
  preview_unavailable: 'The runner serving this preview is not connected or did not open a stream in time.',
  upstream_refused: 'The dev server behind the preview refused the connection.',
  grant_invalid: 'The preview link or cookie is missing, forged, expired or already used.',
  cross_site_refused: 'A request to a preview from another preview or another site is refused.',
  already_exists: 'The name is taken.',
  not_found: 'Not found.',
  bad_request: 'The request is not valid.',
  rate_limited: 'Too many requests; retry after details.retry_after_ms (HTTP: the Retry-After header).',
  too_many_sockets: 'The user has too many sockets open on this hub.',
  host_not_allowed: 'The Host header names no origin this hub serves (see --allowed-host).',
  decision_code_invalid: 'The decision code is unknown or malformed.',
  decision_code_used: 'The decision code was already used (each works once).',
  decision_code_expired: 'The decision code expired; decide in the thread instead.',
  prompt_settled: 'The prompt was already decided, withdrawn or expired.',
  webhook_url_refused: 'The webhook URL is not allowed (scheme, credentials, the hub itself, or a private address without allow_private).',
  push_not_configured: 'This hub sends no push notifications.',
  delivery_not_found: 'No delivery with that id.',
  delivery_not_failed: 'Only a failed delivery can be retried; this one is pending, being sent, sent or skipped.',
  not_machine: 'Only a socket that reported itself with machine_state may do this.',
  machine_not_found: 'No such machine in this channel.',
  machine_offline: 'The machine daemon is not connected to the hub.',
  machine_timeout: 'The machine daemon did not answer in time.',
  machine_session_not_found: 'No such session on that machine.',
  start_not_allowed: "The actor may not start sessions on this machine (its owner's may_start list).",
  folder_not_trusted: "The folder is not one of the machine's trusted folders, or no longer exists.",
  path_escape: 'The path leaves the trusted folders (.., a symlink).',
  agent_not_installed: 'That agent is not installed on the machine.',
  option_not_allowed: "The option is beyond the machine owner's limits.",
  too_many_sessions: 'The machine runs as many sessions as its owner allows.',
  folder_busy: 'A session already runs in that folder without a worktree.',
  not_a_git_repo: 'The folder is not a git work tree: a worktree session needs one.',
  branch_exists: 'The branch already exists.',
  base_dirty: 'The base folder has uncommitted changes.',
  merge_conflict: 'The merge would conflict; nothing was changed.',
  confirmation_required: 'This step needs an explicit confirmation.',
  session_not_ended: 'The session still runs or is in a state that does not allow this.',
  store_unavailable: 'The store does not answer (GET /readyz).',
  internal: 'Internal error.',
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  details?: unknown;
}

export class PilothouseError extends Error {
  override readonly name = 'PilothouseError';
  constructor(
    readonly code: ErrorCode,
    message: string = ErrorCodes[code],
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  toBody(): ErrorBody {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ErrorCodes, value);
}

/** Turns anything thrown into a PilothouseError; unknown errors become `internal` (their text is not leaked). */
export function toPilothouseError(err: unknown): PilothouseError {
  if (err instanceof PilothouseError) return err;
  return new PilothouseError('internal', ErrorCodes.internal, undefined, { cause: err });
}
