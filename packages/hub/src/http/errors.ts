// The one place where error codes become HTTP statuses.

import type { ErrorCode } from '@pilothouse/protocol';

export const httpStatus: Record<ErrorCode, number> = {
  malformed_frame: 400,
  frame_too_large: 413,
  unknown_topic: 404,
  unknown_event: 404,
  invalid_payload: 400,
  not_joined: 409,
  unauthorized: 401,
  forbidden: 403,
  not_member: 403,
  channel_not_found: 404,
  thread_not_found: 404,
  message_not_found: 404,
  row_not_found: 404,
  not_runner: 403,
  not_row_owner: 403,
  runner_conflict: 409,
  offset_mismatch: 409,
  client_id_conflict: 409,
  row_closed: 409,
  sender_not_allowed: 403,
  no_runner: 409,
  approval_request_not_found: 404,
  port_forward_request_not_found: 404,
  already_exists: 409,
  not_found: 404,
  bad_request: 400,
  internal: 500,
};
