// The slow-reader bench (BENCH_ONLY=slowreader; issue 11, finding 2): a channel with ≈20 MB of
// history, 100 sockets (four users) that join it with `since: 0` and never read, and another
// member's requests meanwhile. Reports the hub's RSS (before, peak, after the readers closed) and
// the other member's round trips before and during the attack. Targets: peak < 512 MiB, p99 < 50 ms.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Socket, type Channel, type Push } from 'phoenix';
import { WebSocket } from 'ws';
import { digest, newToken, Store } from '@pilothouse/hub';
import { percentile, round, startChild, stopChild } from './procs.js';

const ROOT = join(import.meta.dirname, '..');
const MiB = 1024 * 1024;

export interface SlowReaderResult {
  readers: number;
  historyBytes: number;
  events: number;
  rssMiB: { before: number; peak: number; afterClose: number };
  observer: { before: { p50: number; p99: number }; during: { p50: number; p99: number; max: number; n: number } };
}

const settle = (push: Push): Promise<unknown> =>
  new Promise((resolve, reject) => {
    push.receive('ok', resolve);
    push.receive('error', (e) => reject(new Error(JSON.stringify(e))));
    push.receive('timeout', () => reject(new Error('timeout')));
  });

const statusKb = (pid: number, field: 'VmRSS' | 'VmHWM'): number =>
  Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
const rssOf = (pid: number): number => statusKb(pid, 'VmRSS');

async function seed(dataDir: string, attackers: number, historyBytes: number): Promise<{ attackerTokens: string[]; observerToken: string; events: number }> {
  const store = await Store.open({ kind: 'sqlite', dataDir });
  try {
    const channel = await store.createChannel({ workspace: 'bench', channel: 'slow' });
    const tokens: string[] = [];
    const ids: string[] = [];
    for (const name of [...Array.from({ length: attackers }, (_, i) => `reader-${i}`), 'observer']) {
      const user = await store.createUser({ name, passwordHash: null, admin: false });
      await store.addMember(channel.id, user.id);
      const token = newToken();
      await store.createToken({ userId: user.id, tokenHash: digest(token), label: 'bench' });
      tokens.push(token);
      ids.push(user.id);
    }
    // The history: 10 KB messages, 200 threads of 10.
    const body = 'h'.repeat(10 * 1024);
    const author = { userId: ids.at(-1)!, name: 'observer', runnerId: null };
    let threadId: string | undefined;
    const n = Math.round(historyBytes / body.length);
    for (let i = 0; i < n; i += 10) {
      const root = await store.postMessage(channel.id, author, { client_id: `h${i}`, body, kind: 'text' });
      threadId = root.thread_id;
      await Promise.all(Array.from({ length: Math.min(9, n - i - 1) }, (_, j) => store.postMessage(channel.id, author, { client_id: `h${i}-${j}`, body, thread_id: threadId, kind: 'text' })));
    }
    return { attackerTokens: tokens.slice(0, -1), observerToken: tokens.at(-1)!, events: await store.headSeq(channel.id) };
  } finally {
    await store.close();
  }
}

/** A raw socket that joins `since: 0` and stops reading at once. */
async function slowReader(url: string, token: string): Promise<WebSocket> {
  const ws = new WebSocket(`${url}/websocket?vsn=2.0.0&token=${token}`);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  (ws as unknown as { _socket: { pause(): void } })._socket.pause();
  ws.send(JSON.stringify(['1', '1', 'channel:bench/slow', 'phx_join', { since: 0 }]));
  return ws;
}

/** `count` round trips of the observer (a post, then a page of the thread list), one after another. */
async function roundTrips(ch: Channel, count: number, tag: string, pid: number, peak: { rss: number }): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    if (i % 2 === 0) await settle(ch.push('post_message', { client_id: `${tag}-${i}`, body: `observer ${i}` }));
    else await settle(ch.push('list_threads', { limit: 20 }));
    ms.push(performance.now() - started);
    peak.rss = Math.max(peak.rss, rssOf(pid));
    // Paced at about 20 requests a second, under the per-user write limit.
    await new Promise((r) => setTimeout(r, 50));
  }
  return ms.sort((a, b) => a - b);
}

export async function slowReaderBench(line: (s?: string) => void, opts = { readers: 100, attackers: 4, historyBytes: 20 * MiB, requests: 200 }): Promise<SlowReaderResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ph-bench-slow-'));
  try {
    const seeded = await seed(dataDir, opts.attackers, opts.historyBytes);
    line(`slow readers: ${opts.readers} sockets (${opts.attackers} users) join since 0 on ${round(opts.historyBytes / MiB, 0)} MiB of history (${seeded.events} events) and never read; another member posts and lists meanwhile (targets: peak RSS < 512 MiB, p99 < 50 ms)`);
    const args = [join(ROOT, 'packages/cli/bin/pilothouse.js'), 'hub', '--host', '127.0.0.1', '--port', '0', '--data', dataDir, '--log-level', 'error'];
    const { child: hub, match } = await startChild(args, /listening on http:\/\/(\S+)/, 20_000, 0);
    const url = `ws://${match[1]!}/socket`;
    try {
      const observer = new Socket(url, { transport: WebSocket, params: { token: seeded.observerToken }, timeout: 30_000 });
      observer.connect();
      const ch = observer.channel('channel:bench/slow', {});
      await settle(ch.join());
      const peak = { rss: 0 };
      const before = await roundTrips(ch, 40, 'before', hub.pid, peak);
      const rssBefore = rssOf(hub.pid);
      peak.rss = rssBefore;
      const readers: WebSocket[] = [];
      for (let i = 0; i < opts.readers; i++) readers.push(await slowReader(url, seeded.attackerTokens[i % opts.attackers]!));
      const during = await roundTrips(ch, opts.requests, 'during', hub.pid, peak);
      // The kernel's high-water mark catches a peak between two samples.
      peak.rss = Math.max(peak.rss, statusKb(hub.pid, 'VmHWM'));
      for (const r of readers) r.terminate();
      await new Promise((r) => setTimeout(r, 2000));
      const afterClose = rssOf(hub.pid);
      observer.disconnect();
      const r2 = (x: number) => round(x, 2);
      const result: SlowReaderResult = {
        readers: opts.readers,
        historyBytes: opts.historyBytes,
        events: seeded.events,
        rssMiB: { before: round(rssBefore / MiB, 0), peak: round(peak.rss / MiB, 0), afterClose: round(afterClose / MiB, 0) },
        observer: {
          before: { p50: r2(percentile(before, 50)), p99: r2(percentile(before, 99)) },
          during: { p50: r2(percentile(during, 50)), p99: r2(percentile(during, 99)), max: r2(during.at(-1) ?? Number.NaN), n: during.length },
        },
      };
      line(`  hub RSS: ${result.rssMiB.before} MiB before, peak ${result.rssMiB.peak} MiB during, ${result.rssMiB.afterClose} MiB after the readers closed`);
      line(`  observer round trip (ms): before p50 ${result.observer.before.p50} p99 ${result.observer.before.p99}; during p50 ${result.observer.during.p50} p99 ${result.observer.during.p99} max ${result.observer.during.max}`);
      return result;
    } finally {
      await stopChild(hub);
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
