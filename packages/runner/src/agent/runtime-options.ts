// The runner's runtime options (--model, --effort, --fast, --approval-policy, --sandbox), as the
// CLI and config file give them, whichever the agent. Each driver maps them onto its agent's own
// settings and refuses, naming the agent, what its agent cannot honour.

import { PilothouseError } from '@pilothouse/protocol/lite';
import { AGENT_NAMES, type AgentName } from './driver.js';

export const SANDBOX_MODES = ['read-only', 'workspace-write', 'danger-full-access'] as const;
export type SandboxMode = (typeof SANDBOX_MODES)[number];
/** The agent-neutral policies (Codex's own names): every driver maps them. */
export const NEUTRAL_APPROVAL_POLICIES = ['on-request', 'never', 'untrusted'] as const;
/** Claude Code's own permission modes (`--permission-mode`), for `--agent claude` only: other drivers refuse them. */
export const CLAUDE_PERMISSION_MODES = ['default', 'acceptEdits', 'plan', 'bypassPermissions', 'dontAsk'] as const;
export const APPROVAL_POLICIES = [...NEUTRAL_APPROVAL_POLICIES, ...CLAUDE_PERMISSION_MODES] as const;
export type ApprovalPolicy = (typeof APPROVAL_POLICIES)[number];
export type NeutralApprovalPolicy = (typeof NEUTRAL_APPROVAL_POLICIES)[number];

/** A policy every agent knows, or null for one of Claude Code's own modes. */
export const neutralPolicy = (policy: ApprovalPolicy): NeutralApprovalPolicy | null => ((NEUTRAL_APPROVAL_POLICIES as readonly string[]).includes(policy) ? (policy as NeutralApprovalPolicy) : null);
export const EFFORTS = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh'] as const;
export type Effort = (typeof EFFORTS)[number];

export interface RuntimeOptions {
  model?: string | undefined;
  effort?: Effort | undefined;
  fast?: boolean | undefined;
  approvalPolicy?: ApprovalPolicy | undefined;
  sandbox?: SandboxMode | undefined;
}

function oneOf<T extends string>(what: string, allowed: readonly T[], value: string): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new PilothouseError('bad_request', `Unknown ${what} "${value}"; use one of: ${allowed.join(', ')}.`);
}

export const parseAgentName = (value: string): AgentName => oneOf('agent', AGENT_NAMES, value);
export const parseSandbox = (value: string): SandboxMode => oneOf('sandbox mode', SANDBOX_MODES, value);
export const parseApprovalPolicy = (value: string): ApprovalPolicy => oneOf('approval policy', APPROVAL_POLICIES, value);
export const parseEffort = (value: string): Effort => oneOf('reasoning effort', EFFORTS, value);
