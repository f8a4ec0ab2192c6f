// @pilothouse/runner/options: what a command line needs from the runner before it runs anything
// (agent names, runtime option parsers, where the runner keeps its files), without loading a driver.
export { AGENT_NAMES, type AgentName } from './agent/driver.js';
export { SANDBOX_MODES, APPROVAL_POLICIES, EFFORTS, parseAgentName, parseSandbox, parseApprovalPolicy, parseEffort, type SandboxMode, type ApprovalPolicy, type Effort } from './agent/runtime-options.js';
export { pilothouseHome } from './local/home.js';
