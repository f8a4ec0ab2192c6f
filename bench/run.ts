// `npm run bench`: the foundation figures. 1) fan-out of one streaming row to 100 subscribers, the
// hub against a bare ws broadcast loop in the same run; 2) push→receive latency at 1,000 appends/s;
// 3) the durability cost of group commit on SQLite and PostgreSQL. Then the runner's figures
// (runner-bench.ts): 10,000 deltas into one item end to end, and memory over many short turns.
// Human-readable lines, then one `BENCH_JSON {...}` line. Knobs (env): BENCH_ONLY=hub|runner (one
// half alone; `web`: append -> DOM latency (bench/web-latency.ts), then thread open for 100 / 1,000 / 10,000 rows, heap, scroll jank and initial JS (bench/web-threads.ts); `preview`: the preview proxy against the dev server directly, bench/preview.ts; `demo`: `pilothouse demo` spawn → first streamed row in Chromium, bench/demo-start.ts; `login`: refused sign-in time, existing vs unknown user, bench/login.ts; `slowreader`: 100 sockets that never read replaying 20 MB, bench/slowreader.ts; `notify`: approval → Web Push delivered and decrypted, CPU per approval against none subscribed, one approval to 1,000 browsers, bench/notifications.ts; `agents`: the runner with each real agent (Codex the baseline, Gemini CLI, Claude Code when its driver is there; bench/agents-table.ts) against the scripted model: steering post → first row p50/p95, appends per flush window and runner CPU per delta for 10,000 deltas, the bridge against the agent's raw stdout, bench/agents.ts; BENCH_AGENT_TURNS, default 20; `machines`: `pilothouse machine`, New session in Chromium → first agent row warm p50/max against a plain `pilothouse run` spawn → session line, the daemon idle (CPU, RSS), 10 sessions at once (runner and agent RSS per session, daemon overhead), bench/machines.ts; `backup`: `pilothouse backup` online on a store of 1,000,000 events while a client writes, and `restore`, against cp of the same file, bench/backup.ts, BENCH_BACKUP_EVENTS; `cli`: cold start of the compiled CLI (--help, run --help, hub --help, doctor, hub → first /healthz 200) against `node -e ''`, and the packed tarball's size, bench/cli-start.ts), BENCH_N (appends, default 6000), BENCH_PROFILE=<dir> (run the hub under --cpu-prof;
// summarize with bench/profile.ts), BENCH_PG_URL, BENCH_RUNNER_TURNS (real turns, default 100),
// BENCH_RUNNER_PROFILE=<dir> (run the runner processes under --cpu-prof).

import { webLatencyBench } from './web-latency.js';
import { webThreadsBench } from './web-threads.js';
import { runPreviewBench } from './preview.js';
import { demoStartBench } from './demo-start.js';
import { loginBench } from './login.js';
import { slowReaderBench } from './slowreader.js';
import { notificationsBench } from './notifications.js';
import { agentsBench } from './agents.js';
import { backupBench } from './backup.js';
import { machinesBench } from './machines.js';
import { cliStartBench } from './cli-start.js';
import { mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ClientsResult } from './clients.js';
import { runDurability } from './durability.js';
import { CLIENTS_CPU, runBareFanout, runHubFanout, SERVER_CPU, type FanoutOptions } from './fanout.js';
import { round, type CpuShares } from './procs.js';
import { runRunnerBench } from './runner-bench.js';

const FS_TYPES: Record<number, string> = { 0xef53: 'ext4', 0x01021994: 'tmpfs', 0x58465342: 'xfs', 0x9123683e: 'btrfs', 0x794c7630: 'overlayfs' };

const opts: FanoutOptions = {
  subscribers: 100,
  n: Math.min(200_000, Math.max(1000, Number(process.env.BENCH_N ?? 6000))),
  window: 256,
  textBytes: 100,
  latency: { rate: 1000, seconds: 5 },
  profileDir: process.env.BENCH_PROFILE,
};
const pgUrl = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const pad = (s: string | number, n: number) => String(s).padStart(n);
const line = (s = '') => process.stdout.write(`${s}\n`);

const cpuCols = (c: CpuShares) => `${pad(`${c.serverPct}%`, 7)} ${pad(`${c.clientsPct}%`, 8)} ${pad(`${c.othersPct}%`, 7)}`;

function tputLine(name: string, r: ClientsResult): string {
  const t = r.throughput;
  const note = t.complete ? '' : `  INCOMPLETE acked ${t.acked}/${t.n}, errors ${t.errors} ${t.firstError ?? ''}`;
  return `  ${name.padEnd(8)} ${pad(t.appendsPerSec, 10)} ${pad(t.deliveriesPerSec, 13)} ${pad(t.appendsPerServerCpuSec, 14)} ${cpuCols(t.cpu)}${note}`;
}

function latLine(name: string, r: ClientsResult): string {
  const l = r.latency;
  return `  ${name.padEnd(8)} ${pad(l.receive.p50, 7)} ${pad(l.receive.p99, 7)} ${pad(l.receive.max, 7)} ${pad(l.ack.p50, 7)} ${pad(l.ack.p99, 7)}  ${pad(`${l.received}/${l.sent}`, 9)} ${cpuCols(l.cpu)}${l.errors ? `  ${l.errors} errors` : ''}`;
}

async function main(): Promise<void> {
  const started = performance.now();
  const only = process.env.BENCH_ONLY;
  const parts = ['hub', 'runner', 'web', 'preview', 'demo', 'login', 'slowreader', 'notify', 'agents', 'machines', 'backup', 'cli'];
  if (only !== undefined && only !== '' && !parts.includes(only)) throw new Error(`BENCH_ONLY must be one of ${parts.join(', ')}, got ${only}`);
  const fsType = statfsSync(tmpdir()).type;
  const fs = FS_TYPES[fsType] ?? `0x${fsType.toString(16)}`;
  line(`Pilothouse bench: node ${process.version}, ${availableParallelism()} cpus, data on ${fs} (${tmpdir()})${only ? `; BENCH_ONLY=${only}` : ''}`);
  const want = (part: string) => !only || only === part;
  const hubFigures = want('hub') ? await hubBench() : {};
  const runner = want('runner') ? await runRunnerBench(line) : undefined;
  const web = want('web') ? await webLatencyBench(line) : undefined;
  const webThreads = want('web') ? await webThreadsBench(line) : undefined;
  const preview = want('preview') ? await runPreviewBench(line) : undefined;
  const demo = want('demo') ? await demoStartBench(line) : undefined;
  const login = want('login') ? await loginBench(line) : undefined;
  const slowreader = want('slowreader') ? await slowReaderBench(line) : undefined;
  const notify = want('notify') ? await notificationsBench(line) : undefined;
  const agents = want('agents') ? await agentsBench(line) : undefined;
  const machines = want('machines') ? await machinesBench(line) : undefined;
  const backup = want('backup') ? await backupBench(line) : undefined;
  const cli = want('cli') ? await cliStartBench(line) : undefined;
  const totalSeconds = round((performance.now() - started) / 1000, 1);
  line(`total ${totalSeconds} s`);
  const json = {
    node: process.version,
    cpus: availableParallelism(),
    fs,
    ...hubFigures,
    ...(runner ? { runner } : {}),
    ...(web ? { web } : {}),
    ...(webThreads ? { webThreads } : {}),
    ...(preview ? { preview } : {}),
    ...(demo ? { demo } : {}),
    ...(login ? { login } : {}),
    ...(slowreader ? { slowreader } : {}),
    ...(notify ? { notify } : {}),
    ...(agents ? { agents } : {}),
    ...(machines ? { machines } : {}),
    ...(backup ? { backup } : {}),
    ...(cli ? { cli } : {}),
    totalSeconds,
  };
  line(`BENCH_JSON ${JSON.stringify(json)}`);
}

/** The hub's figures: fan-out, latency, durability. Prints its lines; returns its part of BENCH_JSON. */
async function hubBench(): Promise<Record<string, unknown>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ph-bench-hub-'));
  line(`fan-out: ${opts.subscribers} subscribers, ${opts.n} appends of ${opts.textBytes} B into one row, window ${opts.window}; server on cpu ${SERVER_CPU}, clients on cpu ${CLIENTS_CPU}`);
  let hub: ClientsResult;
  let bare: ClientsResult;
  try {
    hub = await runHubFanout(dataDir, opts);
    bare = await runBareFanout(opts);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  line(`  ${''.padEnd(8)} ${pad('appends/s', 10)} ${pad('deliveries/s', 13)} ${pad('appends/CPU-s', 14)} ${pad('server', 7)} ${pad('clients', 8)} ${pad('others', 7)}  (CPU, % of a core)`);
  line(tputLine('hub', hub));
  line(tputLine('bare ws', bare));
  const ratio = {
    appends: round(hub.throughput.appendsPerSec / bare.throughput.appendsPerSec, 3),
    deliveries: round(hub.throughput.deliveriesPerSec / bare.throughput.deliveriesPerSec, 3),
    perServerCpu: round(hub.throughput.appendsPerServerCpuSec / bare.throughput.appendsPerServerCpuSec, 3),
  };
  line(`  ratio hub/bare: appends ${ratio.appends}, deliveries ${ratio.deliveries} (target >= 0.5); per server CPU-second ${ratio.perServerCpu}`);
  line(`  ("others" is CPU used by other processes on the machine meanwhile; when it is high, per CPU-second is the steadier figure)`);

  line(`latency: ${opts.latency.rate} appends/s for ${opts.latency.seconds} s, push->receive at one of ${opts.subscribers} subscribers (target p99 < 20 ms)`);
  line(`  ${''.padEnd(8)} ${pad('p50', 7)} ${pad('p99', 7)} ${pad('max', 7)} ${pad('ack p50', 7)} ${pad('ack p99', 7)}  ${pad('received', 9)} ${pad('server', 7)} ${pad('clients', 8)} ${pad('others', 7)}  (ms; CPU %)`);
  line(latLine('hub', hub));
  line(latLine('bare ws', bare));

  line('durability: Store.postMessage, 256 concurrent writers, 3 s per case');
  const durability = await runDurability({ writers: 256, seconds: 3, maxWrites: 200_000, postgresUrl: pgUrl });
  line(`  ${'store'.padEnd(9)} ${pad('maxBatch', 8)} ${pad('writes/s', 9)} ${pad('commits', 8)} ${pad('avg batch', 9)}`);
  for (const d of durability) {
    line(`  ${d.store.padEnd(9)} ${pad(d.maxBatch, 8)} ${pad(d.writesPerSec, 9)} ${pad(d.commits, 8)} ${pad(d.avgBatch, 9)}${d.error ? `  ERROR ${d.error}` : ''}`);
  }
  return {
    fanout: { ...opts, profileDir: undefined, hub: hub.throughput, bare: bare.throughput, ratio },
    latency: { hub: hub.latency, bare: bare.latency },
    durability,
  };
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
