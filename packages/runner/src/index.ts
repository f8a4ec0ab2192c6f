// @pilothouse/runner: the machine-side half of Pilothouse. For now, the Codex adapter.
export { startCodex, type CodexAppServer, type CodexEvent, type CodexExit, type StartCodexOptions } from './codex/app-server.js';
export { locateCodex, PINNED_CODEX_VERSION, type CodexBinary, type LocateOptions } from './codex/locate.js';
export { CodexError, CodexErrorCodes, type CodexErrorCode } from './codex/errors.js';
export {
  answer,
  refuse,
  type ClientMethod,
  type ClientParams,
  type ClientResults,
  type NotificationParams,
  type ServerNotification,
  type ServerRequest,
  type ServerRequestAnswer,
  type ServerRequestHandler,
  type ServerResults,
} from './codex/methods.js';
export type * as codex from './codex/generated/index.js';
export { TrustStore } from './local/trust.js';
export { pilothouseHome } from './local/home.js';
export * from './codex/runtime-options.js';
export { startRunner, type RunnerOptions, type RunningRunner } from './shell/runner.js';
export { terminalTui, tuiCommand, type TuiCommand, type TuiLauncher, type TuiProcess } from './shell/tui.js';
export { connectHub } from './hub/client.js';
export type { ConnectHubOptions, HubClient, HubLogger } from './hub/api.js';
export { memoryCursor } from './hub/cursor.js';
export { createTunnelClient, type TunnelClient, type TunnelClientOptions } from './previews/tunnel-client.js';
