// Port wiring against a real process: the watcher finds what an agent process listens on, and a
// `--no-forward` port (suppress) is never prompted while its neighbour is. Linux (/proc) only.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { PushPayload } from '@pilothouse/protocol';
import { sessionMarker } from './agent-process.js';
import { PortWiring } from './port-wiring.js';
import type { PreviewPush } from './previews.js';

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
    const logs: Record<string, unknown>[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
    const wiring = new PortWiring({ hubUrl: 'http://127.0.0.1:9', token: 'ph_test', log, forward: [], suppress: [quiet], watchPorts: true, portScanMs: 20 });
    cleanups.push(() => wiring.close());

    const rows: PushPayload<'post_row'>[] = [];
    let prompted: () => void = () => {};
    const promptedOnce = new Promise<void>((resolve) => (prompted = resolve));
    const push = ((event: string, payload: PushPayload<'post_row'>) => {
      if (event === 'post_row') {
        rows.push(payload);
        prompted();
      }
      return Promise.resolve({ seq: rows.length, message_id: `m${rows.length}`, thread_id: 'root' });
    }) as PreviewPush;
    wiring.attach({ threadId: 'root', allowed: [{ name: 'alice', user_id: 'u-alice' }], instanceId: INSTANCE, push });
    wiring.watch(INSTANCE, () => null);
    await promptedOnce;

    // One scan saw both listeners (they were up before the watcher started): one prompt, for the offered port.
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kind: 'port_forward', thread_id: 'root', meta: { port: offered } });
    expect(logs.filter((l) => l.event === 'forward_port_skipped')).toEqual([expect.objectContaining({ reason: 'suppressed', port: quiet })]);
  });
});
