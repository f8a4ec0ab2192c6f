import { describe, expect, it } from 'vitest';
import { geminiLaunch } from './launch.js';
import { geminiSettings } from './runtime-options.js';

const MODES = { currentModeId: 'default', availableModes: ['default', 'autoEdit', 'yolo', 'plan'].map((id) => ({ id, name: id })) };

describe('Gemini CLI runtime options', () => {
  it('the model is -m; the approval policy a session mode (on-request: default, never: yolo)', () => {
    const launch = geminiLaunch({ name: 'gemini', version: '0.61.0', path: '/usr/bin/gemini' }, { model: 'gemini-2.5-flash' }, { PATH: '/usr/bin' });
    expect(launch).toEqual({ bin: '/usr/bin/gemini', args: ['--acp', '-m', 'gemini-2.5-flash'], env: { PATH: '/usr/bin', GEMINI_CLI_NO_RELAUNCH: 'true' }, title: 'Gemini CLI', signIn: 'set GEMINI_API_KEY (or GOOGLE_API_KEY), or sign in once with `gemini`' });
    expect(geminiLaunch({ name: 'gemini', version: '0.61.0', path: '/x/bundle/gemini.js' }, {}, {}).args).toEqual(['/x/bundle/gemini.js', '--acp']);
    expect(geminiSettings({ approvalPolicy: 'never' }).mode(MODES)).toBe('yolo');
    expect(geminiSettings({ approvalPolicy: 'on-request' }).mode(MODES)).toBe('default');
    expect(geminiSettings({}).mode(MODES)).toBeNull();
    expect(geminiSettings({}).refusal).toBeNull();
  });

  it('refuses, naming Gemini CLI, what it cannot take: sandbox, effort, fast, untrusted', () => {
    expect(geminiSettings({ sandbox: 'read-only', effort: 'high', fast: true }).refusal).toBe(
      'Gemini CLI cannot take --sandbox read-only, --effort high, --fast from Pilothouse (it takes --model, and --approval-policy on-request or never); run without them, or configure Gemini CLI itself (~/.gemini/settings.json).',
    );
    expect(geminiSettings({ approvalPolicy: 'untrusted' }).refusal).toMatch(/^Gemini CLI cannot take --approval-policy untrusted/);
  });

  it('an approval policy whose mode the session does not offer is refused', () => {
    expect(() => geminiSettings({ approvalPolicy: 'never' }).mode({ currentModeId: 'default', availableModes: [{ id: 'default', name: 'Default' }] })).toThrow(/Gemini CLI offers no "yolo" mode.*its modes: default/);
  });
});
