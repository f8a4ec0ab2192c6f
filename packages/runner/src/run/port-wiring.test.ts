// Port wiring against a real process: a scan finds what an agent process listens on, fed to the
// session, and a `--no-forward` port (suppress) is never prompted while its neighbour is. Linux (/proc) only.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createSession, sessionConfig, step, type SessionInput } from '../session/index.js';
import { sessionMarker } from './agent-process.js';
import { PortWiring } from './port-wiring.js';

const INSTANCE = 'port-wiring-test';
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A process marked as this session's agent, listening on two ports; resolves with them. */
async function twoListeners(): Promise<{ child: ChildProcess; ports: [number, number] }> {
  const script = `
    const net = require('node:net');
    const a = net.createServer().listen(0, '127.0.0.1', () => {
      const b = net.createServer().listen(0, '127.0.0.1', () => console.log(a.address().port, b.address().port));
    });`;
  const [name, value] = sessionMarker(INSTANCE).split('=') as [string, string];
  const child = spawn(process.execPath, ['-e', script], { env: { ...process.env, [name]: value }, stdio: ['ignore', 'pipe', 'inherit'] });
  cleanups.push(async () => {
    child.kill('SIGKILL');
    if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
  });
  const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
  const [a, b] = line.split(' ').map(Number) as [number, number];
  return { child, ports: [a, b] };
}

describe.runIf(process.platform === 'linux')('port wiring', () => {
  it('never prompts for a --no-forward port; its neighbour gets a prompt row', async () => {
    const { ports } = await twoListeners();
    const [quiet, offered] = ports;
    const log = pino({ level: 'silent' });
    let fed: (input: SessionInput) => void = () => {};
    const scanned = new Promise<SessionInput>((resolve) => (fed = resolve));
    const wiring = new PortWiring({ hubUrl: 'http://127.0.0.1:9', token: 'ph_test', log, state: () => null, feed: (input) => fed(input), watchPorts: true, portScanMs: 20 });
    cleanups.push(() => wiring.close());
    const previews = wiring.config(INSTANCE, [], [quiet], () => null);
    expect(previews).toMatchObject({ suppressed: [quiet], initialForward: [], scanMs: 20 });

    wiring.scan();
    const input = await scanned;
    // One scan saw both listeners (found by the session marker): the session prompts for the offered port only.
    expect(input).toMatchObject({ type: 'listeners_scanned', listeners: expect.arrayContaining([expect.objectContaining({ port: quiet }), expect.objectContaining({ port: offered })]) });
    const session = createSession(sessionConfig({ threadId: 'root', allowed: [{ name: 'alice', user_id: 'u-alice' }], previews }));
    const { effects } = step(session, input);
    const rows = effects.filter((e) => e.type === 'post_row');
    expect(rows).toHaveLength(1);
    expect(rows[0]?.payload).toMatchObject({ kind: 'port_forward', thread_id: 'root', meta: { port: offered } });
    expect(effects.filter((e) => e.type === 'log' && e.event === 'forward_port_skipped')).toEqual([expect.objectContaining({ fields: expect.objectContaining({ reason: 'suppressed', port: quiet }) })]);
  });
});
