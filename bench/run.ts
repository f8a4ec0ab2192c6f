// `npm run bench`: the foundation figures. 1) fan-out of one streaming row to 100 subscribers, the
// hub against a bare ws broadcast loop in the same run; 2) push→receive latency at 1,000 appends/s;
// 3) the durability cost of group commit on SQLite and PostgreSQL. Human-readable lines, then one
// `BENCH_JSON {...}` line. Knobs (env): BENCH_N (appends, default 20000), BENCH_PROFILE=<dir>
// (run the hub under --cpu-prof), BENCH_PG_URL.

import { mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ClientsResult } from './clients.js';
import { runDurability } from './durability.js';
import { runBareFanout, runHubFanout, type FanoutOptions } from './fanout.js';
import { round } from './procs.js';

const FS_TYPES: Record<number, string> = { 0xef53: 'ext4', 0x01021994: 'tmpfs', 0x58465342: 'xfs', 0x9123683e: 'btrfs', 0x794c7630: 'overlayfs' };

const opts: FanoutOptions = {
  subscribers: 100,
  n: Math.min(200_000, Math.max(1000, Number(process.env.BENCH_N ?? 20_000))),
  window: 256,
  textBytes: 100,
  latency: { rate: 1000, seconds: 5 },
  profileDir: process.env.BENCH_PROFILE,
};
const pgUrl = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const pad = (s: string | number, n: number) => String(s).padStart(n);
const line = (s = '') => process.stdout.write(`${s}\n`);

function tputLine(name: string, r: ClientsResult): string {
  const t = r.throughput;
  const note = t.complete ? '' : `  INCOMPLETE acked ${t.acked}/${t.n}, errors ${t.errors} ${String(t.firstError ?? '')}`;
  return `  ${name.padEnd(8)} ${pad(t.appendsPerSec, 10)} ${pad(t.deliveriesPerSec, 13)} ${pad(`${t.serverCpuPct}%`, 11)} ${pad(`${t.clientsCpuPct}%`, 12)}${note}`;
}

function latLine(name: string, r: ClientsResult): string {
  const l = r.latency;
  return `  ${name.padEnd(8)} p50 ${pad(l.receive.p50, 6)}  p99 ${pad(l.receive.p99, 6)}  max ${pad(l.receive.max, 7)} ms   (ack p50 ${l.ack.p50} p99 ${l.ack.p99})  ${l.received}/${l.sent} received at ${l.achievedRate}/s, ${l.errors} errors`;
}

async function main(): Promise<void> {
  const started = performance.now();
  const dataDir = mkdtempSync(join(tmpdir(), 'ph-bench-hub-'));
  const fs = FS_TYPES[statfsSync(dataDir).type] ?? `0x${statfsSync(dataDir).type.toString(16)}`;
  line(`Pilothouse bench: node ${process.version}, ${availableParallelism()} cpus, data on ${fs} (${tmpdir()})`);
  line(`fan-out: ${opts.subscribers} subscribers, ${opts.n} appends of ${opts.textBytes} B into one row, window ${opts.window}`);
  let hub: ClientsResult;
  let bare: ClientsResult;
  try {
    hub = await runHubFanout(dataDir, opts);
    bare = await runBareFanout(opts);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  line(`  ${''.padEnd(8)} ${pad('appends/s', 10)} ${pad('deliveries/s', 13)} ${pad('server CPU', 11)} ${pad('clients CPU', 12)}`);
  line(tputLine('hub', hub));
  line(tputLine('bare ws', bare));
  const ratio = {
    appends: round(hub.throughput.appendsPerSec / bare.throughput.appendsPerSec, 3),
    deliveries: round(hub.throughput.deliveriesPerSec / bare.throughput.deliveriesPerSec, 3),
  };
  line(`  ratio hub/bare: appends ${ratio.appends}, deliveries ${ratio.deliveries} (target >= 0.5)`);

  line(`latency: ${opts.latency.rate} appends/s for ${opts.latency.seconds} s, push->receive at one of ${opts.subscribers} subscribers (target p99 < 20 ms)`);
  line(latLine('hub', hub));
  line(latLine('bare ws', bare));

  line('durability: Store.postMessage, 256 concurrent writers, 3 s per case');
  const durability = await runDurability({ writers: 256, seconds: 3, maxWrites: 200_000, postgresUrl: pgUrl });
  line(`  ${'store'.padEnd(9)} ${pad('maxBatch', 8)} ${pad('writes/s', 9)} ${pad('commits', 8)} ${pad('avg batch', 9)}`);
  for (const d of durability) {
    line(`  ${d.store.padEnd(9)} ${pad(d.maxBatch, 8)} ${pad(d.writesPerSec, 9)} ${pad(d.commits, 8)} ${pad(d.avgBatch, 9)}${d.error ? `  ERROR ${d.error}` : ''}`);
  }
  const totalSeconds = round((performance.now() - started) / 1000, 1);
  line(`total ${totalSeconds} s`);
  const json = {
    node: process.version,
    cpus: availableParallelism(),
    fs,
    fanout: { ...opts, profileDir: undefined, hub: hub.throughput, bare: bare.throughput, ratio },
    latency: { hub: hub.latency, bare: bare.latency },
    durability,
    totalSeconds,
  };
  line(`BENCH_JSON ${JSON.stringify(json)}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
