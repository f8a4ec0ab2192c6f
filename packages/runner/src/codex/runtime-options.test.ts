import { describe, expect, it } from 'vitest';
import { parseApprovalPolicy, parseEffort, parseSandbox } from '../agent/runtime-options.js';
import { codexRefusal, policyInForce, sandboxPolicy, threadStartParams, turnOverrides } from './runtime-options.js';

describe('runtime options', () => {
  it('maps sandbox modes to Codex policies, refusing unknown ones by name', () => {
    expect(sandboxPolicy('read-only', '/w')).toEqual({ type: 'readOnly', networkAccess: false });
    expect(sandboxPolicy('workspace-write', '/w')).toEqual({
      type: 'workspaceWrite',
      writableRoots: ['/w'],
      networkAccess: false,
      excludeTmpdirEnvVar: false,
      excludeSlashTmp: false,
    });
    expect(sandboxPolicy('danger-full-access', '/w')).toEqual({ type: 'dangerFullAccess' });
    expect(() => parseSandbox('yolo')).toThrow('Unknown sandbox mode "yolo"; use one of: read-only, workspace-write, danger-full-access.');
    expect(() => parseApprovalPolicy('always')).toThrow(/Unknown approval policy "always"/);
    expect(() => parseEffort('max')).toThrow(/Unknown reasoning effort "max"/);
  });

  it('applies options at thread start and on each turn with the turn cwd', () => {
    const opts = { model: 'gpt-5.5', effort: 'high' as const, fast: true, approvalPolicy: 'on-request' as const, sandbox: 'read-only' as const };
    expect(threadStartParams(opts, '/repo')).toEqual({
      cwd: '/repo',
      model: 'gpt-5.5',
      approvalPolicy: 'on-request',
      sandbox: 'read-only',
      serviceTier: 'fast',
      config: { model_reasoning_effort: 'high' },
    });
    expect(threadStartParams({ effort: 'minimal' }, '/repo')).toEqual({ cwd: '/repo', config: { model_reasoning_effort: 'minimal' } });
    expect(turnOverrides(opts, '/repo')).toEqual({
      cwd: '/repo',
      model: 'gpt-5.5',
      effort: 'high',
      approvalPolicy: 'on-request',
      sandboxPolicy: { type: 'readOnly', networkAccess: false },
      serviceTier: 'fast',
    });
    expect(threadStartParams({}, '/repo')).toEqual({ cwd: '/repo' });
    expect(turnOverrides({}, '/repo')).toEqual({ cwd: '/repo' });
  });

  it("refuses Claude Code's own permission modes, naming Codex's policies", () => {
    expect(() => threadStartParams({ approvalPolicy: 'acceptEdits' }, '/repo')).toThrow('--approval-policy acceptEdits is a Claude Code permission mode; Codex takes on-request, never or untrusted.');
    expect(() => turnOverrides({ approvalPolicy: 'bypassPermissions' }, '/repo')).toThrow(/Claude Code permission mode/);
    expect(codexRefusal({ approvalPolicy: 'plan' })).toBe('--approval-policy plan is a Claude Code permission mode; Codex takes on-request, never or untrusted.');
    expect(codexRefusal({ approvalPolicy: 'never', sandbox: 'read-only', fast: true })).toBeNull();
  });

  it('names the policy in force as Codex reports it for the thread', () => {
    expect(policyInForce({ approvalPolicy: 'on-request', sandbox: sandboxPolicy('workspace-write', '/w') })).toEqual({ approval_policy: 'on-request', sandbox: 'workspace-write' });
    expect(policyInForce({ approvalPolicy: 'never', sandbox: { type: 'readOnly', networkAccess: false } })).toEqual({ approval_policy: 'never', sandbox: 'read-only' });
    const granular = { granular: { sandbox_approval: true, rules: true, skill_approval: false, request_permissions: true, mcp_elicitations: false } };
    expect(policyInForce({ approvalPolicy: granular, sandbox: { type: 'dangerFullAccess' } })).toEqual({ approval_policy: 'granular', sandbox: 'danger-full-access' });
    expect(policyInForce({ approvalPolicy: 'untrusted', sandbox: { type: 'externalSandbox', networkAccess: 'restricted' } })).toEqual({ approval_policy: 'untrusted', sandbox: 'external-sandbox' });
  });
});
