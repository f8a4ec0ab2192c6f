// The slice of the Codex app-server protocol this adapter speaks, as one table of
// method -> result type. Params, notifications and server requests come straight from the
// generated unions (`npm run codex:generate`); results are not in a generated union, so they
// are listed here, checked against the generated method names at compile time.
import type {
  ApplyPatchApprovalResponse,
  ClientRequest,
  ExecCommandApprovalResponse,
  InitializeResponse,
  ServerNotification,
  ServerRequest,
} from './generated/index.js';
import type {
  AttestationGenerateResponse,
  ChatgptAuthTokensRefreshResponse,
  CommandExecutionRequestApprovalResponse,
  CurrentTimeReadResponse,
  DynamicToolCallResponse,
  FileChangeRequestApprovalResponse,
  McpServerElicitationRequestResponse,
  PermissionsRequestApprovalResponse,
  ThreadReadResponse,
  ThreadResumeResponse,
  ThreadSetNameResponse,
  ThreadStartResponse,
  ToolRequestUserInputResponse,
  TurnInterruptResponse,
  TurnStartResponse,
  TurnSteerResponse,
} from './generated/v2/index.js';

export type { ClientRequest, ServerNotification, ServerRequest };

/** Client -> server requests we send, with the result each one answers. */
export interface ClientResults {
  initialize: InitializeResponse;
  'thread/start': ThreadStartResponse;
  'thread/resume': ThreadResumeResponse;
  'thread/read': ThreadReadResponse;
  'thread/name/set': ThreadSetNameResponse;
  'turn/start': TurnStartResponse;
  'turn/steer': TurnSteerResponse;
  'turn/interrupt': TurnInterruptResponse;
}
export type ClientMethod = keyof ClientResults;
export type ClientParams<M extends ClientMethod> = Extract<ClientRequest, { method: M }>['params'];

/** Server -> client requests, with the result the client must answer. Covers every method. */
export interface ServerResults {
  'item/commandExecution/requestApproval': CommandExecutionRequestApprovalResponse;
  'item/fileChange/requestApproval': FileChangeRequestApprovalResponse;
  'item/tool/requestUserInput': ToolRequestUserInputResponse;
  'mcpServer/elicitation/request': McpServerElicitationRequestResponse;
  'item/permissions/requestApproval': PermissionsRequestApprovalResponse;
  'item/tool/call': DynamicToolCallResponse;
  'account/chatgptAuthTokens/refresh': ChatgptAuthTokensRefreshResponse;
  'attestation/generate': AttestationGenerateResponse;
  'currentTime/read': CurrentTimeReadResponse;
  applyPatchApproval: ApplyPatchApprovalResponse;
  execCommandApproval: ExecCommandApprovalResponse;
}
export type ServerRequestMethod = ServerRequest['method'];

// Compile-time drift guards: a regenerated protocol that renames or adds methods breaks here.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
type _ServerResultsCoverServerRequests = Assert<Same<keyof ServerResults, ServerRequestMethod>>;
type _ClientMethodsExist = Assert<ClientMethod extends ClientRequest['method'] ? true : false>;

/**
 * An answer to a server request, built with `answer()` so the result type is checked
 * against the request's method.
 */
export type ServerRequestAnswer =
  | { readonly kind: 'result'; readonly result: unknown }
  | { readonly kind: 'error'; readonly code: number; readonly message: string };

/** Answers `request` with a result typed by its method (narrow `request.method` first). */
export function answer<R extends ServerRequest>(_request: R, result: ServerResults[R['method']]): ServerRequestAnswer {
  return { kind: 'result', result };
}

/** Refuses `request` with a JSON-RPC error (default -32603, internal error). */
export function refuse(_request: ServerRequest, message: string, code = -32603): ServerRequestAnswer {
  return { kind: 'error', code, message };
}

export type ServerRequestHandler = (request: ServerRequest) => Promise<ServerRequestAnswer> | ServerRequestAnswer;

/** Notification method -> its params, e.g. `NotificationParams<'turn/completed'>`. */
export type NotificationParams<M extends ServerNotification['method']> = Extract<ServerNotification, { method: M }>['params'];
