// Port wiring against a real process: a scan finds what an agent process listens on, fed to the
// session, and a `--no-forward` port (suppress) is never prompted while its neighbour is. Linux (/proc) only.
// Then a failing scan fed back as listener_scan_failed: permanent only when a tool is missing.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ScanToolMissingError, type ListenerScanner } from '../previews/listeners/scanner.js';
import { createSession, sessionConfig, step, type SessionInput } from '../session/index.js';
import { sessionMarker } from '../agent/driver.js';
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

describe('port wiring: a failing scan', () => {
  async function failedScan(error: Error): Promise<SessionInput> {
    const asked: unknown[][] = [];
    const scanner: ListenerScanner = {
      scan: (...args) => {
        asked.push(args);
        return Promise.reject(error);
      },
    };
    let fed: (input: SessionInput) => void = () => {};
    const input = new Promise<SessionInput>((resolve) => (fed = resolve));
    const wiring = new PortWiring({ hubUrl: 'http://127.0.0.1:9', token: 'ph_test', log: pino({ level: 'silent' }), state: () => null, feed: (i) => fed(i), watchPorts: true, scanner });
    cleanups.push(() => wiring.close());
    wiring.config(INSTANCE, [], [], () => 42);
    wiring.scan();
    // Rooted at the agent's process, with this session's marker.
    expect(asked).toEqual([[42, sessionMarker(INSTANCE)]]);
    return input;
  }

  it('is fed back with its message; the session scans again on schedule', async () => {
    expect(await failedScan(new Error('boom'))).toEqual({ type: 'listener_scan_failed', now: expect.any(Number), error: 'boom', permanent: false });
  });

  it('is permanent when a tool the scanner needs is missing', async () => {
    const missing = new ScanToolMissingError('lsof');
    expect(await failedScan(missing)).toEqual({ type: 'listener_scan_failed', now: expect.any(Number), error: missing.message, permanent: true });
  });
});
