import { describe, expect, it } from 'vitest';
import { acpSettings, locateAcp } from './locate.js';

/** An ACP agent that only answers initialize, naming itself. */
const AGENT = `process.stdin.on('data', (d) => { const m = JSON.parse(String(d).split('\\n')[0]); process.stdout.write(JSON.stringify({ jsonrpc: '2.0', id: m.id, result: { protocolVersion: 1, agentInfo: { name: 'my-agent', version: '4.5.6' } } }) + '\\n'); }); process.stdin.on('end', () => process.exit(0));`;

describe('--agent acp -- CMD', () => {
  it('finds CMD and names the agent by its initialize answer', async () => {
    await expect(locateAcp([process.execPath, '-e', AGENT], process.env)).resolves.toEqual({ name: 'my-agent', version: '4.5.6', path: process.execPath });
  });

  it('a command that is not there, or none, is acp_missing with the fix', async () => {
    await expect(locateAcp(['no-such-agent-xyz', '--acp'], { PATH: '/nonexistent' })).rejects.toMatchObject({ code: 'acp_missing', message: expect.stringContaining('no-such-agent-xyz was not found') });
    await expect(locateAcp([], process.env)).rejects.toMatchObject({ code: 'acp_missing', message: expect.stringContaining('--agent acp -- CMD') });
  });

  it('takes no runtime options: they are refused, naming the agent', () => {
    expect(acpSettings({ model: 'x', approvalPolicy: 'never' }, 'my-agent').refusal).toBe('my-agent (an ACP agent) cannot take --model, --approval-policy from Pilothouse; pass its own flags after `--` instead.');
    expect(acpSettings({}, 'my-agent').refusal).toBeNull();
  });
});
