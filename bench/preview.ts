// The preview bench (BENCH_ONLY=preview): the same dev server measured directly, through a
// preview (browser → hub → tunnel stream → runner → dev server), and through the floor (a bare
// Node HTTP proxy → bare TCP relay → dev server: the preview's hops with nothing in them), in one
// run, each part its own process (preview-parts.ts), rounds interleaved, best round kept (the
// machine is shared): 50 MB download throughput, small keep-alive GETs per second over a few
// connections, small GET latency (p50/p99, added p50), WebSocket echo round trip, and the CPU
// each process spends per MB and per request. Targets: throughput and requests/s >= 0.8x direct,
// added p50 <= 2 ms.

import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import { PREVIEW_COOKIE, type PreviewGrantReply } from '@pilothouse/protocol';
import { cpuSeconds, percentile, round, startChild, stopChild, type Child } from './procs.js';
import { seedMember } from './seed.js';

const ROOT = join(import.meta.dirname, '..');
const PARTS = ['--conditions=source', '--import', 'tsx', join(ROOT, 'bench/preview-parts.ts')];
/** BENCH_PROFILE=<dir>: the hub and the runner run under --cpu-prof (summarize with bench/profile.ts). */
const PROFILE = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
const MB = 1024 * 1024;

/** CPU milliseconds each process spent per unit of work (per MB, per request): where the cost is. */
export type CpuCost = Record<'client' | 'hub' | 'runner' | 'dev', number>;

export interface PathFigures {
  /** 50 MB download, best of the runs. */
  throughputMBps: number;
  cpuMsPerMB: CpuCost;
  requestsPerSec: number;
  cpuMsPerRequest: CpuCost;
  latencyMs: { p50: number; p99: number };
  wsEchoMs: { p50: number; p99: number };
}

export interface PreviewBenchResult {
  config: { rounds: number; downloadMB: number; downloadRuns: number; connections: number; rpsSeconds: number; latencyN: number; wsN: number };
  direct: PathFigures;
  floor: PathFigures;
  preview: PathFigures;
  ratio: { throughput: number; requestsPerSec: number };
  /** The preview against the floor: what the hub's and runner's own logic cost. */
  ofFloor: { throughput: number; requestsPerSec: number };
  addedP50Ms: number;
  targetsMet: boolean;
}

interface Target {
  port: number;
  host: string;
  cookie: string | null;
}

const headersOf = (t: Target): Record<string, string> => (t.cookie ? { Host: t.host, Cookie: `${PREVIEW_COOKIE}=${t.cookie}` } : { Host: t.host });

function get(t: Target, path: string, agent: Agent | false, sink?: (n: number) => void): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: t.port, path, headers: headersOf(t), agent, setHost: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (sink ? sink(c.length) : (body += c.toString('utf8'))));
      res.once('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.once('error', reject);
    });
    req.once('error', reject);
    req.end();
  });
}

async function throughput(t: Target, bytes: number, runs: number): Promise<number> {
  let best = 0;
  for (let i = 0; i < runs; i++) {
    let got = 0;
    const t0 = performance.now();
    await get(t, `/big?bytes=${bytes}`, false, (n) => (got += n));
    const secs = (performance.now() - t0) / 1000;
    if (got !== bytes) throw new Error(`download got ${got} of ${bytes} bytes`);
    best = Math.max(best, bytes / MB / secs);
  }
  return round(best, 0);
}

async function requestsPerSec(t: Target, connections: number, seconds: number): Promise<{ perSec: number; done: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  let done = 0;
  const until = performance.now() + seconds * 1000;
  const worker = async () => {
    while (performance.now() < until) {
      const r = await get(t, '/small', agent);
      if (r.status !== 200) throw new Error(`GET /small: ${r.status} ${r.body}`);
      done++;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: connections }, worker));
  const secs = (performance.now() - t0) / 1000;
  agent.destroy();
  return { perSec: round(done / secs, 0), done };
}

async function latency(t: Target, n: number): Promise<{ p50: number; p99: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const ms: number[] = [];
  for (let i = 0; i < n + 50; i++) {
    const t0 = performance.now();
    await get(t, '/small', agent);
    if (i >= 50) ms.push(performance.now() - t0); // the first ones warm the connection and the JIT
  }
  agent.destroy();
  ms.sort((a, b) => a - b);
  return { p50: round(percentile(ms, 50), 3), p99: round(percentile(ms, 99), 3) };
}

async function wsEcho(t: Target, n: number): Promise<{ p50: number; p99: number }> {
  const ws = new WebSocket(`ws://127.0.0.1:${t.port}/`, { headers: headersOf(t), perMessageDeflate: false });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const ms: number[] = [];
  const payload = 'x'.repeat(100);
  for (let i = 0; i < n + 50; i++) {
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      ws.once('message', () => resolve());
      ws.send(payload);
    });
    if (i >= 50) ms.push(performance.now() - t0);
  }
  ws.close();
  ms.sort((a, b) => a - b);
  return { p50: round(percentile(ms, 50), 3), p99: round(percentile(ms, 99), 3) };
}

type Pids = Record<Exclude<keyof CpuCost, 'client'>, number>;

/** Starts counting the CPU of this process and the parts; the result divides it by `units`. */
function cpuMeter(pids: Pids): (units: number) => CpuCost {
  const self0 = process.cpuUsage();
  const at0 = { hub: cpuSeconds(pids.hub), runner: cpuSeconds(pids.runner), dev: cpuSeconds(pids.dev) };
  return (units) => {
    const self = process.cpuUsage(self0);
    const per = (seconds: number) => round((seconds * 1000) / units, 4);
    return {
      client: per((self.user + self.system) / 1e6),
      hub: per(cpuSeconds(pids.hub) - at0.hub),
      runner: per(cpuSeconds(pids.runner) - at0.runner),
      dev: per(cpuSeconds(pids.dev) - at0.dev),
    };
  };
}

async function measure(t: Target, cfg: PreviewBenchResult['config'], pids: Pids): Promise<PathFigures> {
  let meter = cpuMeter(pids);
  const throughputMBps = await throughput(t, cfg.downloadMB * MB, cfg.downloadRuns);
  const cpuMsPerMB = meter(cfg.downloadMB * cfg.downloadRuns);
  meter = cpuMeter(pids);
  const rps = await requestsPerSec(t, cfg.connections, cfg.rpsSeconds);
  const cpuMsPerRequest = meter(rps.done);
  return {
    throughputMBps,
    cpuMsPerMB,
    requestsPerSec: rps.perSec,
    cpuMsPerRequest,
    latencyMs: await latency(t, cfg.latencyN),
    wsEchoMs: await wsEcho(t, cfg.wsN),
  };
}

/** Grant API + exchange, as a browser would: the preview cookie. */
async function signIn(hubPort: number, token: string, previewId: string): Promise<{ host: string; cookie: string }> {
  const granted = await new Promise<PreviewGrantReply>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: hubPort, method: 'POST', path: `/api/previews/${previewId}/grant`, headers: { Authorization: `Bearer ${token}` } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString('utf8')));
      res.once('end', () => (res.statusCode === 200 ? resolve(JSON.parse(body) as PreviewGrantReply) : reject(new Error(`grant: ${res.statusCode} ${body}`))));
    });
    req.once('error', reject);
    req.end();
  });
  const url = new URL(granted.url);
  const cookie = await new Promise<string>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: hubPort, path: url.pathname + url.search, headers: { Host: url.host }, setHost: false }, (res) => {
      res.resume();
      const line = res.headers['set-cookie']?.[0];
      if (res.statusCode === 302 && line) resolve(line.slice(PREVIEW_COOKIE.length + 1).split(';')[0]!);
      else reject(new Error(`exchange: ${res.statusCode}`));
    });
    req.once('error', reject);
    req.end();
  });
  return { host: url.host, cookie };
}

/** Per metric, the best of the rounds (CPU costs: of the round with the best rate). */
function best(rounds: PathFigures[]): PathFigures {
  const by = <K extends keyof PathFigures>(key: K, pick: (a: PathFigures, b: PathFigures) => boolean) => rounds.reduce((a, b) => (pick(b, a) ? b : a))[key];
  return {
    throughputMBps: by('throughputMBps', (a, b) => a.throughputMBps > b.throughputMBps),
    cpuMsPerMB: by('cpuMsPerMB', (a, b) => a.throughputMBps > b.throughputMBps),
    requestsPerSec: by('requestsPerSec', (a, b) => a.requestsPerSec > b.requestsPerSec),
    cpuMsPerRequest: by('cpuMsPerRequest', (a, b) => a.requestsPerSec > b.requestsPerSec),
    latencyMs: by('latencyMs', (a, b) => a.latencyMs.p50 < b.latencyMs.p50),
    wsEchoMs: by('wsEchoMs', (a, b) => a.wsEchoMs.p50 < b.wsEchoMs.p50),
  };
}

export async function runPreviewBench(line: (s?: string) => void): Promise<PreviewBenchResult> {
  const cfg: PreviewBenchResult['config'] = { rounds: 3, downloadMB: 50, downloadRuns: 2, connections: 4, rpsSeconds: 2, latencyN: 1000, wsN: 1000 };
  const dataDir = mkdtempSync(join(tmpdir(), 'ph-bench-preview-'));
  const children: Child[] = [];
  const start = async (args: string[]) => {
    const started = await startChild(args, /READY (\S+)\n/, 30_000);
    children.push(started.child);
    return { pid: started.child.pid, value: started.match[1]! };
  };
  try {
    const token = await seedMember(dataDir, 'bench/preview', 'bench-preview');
    const dev = await start([...PARTS, 'dev']);
    const devPort = Number(dev.value);
    const hub = await start([...PROFILE, ...PARTS, 'hub', dataDir]);
    const hubPort = Number(new URL(hub.value).port);
    const runner = await start([...PROFILE, ...PARTS, 'runner', JSON.stringify({ hubUrl: hub.value, token, channel: 'bench/preview', devPort })]);
    const { host, cookie } = await signIn(hubPort, token, runner.value);
    const relay = await start([...PARTS, 'relay', String(devPort)]);
    const proxy = await start([...PARTS, 'proxy', relay.value]);

    line(`preview: dev server, hub, runner (and the floor's proxy and relay) in processes of their own; ${cfg.rounds} interleaved rounds, best kept; ${cfg.downloadMB} MB download (x${cfg.downloadRuns}), small GETs over ${cfg.connections} keep-alive connections for ${cfg.rpsSeconds} s, ${cfg.latencyN} sequential GETs, ${cfg.wsN} WebSocket echoes`);
    const paths = {
      direct: { target: { port: devPort, host: `localhost:${devPort}`, cookie: null }, pids: { hub: hub.pid, runner: runner.pid, dev: dev.pid } },
      floor: { target: { port: Number(proxy.value), host: `localhost:${devPort}`, cookie: null }, pids: { hub: proxy.pid, runner: relay.pid, dev: dev.pid } },
      preview: { target: { port: hubPort, host, cookie }, pids: { hub: hub.pid, runner: runner.pid, dev: dev.pid } },
    } satisfies Record<string, { target: Target; pids: Pids }>;
    const rounds: Record<keyof typeof paths, PathFigures[]> = { direct: [], floor: [], preview: [] };
    for (let r = 0; r < cfg.rounds; r++) {
      for (const name of ['direct', 'floor', 'preview'] as const) rounds[name].push(await measure(paths[name].target, cfg, paths[name].pids));
    }
    const direct = best(rounds.direct);
    const floor = best(rounds.floor);
    const preview = best(rounds.preview);
    const ratio = { throughput: round(preview.throughputMBps / direct.throughputMBps, 3), requestsPerSec: round(preview.requestsPerSec / direct.requestsPerSec, 3) };
    const ofFloor = { throughput: round(preview.throughputMBps / floor.throughputMBps, 3), requestsPerSec: round(preview.requestsPerSec / floor.requestsPerSec, 3) };
    const addedP50Ms = round(preview.latencyMs.p50 - direct.latencyMs.p50, 3);
    const pad = (s: string | number, n: number) => String(s).padStart(n);
    line(`  ${''.padEnd(8)} ${pad('MB/s', 7)} ${pad('req/s', 7)} ${pad('GET p50', 8)} ${pad('GET p99', 8)} ${pad('ws p50', 7)} ${pad('ws p99', 7)}  (ms)`);
    for (const [name, f] of [['direct', direct], ['floor', floor], ['preview', preview]] as const) {
      line(`  ${name.padEnd(8)} ${pad(f.throughputMBps, 7)} ${pad(f.requestsPerSec, 7)} ${pad(f.latencyMs.p50, 8)} ${pad(f.latencyMs.p99, 8)} ${pad(f.wsEchoMs.p50, 7)} ${pad(f.wsEchoMs.p99, 7)}`);
    }
    const cost = (c: CpuCost) => `client ${c.client}, hub ${c.hub}, runner ${c.runner}, dev ${c.dev}`;
    line(`  CPU ms per MB      (floor: proxy as hub, relay as runner)`);
    for (const [name, f] of [['direct', direct], ['floor', floor], ['preview', preview]] as const) line(`    ${name.padEnd(8)} ${cost(f.cpuMsPerMB)}`);
    line(`  CPU ms per request`);
    for (const [name, f] of [['direct', direct], ['floor', floor], ['preview', preview]] as const) line(`    ${name.padEnd(8)} ${cost(f.cpuMsPerRequest)}`);
    const targetsMet = ratio.throughput >= 0.8 && ratio.requestsPerSec >= 0.8 && addedP50Ms <= 2;
    line(`  ratio preview/direct: throughput ${ratio.throughput}, req/s ${ratio.requestsPerSec} (targets >= 0.8); added GET p50 ${addedP50Ms} ms (target <= 2)${targetsMet ? '' : '  BELOW TARGET'}`);
    line(`  ratio preview/floor: throughput ${ofFloor.throughput}, req/s ${ofFloor.requestsPerSec} (the floor is any Node proxy with the preview's hops on this machine)`);
    return { config: cfg, direct, floor, preview, ratio, ofFloor, addedP50Ms, targetsMet };
  } finally {
    for (const child of children.reverse()) await stopChild(child);
    rmSync(dataDir, { recursive: true, force: true });
  }
}
