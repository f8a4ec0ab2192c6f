import { describe, expect, it } from 'vitest';
import { parseApprovalPolicy, parseEffort, parseSandbox, sandboxPolicy, threadStartParams, turnOverrides } from './runtime-options.js';

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
    expect(threadStartParams(opts, '/repo')).toEqual({ cwd: '/repo', model: 'gpt-5.5', approvalPolicy: 'on-request', sandbox: 'read-only', serviceTier: 'fast' });
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
});
