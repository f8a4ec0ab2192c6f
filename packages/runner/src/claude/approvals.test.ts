import { describe, expect, it } from 'vitest';
import { DENY_MESSAGE, draftApproval, outcomeOf } from './approvals.js';
import { parseLine, type ClaudeLine, type CanUseTool } from './wire.js';

// As Claude Code 2.1.332 asked for `touch made.txt && echo made` in /ws.
const BASH_PROMPT = JSON.stringify({
  type: 'control_request',
  request_id: 'fd7e9ac9-6190-4004-80f3-ea3471756e0c',
  request: {
    subtype: 'can_use_tool',
    tool_name: 'Bash',
    display_name: 'Bash',
    input: { command: 'touch made.txt && echo made', description: 'Make a file' },
    description: 'Make a file',
    permission_suggestions: [
      { type: 'addRules', rules: [{ toolName: 'Bash', ruleContent: 'touch made.txt && echo made' }], behavior: 'allow', destination: 'localSettings' },
      { type: 'addDirectories', directories: ['/ws'], destination: 'session' },
      { type: 'setMode', mode: 'acceptEdits', destination: 'session' },
    ],
    blocked_path: '/ws/made.txt',
    tool_use_id: 'toolu_2',
  },
});

const prompt = (raw: string): CanUseTool => {
  const line = parseLine(raw) as Extract<ClaudeLine, { type: 'control_request' }>;
  return line.request as CanUseTool;
};

describe('draftApproval', () => {
  it('offers allow once, one "Always allow" per suggestion, and deny; each answers Claude as the SDK would', () => {
    const { request, answers } = draftApproval('req-1', 't1', 't1:toolu_2', prompt(BASH_PROMPT));
    const input = { command: 'touch made.txt && echo made', description: 'Make a file' };
    expect(request).toEqual({
      requestId: 'req-1',
      turnId: 't1',
      itemKey: 't1:toolu_2',
      kind: 'command',
      summary: 'touch made.txt && echo made',
      reason: 'Make a file',
      choices: [
        { id: 'approve', label: 'Allow once', description: 'Allow it this once.' },
        { id: 'always_0', label: 'Always allow Bash(touch made.txt && echo made)', description: "Allow it, and remember the rule in this project's .claude/settings.local.json." },
        { id: 'always_1', label: 'Always allow access to /ws', description: 'Allow it, and let Claude work in this folder for the rest of this Claude session.' },
        { id: 'always_2', label: 'Always allow edits', description: 'Allow it, and accept file edits without asking for the rest of this Claude session.' },
        { id: 'deny', label: 'Deny', description: 'Do not allow it; Claude is told it was denied.' },
      ],
      outcomes: { approve: 'approved', deny: 'denied', always_0: 'always_allowed', always_1: 'always_allowed', always_2: 'always_allowed' },
      detail: expect.objectContaining({ tool: 'Bash', input, blocked_path: '/ws/made.txt' }),
      onReject: 'deny',
      onExpire: 'deny',
    });
    expect(answers.approve).toEqual({ behavior: 'allow', updatedInput: input });
    expect(answers.always_1).toEqual({ behavior: 'allow', updatedInput: input, updatedPermissions: [{ type: 'addDirectories', directories: ['/ws'], destination: 'session' }] });
    expect(answers.deny).toEqual({ behavior: 'deny', message: DENY_MESSAGE });
  });

  it('shows a file write as its path and diff', () => {
    const raw = JSON.stringify({
      type: 'control_request',
      request_id: 'r2',
      request: { subtype: 'can_use_tool', tool_name: 'Write', input: { file_path: '/ws/a.txt', content: 'one\ntwo\n' }, description: 'a.txt', permission_suggestions: [{ type: 'setMode', mode: 'acceptEdits', destination: 'session' }], tool_use_id: 'toolu_4' },
    });
    const { request } = draftApproval('r2', 't1', 't1:toolu_4', prompt(raw));
    expect(request).toMatchObject({ kind: 'file_change', summary: '/ws/a.txt\n\n--- /dev/null\n+++ /ws/a.txt\n@@ -0,0 +1,2 @@\n+one\n+two\n', reason: null });
  });
});

describe('outcomeOf', () => {
  it('records what each choice meant', () => {
    expect([outcomeOf('approve'), outcomeOf('always_3'), outcomeOf('deny')]).toEqual(['approved', 'always_allowed', 'denied']);
  });
});
