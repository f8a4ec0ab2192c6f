// The two fan-out scenarios: the real hub (`pilothouse hub` as a child, seeded through `Store`
// beforehand) and the bare ws baseline (bare-server.ts), each driven by the same clients.ts
// process. Each returns what the clients measured; servers are stopped by their own pid.

import { join } from 'node:path';
import { digest, newToken, Store } from '@pilothouse/hub';
import type { ClientsConfig, ClientsResult } from './clients.js';
import { startChild, stopChild, type Child } from './procs.js';

export interface FanoutOptions {
  subscribers: number;
  n: number;
  window: number;
  textBytes: number;
  latency: { rate: number; seconds: number };
  /** Where `--cpu-prof` writes the hub's profile; no profiling when unset. */
  profileDir?: string | undefined;
}

export const TOPIC = 'channel:bench/fanout';
const ROOT = join(import.meta.dirname, '..');
const TSX = ['--conditions=source', '--import', 'tsx'];
/** The server under test and the clients each get a CPU of their own (2-core machine). */
export const SERVER_CPU = 0;
export const CLIENTS_CPU = 1;

/** Viewer users: 100 subscribers over four users stay within the hub's 32 sockets per user. */
const VIEWERS = 4;

/** A runner user and viewer users, all members of bench/fanout, with one API token each. */
export async function seedHub(dataDir: string): Promise<{ runnerToken: string; viewerTokens: string[] }> {
  const store = await Store.open({ kind: 'sqlite', dataDir });
  try {
    const channel = await store.createChannel({ workspace: 'bench', channel: 'fanout' });
    const tokens: string[] = [];
    for (const name of ['bench-runner', ...Array.from({ length: VIEWERS }, (_, i) => `bench-viewer-${i}`)]) {
      const user = await store.createUser({ name, passwordHash: null, admin: false });
      await store.addMember(channel.id, user.id);
      const token = newToken();
      await store.createToken({ userId: user.id, tokenHash: digest(token), label: 'bench' });
      tokens.push(token);
    }
    return { runnerToken: tokens[0]!, viewerTokens: tokens.slice(1) };
  } finally {
    await store.close();
  }
}

/** Runs clients.ts against a server already listening at `endpoint` (phoenix endpoint, without /websocket). */
export async function runClients(server: Child, endpoint: string, tokens: { runnerToken: string; viewerTokens: string[] }, opts: FanoutOptions): Promise<ClientsResult> {
  const cfg: ClientsConfig = {
    endpoint,
    topic: TOPIC,
    ...tokens,
    subscribers: opts.subscribers,
    n: opts.n,
    window: opts.window,
    textBytes: opts.textBytes,
    deadlineMs: 30_000,
    latency: opts.latency,
    serverPid: server.pid,
  };
  const { child, match } = await startChild([...TSX, join(ROOT, 'bench/clients.ts'), JSON.stringify(cfg)], /RESULT (.*)\n/, 75_000, CLIENTS_CPU);
  await child.exited;
  return JSON.parse(match[1]!) as ClientsResult;
}

export async function runHubFanout(dataDir: string, opts: FanoutOptions): Promise<ClientsResult> {
  const tokens = await seedHub(dataDir);
  const prof = opts.profileDir ? ['--cpu-prof', '--cpu-prof-dir', opts.profileDir] : [];
  const args = [...prof, join(ROOT, 'packages/cli/bin/pilothouse.js'), 'hub', '--host', '127.0.0.1', '--port', '0', '--data', dataDir, '--log-level', 'warn'];
  const { child: hub, match } = await startChild(args, /listening on http:\/\/(\S+)/, 20_000, SERVER_CPU);
  try {
    return await runClients(hub, `ws://${match[1]!}/socket`, tokens, opts);
  } finally {
    await stopChild(hub);
  }
}

export async function runBareFanout(opts: FanoutOptions): Promise<ClientsResult> {
  const { child: bare, match } = await startChild([...TSX, join(ROOT, 'bench/bare-server.ts')], /BARE listening on (\d+)/, 20_000, SERVER_CPU);
  try {
    return await runClients(bare, `ws://127.0.0.1:${match[1]!}/socket`, { runnerToken: 'x', viewerTokens: ['x'] }, opts);
  } finally {
    await stopChild(bare);
  }
}
