// The runner's runtime options (agent/runtime-options.ts) as Claude Code flags: the one place
// this mapping lives. What Claude has no flag for is refused before anything starts, naming
// Claude Code, never silently dropped.

import type { ApprovalPolicy, Effort, RuntimeOptions } from '../agent/runtime-options.js';
import { ClaudeError } from './errors.js';

/** `--effort` choices of Claude Code 2.1.332 (`claude --help`) that Pilothouse's efforts name. */
const EFFORTS: Readonly<Record<Effort, string | null>> = { none: null, minimal: null, low: 'low', medium: 'medium', high: 'high', xhigh: 'xhigh' };

/**
 * Approval policies as Claude permission modes. on-request and untrusted: Claude's `default`
 * (it asks before anything its rules do not allow). never: `dontAsk` (nothing asks a person;
 * what would have asked is refused and Claude goes on), the closest to Codex's "never ask" without
 * a sandbox; `bypassPermissions` is only ever chosen by name. Claude's own modes pass as they are.
 * Without a policy Claude's own settings (`permissions.defaultMode`) decide.
 */
export function permissionMode(policy: ApprovalPolicy): string {
  switch (policy) {
    case 'on-request':
    case 'untrusted':
      return 'default';
    case 'never':
      return 'dontAsk';
    case 'default':
    case 'acceptEdits':
    case 'plan':
    case 'bypassPermissions':
    case 'dontAsk':
      return policy;
    default: {
      const never: never = policy;
      throw new ClaudeError('claude_option_unsupported', `Unknown approval policy ${String(never)}.`);
    }
  }
}

/** Why Claude Code cannot run with these options, or null (agent/drivers.ts refusedRuntime: checked before the runner connects). */
export function claudeRefusal(opts: RuntimeOptions): string | null {
  if (opts.sandbox !== undefined) return `--sandbox ${opts.sandbox} is a Codex sandbox; Claude Code has none. Run without --sandbox, or with --agent codex.`;
  if (opts.fast === true) return 'Claude Code has no --fast mode for Pilothouse to turn on. Run without --fast.';
  if (opts.effort !== undefined && EFFORTS[opts.effort] === null) {
    const offered = Object.keys(EFFORTS).filter((e) => EFFORTS[e as Effort] !== null);
    return `Claude Code has no reasoning effort "${opts.effort}"; use one of: ${offered.join(', ')}.`;
  }
  return null;
}

/** Refuses what Claude Code cannot honour, as a ClaudeError. */
export function checkClaudeRuntime(opts: RuntimeOptions): void {
  const refusal = claudeRefusal(opts);
  if (refusal !== null) throw new ClaudeError('claude_option_unsupported', refusal);
}

/** The flags for the options (checked first by checkClaudeRuntime). */
export function claudeArgs(opts: RuntimeOptions): string[] {
  checkClaudeRuntime(opts);
  const effort = opts.effort === undefined ? null : EFFORTS[opts.effort];
  return [
    ...(opts.model !== undefined ? ['--model', opts.model] : []),
    ...(effort !== null ? ['--effort', effort] : []),
    ...(opts.approvalPolicy !== undefined ? ['--permission-mode', permissionMode(opts.approvalPolicy)] : []),
  ];
}

/** What people are shown with approvals. */
export function policyInForce(opts: RuntimeOptions): Record<string, string | null> {
  return { approval_policy: opts.approvalPolicy ?? null, permission_mode: opts.approvalPolicy !== undefined ? permissionMode(opts.approvalPolicy) : null };
}
