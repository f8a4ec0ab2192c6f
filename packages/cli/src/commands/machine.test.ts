import { describe, expect, it } from 'vitest';
import { machineLimits, serviceFile } from './machine.js';

const command = ['/usr/bin/node', '/opt/pilothouse/bin/pilothouse.js'];

describe('pilothouse machine install', () => {
  it('writes a systemd user unit that runs the daemon and leaves its runners to the next one', () => {
    const unit = serviceFile('linux', { command, home: '/home/me/.pilothouse', userHome: '/home/me', env: {} });
    expect(unit.path).toBe('/home/me/.config/systemd/user/pilothouse-machine.service');
    expect(unit.text).toContain('ExecStart=/usr/bin/node /opt/pilothouse/bin/pilothouse.js machine\n');
    expect(unit.text).toContain('Environment=PILOTHOUSE_HOME=/home/me/.pilothouse\n');
    expect(unit.text).toContain('KillMode=process\n');
    expect(unit.text).toContain('WantedBy=default.target');
    expect(unit.start).toContain('systemctl --user enable --now pilothouse-machine');
    // XDG_CONFIG_HOME is honoured; a path with spaces is quoted.
    const spaced = serviceFile('linux', { command: ['/usr/bin/node', '/my apps/pilothouse.js'], home: '/h', userHome: '/home/me', env: { XDG_CONFIG_HOME: '/cfg' } });
    expect(spaced.path).toBe('/cfg/systemd/user/pilothouse-machine.service');
    expect(spaced.text).toContain('ExecStart=/usr/bin/node "/my apps/pilothouse.js" machine');
  });

  it('writes a launchd agent for macOS', () => {
    const plist = serviceFile('macos', { command, home: '/Users/me/.pilothouse', userHome: '/Users/me', env: {} });
    expect(plist.path).toBe('/Users/me/Library/LaunchAgents/dev.pilothouse.machine.plist');
    expect(plist.text).toContain('<string>dev.pilothouse.machine</string>');
    expect(plist.text).toContain('<string>/opt/pilothouse/bin/pilothouse.js</string>\n    <string>machine</string>');
    expect(plist.text).toContain('<key>AbandonProcessGroup</key>');
    expect(plist.start).toContain('launchctl bootstrap gui/$(id -u) /Users/me/Library/LaunchAgents/dev.pilothouse.machine.plist');
  });

  it('takes the owner limits from [machine], with safe defaults', () => {
    expect(machineLimits({})).toEqual({ may_start: [], max_sessions: 4, sandboxes: ['workspace-write', 'read-only'], approval_policies: ['on-request', 'untrusted'], port_base: 41000 });
    expect(machineLimits({ mayStart: ['bob'], maxSessions: 2 })).toMatchObject({ may_start: ['bob'], max_sessions: 2 });
  });
});
