import { describe, expect, it } from 'vitest';
import { checkClaudeRuntime, claudeArgs, claudeRefusal, policyInForce } from './runtime-options.js';

describe('Claude runtime options', () => {
  it('passes model, effort and the approval policy as Claude flags', () => {
    expect(claudeArgs({})).toEqual([]);
    expect(claudeArgs({ model: 'sonnet', effort: 'high', approvalPolicy: 'on-request' })).toEqual(['--model', 'sonnet', '--effort', 'high', '--permission-mode', 'default']);
    expect(claudeArgs({ approvalPolicy: 'untrusted' })).toEqual(['--permission-mode', 'default']);
    expect(claudeArgs({ approvalPolicy: 'never' })).toEqual(['--permission-mode', 'dontAsk']);
    expect(policyInForce({ approvalPolicy: 'never' })).toEqual({ approval_policy: 'never', permission_mode: 'dontAsk' });
    expect(policyInForce({})).toEqual({ approval_policy: null, permission_mode: null });
    // Claude's own modes pass as they are.
    expect(claudeArgs({ approvalPolicy: 'acceptEdits' })).toEqual(['--permission-mode', 'acceptEdits']);
    expect(claudeArgs({ approvalPolicy: 'plan' })).toEqual(['--permission-mode', 'plan']);
  });

  it('refuses what Claude Code has no flag for, naming it', () => {
    expect(() => checkClaudeRuntime({ sandbox: 'workspace-write' })).toThrow(expect.objectContaining({ code: 'claude_option_unsupported', message: expect.stringContaining('Claude Code has none') }));
    expect(() => checkClaudeRuntime({ fast: true })).toThrow(expect.objectContaining({ code: 'claude_option_unsupported', message: expect.stringContaining('Claude Code has no --fast') }));
    expect(() => checkClaudeRuntime({ effort: 'minimal' })).toThrow(expect.objectContaining({ code: 'claude_option_unsupported', message: 'Claude Code has no reasoning effort "minimal"; use one of: low, medium, high, xhigh.' }));
    expect(() => checkClaudeRuntime({ fast: false, model: 'opus', effort: 'xhigh' })).not.toThrow();
    expect(claudeRefusal({ approvalPolicy: 'acceptEdits', model: 'opus' })).toBeNull();
    expect(claudeRefusal({ fast: true })).toBe('Claude Code has no --fast mode for Pilothouse to turn on. Run without --fast.');
  });
});
