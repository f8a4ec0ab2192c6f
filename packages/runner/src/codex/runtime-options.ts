// The runner's runtime options (agent/runtime-options.ts) mapped to Codex's thread/start and
// turn/start parameters: the one place this mapping lives.

import { PilothouseError } from '@pilothouse/protocol';
import { neutralPolicy, type ApprovalPolicy, type NeutralApprovalPolicy, type RuntimeOptions, type SandboxMode } from '../agent/runtime-options.js';
import type { v2 } from './generated/index.js';

/** Sandbox modes as Codex policies: no network in either sandbox; workspace-write may write only cwd. */
export function sandboxPolicy(mode: SandboxMode, cwd: string): v2.SandboxPolicy {
  switch (mode) {
    case 'read-only':
      return { type: 'readOnly', networkAccess: false };
    case 'workspace-write':
      return { type: 'workspaceWrite', writableRoots: [cwd], networkAccess: false, excludeTmpdirEnvVar: false, excludeSlashTmp: false };
    case 'danger-full-access':
      return { type: 'dangerFullAccess' };
    default: {
      const never: never = mode;
      throw new PilothouseError('bad_request', `Unknown sandbox mode ${String(never)}.`);
    }
  }
}

/** Why Codex cannot run with these options, or null: Claude Code's own permission modes are not Codex's. */
export function codexRefusal(opts: RuntimeOptions): string | null {
  if (opts.approvalPolicy === undefined || neutralPolicy(opts.approvalPolicy) !== null) return null;
  return `--approval-policy ${opts.approvalPolicy} is a Claude Code permission mode; Codex takes on-request, never or untrusted.`;
}

/** Codex takes the neutral policies (codexRefusal turned the others away before the runner connected). */
export function codexApprovalPolicy(policy: ApprovalPolicy | undefined): NeutralApprovalPolicy | undefined {
  if (policy === undefined) return undefined;
  const neutral = neutralPolicy(policy);
  if (neutral === null) throw new PilothouseError('bad_request', codexRefusal({ approvalPolicy: policy }) ?? `Unknown approval policy ${policy}.`);
  return neutral;
}

const defined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/**
 * A new thread's settings. thread/start has no effort field: the effort goes in as the config
 * override `model_reasoning_effort` (Codex's config.toml key), so the thread's first request
 * already carries it, and Codex reports it back as the thread's `reasoningEffort`.
 */
export function threadStartParams(opts: RuntimeOptions, cwd: string): v2.ThreadStartParams {
  return defined({
    cwd,
    model: opts.model,
    approvalPolicy: codexApprovalPolicy(opts.approvalPolicy),
    sandbox: opts.sandbox,
    serviceTier: opts.fast ? 'fast' : undefined,
    config: opts.effort ? { model_reasoning_effort: opts.effort } : undefined,
  });
}

/** Per-turn overrides, so a change of options applies from the next turn on. */
export function turnOverrides(opts: RuntimeOptions, cwd: string): Omit<v2.TurnStartParams, 'threadId' | 'input'> {
  return defined({
    cwd,
    model: opts.model,
    effort: opts.effort,
    approvalPolicy: codexApprovalPolicy(opts.approvalPolicy),
    sandboxPolicy: opts.sandbox ? sandboxPolicy(opts.sandbox, cwd) : undefined,
    serviceTier: opts.fast ? 'fast' : undefined,
  });
}

/** How the approval policy and sandbox Codex reports for a thread are shown to people. */
export type PolicyInForce = {
  approval_policy: string;
  sandbox: string;
};

/**
 * The approval policy and sandbox in force for a thread, as thread/start or thread/resume
 * answered: the flags when given, otherwise the user's own Codex configuration.
 */
export function policyInForce(thread: { approvalPolicy: v2.AskForApproval; sandbox: v2.SandboxPolicy }): PolicyInForce {
  const approval = typeof thread.approvalPolicy === 'string' ? thread.approvalPolicy : 'granular';
  return { approval_policy: approval, sandbox: sandboxModeOf(thread.sandbox) };
}

function sandboxModeOf(policy: v2.SandboxPolicy): string {
  switch (policy.type) {
    case 'readOnly':
      return 'read-only';
    case 'workspaceWrite':
      return 'workspace-write';
    case 'dangerFullAccess':
      return 'danger-full-access';
    case 'externalSandbox':
      return 'external-sandbox';
    default: {
      const never: never = policy;
      throw new PilothouseError('bad_request', `Unknown sandbox policy ${JSON.stringify(never)}.`);
    }
  }
}
