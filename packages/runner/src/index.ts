// @pilothouse/runner: the machine-side half of Pilothouse: the runner and its agent drivers.
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
export * from './agent/runtime-options.js';
export * from './codex/runtime-options.js';
export { AGENT_NAMES, type AgentBinary, type AgentName } from './agent/driver.js';
export { AGENT_TITLES, agentTitle, locateAgent, type AgentChoice } from './agent/drivers.js';
export { AgentError } from './agent/errors.js';
export { modelUrlOf } from './agent/model-provider.js';
export { claudeProvider, type ClaudeProvider } from './claude/provider.js';
export { geminiProvider, type GeminiProvider } from './gemini/provider.js';
export { codexHome, codexProvider, OPENAI_BASE_URL, type CodexProvider } from './codex/provider.js';
export { startRunner, type RunnerOptions, type RunningRunner } from './shell/runner.js';
export { terminalTui, tuiCommand, type TuiCommand, type TuiLauncher, type TuiProcess } from './shell/tui.js';
export { connectHub } from './hub/client.js';
export type { ConnectHubOptions, HubClient, HubLogger } from './hub/api.js';
export { memoryCursor } from './hub/cursor.js';
export { createTunnelClient, type TunnelClient, type TunnelClientOptions } from './previews/tunnel-client.js';
export { installedAgents } from './machine/inventory.js';
export { startMachine, type MachineOptions, type RunningMachine, type MachineLogger } from './machine/daemon.js';
