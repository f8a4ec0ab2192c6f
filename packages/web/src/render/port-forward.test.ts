import { describe, expect, it } from 'vitest';
import type { Message } from '@pilothouse/protocol';
import { phaseText, portForwardControl, portForwardView } from './port-forward.js';

const meta = (over: Record<string, unknown> = {}) => ({
  port: 5173,
  pid: 4242,
  command: 'node vite',
  cwd: '/repo',
  phase: 'ready',
  request_id: 'pf-ab12-1',
  preview_id: 'abcdef0123456789abcd',
  url: 'http://abcdef0123456789abcd.preview.localhost:4860',
  thread_id: 'root',
  reason: null,
  approval: null,
  ...over,
});
const row = (m: Record<string, unknown> | null, status: Message['status'] = 'completed') => ({ meta: m, status });

describe('portForwardView', () => {
  it('reads a served preview', () => {
    expect(portForwardView(row(meta()))).toEqual({
      phase: 'ready',
      port: 5173,
      process: 'node vite (pid 4242)',
      cwd: '/repo',
      requestId: 'pf-ab12-1',
      previewId: 'abcdef0123456789abcd',
      url: 'http://abcdef0123456789abcd.preview.localhost:4860',
      reason: null,
      approval: null,
    });
  });

  it('tells opening from a preview the hub refused, and names a manual forward without a process', () => {
    expect(portForwardView(row(meta({ url: null }), 'streaming'))?.phase).toBe('opening');
    const refused = portForwardView(row(meta({ url: null, reason: 'preview_unavailable: not yet' }), 'failed'))!;
    expect([refused.phase, phaseText(refused)]).toEqual(['unavailable', 'The hub could not open the preview: preview_unavailable: not yet']);
    expect(portForwardView(row(meta({ pid: null, command: null, request_id: null })))?.process).toBeNull();
  });

  it('keeps the approval of a prompt only, and ignores a meta that is not a port forward', () => {
    const approval = {
      request_id: 'pf-ab12-1',
      kind: 'port_forward',
      summary: 'Open runner port 5173 from node vite?',
      choices: [
        { id: 'approve', label: 'Open preview' },
        { id: 'deny', label: 'Deny' },
      ],
      allowed: [{ name: 'alice' }],
    };
    expect(portForwardView(row(meta({ phase: 'prompt', preview_id: null, url: null, approval }), null))?.approval).toEqual(approval);
    expect(portForwardView(row(meta({ phase: 'denied', approval }), 'declined'))?.approval).toBeNull();
    expect(portForwardView(row({ command: 'ls' }))).toBeNull();
    expect(portForwardView(row(null))).toBeNull();
  });

  it('words each phase', () => {
    expect(phaseText(portForwardView(row(meta({ phase: 'closed', url: null, reason: 'the process exited' })))!)).toBe('Closed: the process exited');
    expect(phaseText(portForwardView(row(meta({ phase: 'revoked', url: null, reason: 'another process now listens on the port' })))!)).toBe(
      'Revoked: another process now listens on the port',
    );
  });
});

describe('portForwardControl', () => {
  it('turns a choice into the resolve_port_forward control', () => {
    expect(portForwardControl('pf-1', 'approve')).toEqual({ type: 'resolve_port_forward', request_id: 'pf-1', decision: 'approve' });
    expect(portForwardControl('pf-1', 'deny')).toEqual({ type: 'resolve_port_forward', request_id: 'pf-1', decision: 'deny' });
    expect(portForwardControl('pf-1', 'approve_rule')).toBeNull();
  });
});
