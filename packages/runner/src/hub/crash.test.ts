// The hub client against the real hub as a child process (`pilothouse hub`): killed with -9 in the
// middle of a stream and restarted on the same port and data; stopped (SIGSTOP) so that a push
// times out although the hub will still apply it, and resumed.

import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { Store } from '@pilothouse/hub';
import type { ChannelEvent } from '@pilothouse/protocol';
import type { HubClient } from './api.js';
import { connectHub } from './client.js';
import { HubClientError } from './errors.js';
import type { HubConnectionState } from './link.js';
import { capturingLogger, clientOptions, Recorder, seedHub, type TestHub } from '../../test/test-hub.js';

const CLI = resolve(import.meta.dirname, '../../../cli/bin/pilothouse.js');

interface HubProcess {
  url: string;
  child: ChildProcess;
  exited: Promise<void>;
}

async function startHubProcess(dataDir: string, port: number): Promise<HubProcess> {
  const child = spawn(process.execPath, [CLI, 'hub', '--port', String(port), '--data', dataDir, '--log-level', 'warn'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  createInterface({ input: child.stderr }).on('line', (line) => stderr.push(line));
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  const url = await new Promise<string>((res, rej) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const m = /listening on (\S+)/.exec(line);
      if (m) res(m[1]!);
    });
    child.once('exit', (code) => rej(new Error(`hub exited with ${code}: ${stderr.join('\n')}`)));
  });
  return { url, child, exited };
}

let seeded: TestHub;
let proc: HubProcess;
let client: HubClient | undefined;

const hubView = () => ({ url: proc.url, tokens: seeded.tokens });
const chunk = (i: number) => `line ${i}\n`;

beforeEach(async () => {
  seeded = await seedHub();
  proc = await startHubProcess(seeded.dataDir, 0);
});

afterEach(async () => {
  await client?.close();
  client = undefined;
  proc.child.kill('SIGCONT');
  proc.child.kill('SIGTERM');
  await proc.exited;
  await seeded.dispose();
});

async function kill9(): Promise<number> {
  const port = Number(new URL(proc.url).port);
  proc.child.kill('SIGKILL');
  await proc.exited;
  return port;
}

async function storedAppends(): Promise<{ rows: number; texts: string[]; updates: number }> {
  proc.child.kill('SIGTERM');
  await proc.exited;
  const store = await Store.open({ kind: 'sqlite', dataDir: seeded.dataDir });
  try {
    const events = await store.eventsSince(seeded.channelId, 0, 100_000);
    const rows = events.filter((e) => e.type === 'message' && e.payload.message.item_key === 'item-k').length;
    const texts = events.flatMap((e) => (e.type === 'append' ? [e.payload.text] : []));
    const updates = events.filter((e) => e.type === 'row_updated').length;
    return { rows, texts, updates };
  } finally {
    await store.close();
  }
}

it('SIGKILL twice in the middle of 500 appends: the row ends exactly as streamed, every append acked once', async () => {
  const states = new Recorder<HubConnectionState>();
  const log = capturingLogger();
  client = await connectHub(clientOptions(hubView(), { onState: states.add, logger: log.logger }));
  await client.push('post_row', { client_id: 'row-k', item_key: 'item-k', kind: 'command', body: '' });
  const acked = new Recorder<number>();
  let offset = 0;
  const appends = Array.from({ length: 500 }, (_, i) => {
    const text = chunk(i);
    const p = client!.push('append', { item_key: 'item-k', offset, text });
    offset += text.length;
    return p.then((r) => (acked.add(i), r));
  });

  const ackedAtKill: number[] = [];
  for (const threshold of [100, 300]) {
    await acked.until((a) => a.length >= threshold);
    ackedAtKill.push(acked.items.length);
    const port = await kill9();
    proc = await startHubProcess(seeded.dataDir, port);
  }
  const replies = await Promise.all(appends);

  expect(ackedAtKill.every((n) => n < 500)).toBe(true);
  expect(log.lines.filter((l) => l.msg === 'resent unacknowledged pushes').length).toBeGreaterThanOrEqual(2);
  expect(states.items.filter((s) => s.status === 'reconnecting').length).toBeGreaterThanOrEqual(2);
  expect(acked.items).toHaveLength(500);
  const expected = Array.from({ length: 500 }, (_, i) => chunk(i));
  expect(replies.at(-1)!.length).toBe(expected.join('').length);
  const stored = await storedAppends();
  expect(stored).toEqual({ rows: 1, texts: expected, updates: 0 }); // no append applied twice, none missing, in order
});

it('pushes that time out while the hub is stopped are resent over a new connection and applied once', async () => {
  const states = new Recorder<HubConnectionState>();
  const events = new Recorder<ChannelEvent>();
  client = await connectHub(clientOptions(hubView(), { onState: states.add, onEvent: events.add, pushTimeoutMs: 300 }));
  await client.push('post_row', { client_id: 'row-k', item_key: 'item-k', kind: 'command', body: '' });

  proc.child.kill('SIGSTOP');
  // The end of a turn: the last append, then the row reconciled with the final item. The hub will
  // apply both from the first connection, whose replies are lost; both are then sent again.
  const appended = client.push('append', { item_key: 'item-k', offset: 0, text: 'once\n' });
  const reconciled = client.push('update_row', { item_key: 'item-k', body: 'once\nexit 0\n', status: 'completed' });
  await states.some((s) => s.status === 'reconnecting' && s.lastError instanceof HubClientError && s.lastError.code === 'hub_timeout');
  proc.child.kill('SIGCONT');

  await expect(appended).resolves.toEqual({ seq: expect.any(Number), length: 5 });
  await expect(reconciled).resolves.toEqual({ seq: null }); // the repeat changed nothing
  const online = (e: ChannelEvent) => e.type === 'presence' && e.payload.runner.status === 'online';
  await events.until((all) => all.some((e) => e.type === 'row_updated') && all.filter(online).length >= 2);
  const appends = events.items.filter((e) => e.type === 'append');
  expect(appends).toHaveLength(1);
  // The hub applied the original frames before the re-register; what was sent after it were repeats.
  expect(appends[0]!.payload.seq).toBeLessThan(events.items.filter(online).at(-1)!.payload.seq);
  expect((await appended).seq).toBe(appends[0]!.payload.seq);
  await client.close();
  client = undefined;
  expect(await storedAppends()).toEqual({ rows: 1, texts: ['once\n'], updates: 1 });
});
