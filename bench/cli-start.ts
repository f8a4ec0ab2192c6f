// Cold start of the compiled CLI (issue: ship it): `node packages/cli/bin/pilothouse.js …` spawned
// afresh for `--help`, `run --help`, `hub --help`, `doctor` (its checks, in a scratch HOME; it exits 1
// there, as no agent is signed in) and `hub` (port 0, a new SQLite data dir each time) up to its first
// `GET /healthz` 200; against `node -e ''` (Node's own start, the floor) in the same run. Cases take
// turns, round after round, so that the machine's moods fall on all of them alike; one untimed round
// first (the files in the page cache, as on any second start). Target: `--help` and `run --help`
// ≤ 250 ms. Then the size of the package `npm run pack` makes, packed afresh in the same run.

import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { percentile, round } from './procs.js';

const ROOT = join(import.meta.dirname, '..');
const CLI = join(ROOT, 'packages', 'cli', 'bin', 'pilothouse.js');
const RUNS = 10;
/** doctor and hub take seconds each. */
const SLOW_RUNS = 5;
const HELP_TARGET_MS = 250;

interface Case {
  name: string;
  runs: number;
  target?: number;
  /** One timed start; throws when the command did not do its job. */
  once(): Promise<number>;
}

export interface Figures {
  runs: number;
  medianMs: number;
  p90Ms: number;
  /** median / the baseline's median. */
  ratio: number;
  targetMs?: number;
}

export interface CliStart {
  baseline: Figures;
  cases: Record<string, Figures>;
  tarball: { file: string; kib: number; unpackedKib: number; files: number } | null;
}

interface Exited {
  ms: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Spawn → exit of `node args…` with exactly `env` (nothing of the caller's PILOTHOUSE_*, NODE_OPTIONS…). */
function timedRun(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<Exited> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let ms = Number.NaN;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.once('error', reject);
    child.once('exit', () => (ms = performance.now() - t0));
    child.once('close', (code) => resolve({ ms, code, stdout, stderr }));
  });
}

function expectExit(what: string, r: Exited, codes: number[], stdout: RegExp): number {
  if (r.code === null || !codes.includes(r.code) || !stdout.test(r.stdout)) {
    throw new Error(`${what} exited ${String(r.code)} (expected ${codes.join(' or ')} and stdout matching ${String(stdout)}):\n${r.stdout.slice(0, 2000)}\n${r.stderr.slice(-2000)}`);
  }
  return r.ms;
}

/** `pilothouse hub` on port 0 with a new data dir: spawn → the first GET /healthz answered 200; then SIGTERM and a clean exit. */
async function hubToHealthz(env: NodeJS.ProcessEnv, scratch: string, n: number): Promise<number> {
  const dataDir = join(scratch, `hub-${n}`);
  const t0 = performance.now();
  const child = spawn(process.execPath, [CLI, 'hub', '--port', '0', '--data', dataDir], { env, cwd: scratch, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString('utf8')).slice(-8192)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let ms: number;
  let code: number | null;
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString('utf8');
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      void exited.then((c) => reject(new Error(`pilothouse hub exited ${String(c)} before it listened:\n${stderr}`)));
    });
    // It prints the line once it listens: the first request is answered, or the bench fails.
    const res = await fetch(`${url}/healthz`);
    ms = performance.now() - t0;
    await res.body?.cancel();
    if (res.status !== 200) throw new Error(`GET ${url}/healthz answered ${res.status} right after "listening"`);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    code = await exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
  if (code !== 0) throw new Error(`pilothouse hub exited ${String(code)} after SIGTERM:\n${stderr}`);
  return ms;
}

/** Any HTTP answer, so that doctor's `model` check passes without the network. */
async function fakeModelProvider(): Promise<{ server: Server; url: string }> {
  const server = createServer((_req, res) => res.writeHead(404).end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1` };
}

/** The package as `npm run pack` makes it, packed afresh into a scratch folder: its size, and the sum of the file sizes `tar -tzvf` lists. */
function tarball(): CliStart['tarball'] {
  const dir = mkdtempSync(join(tmpdir(), 'ph-bench-pack-'));
  execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'pack.ts'), '--out', dir], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const name = readdirSync(dir).find((f) => /^pilothouse-.*\.tgz$/.test(f));
  if (name === undefined) return null;
  const file = join(dir, name);
  // `-rw-r--r-- 0/0    1234 1985-10-26 08:15 package/…`: the third field is the size; regular files only.
  const listed = execFileSync('tar', ['-tzvf', file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
    .split('\n')
    .filter((l) => l.startsWith('-'))
    .map((l) => Number(l.trim().split(/\s+/)[2]));
  const unpacked = listed.reduce((a, b) => a + b, 0);
  const size = statSync(file).size;
  rmSync(dir, { recursive: true, force: true });
  return { file: name, kib: round(size / 1024, 1), unpackedKib: round(unpacked / 1024, 1), files: listed.length };
}

const figures = (ms: number[], baselineMedian: number, target?: number): Figures => {
  const s = [...ms].sort((a, b) => a - b);
  const median = percentile(s, 50);
  return { runs: s.length, medianMs: round(median, 1), p90Ms: round(percentile(s, 90), 1), ratio: round(median / baselineMedian, 2), ...(target !== undefined ? { targetMs: target } : {}) };
};

export async function cliStartBench(line: (s: string) => void): Promise<CliStart> {
  const scratch = mkdtempSync(join(tmpdir(), 'ph-bench-cli-'));
  const home = join(scratch, 'home');
  mkdirSync(home);
  const model = await fakeModelProvider();
  try {
    // A clean environment: no PILOTHOUSE_* (a PILOTHOUSE_DATABASE_URL would move the hub to PostgreSQL), no keys, no NODE_OPTIONS.
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home };
    const doctorEnv: NodeJS.ProcessEnv = { ...env, OPENAI_BASE_URL: model.url };
    const help = (args: string[]) => async () => expectExit(`pilothouse ${args.join(' ')}`, await timedRun([CLI, ...args], env, scratch), [0], /Examples:\n {2}pilothouse/);
    let hubRuns = 0;
    const baseline: Case = { name: "node -e ''", runs: RUNS, once: async () => expectExit("node -e ''", await timedRun(['-e', ''], env, scratch), [0], /^$/) };
    const cases: Case[] = [
      { name: '--help', runs: RUNS, target: HELP_TARGET_MS, once: help(['--help']) },
      { name: 'run --help', runs: RUNS, target: HELP_TARGET_MS, once: help(['run', '--help']) },
      { name: 'hub --help', runs: RUNS, once: help(['hub', '--help']) },
      // Every check ran: the first line is `node`, the last `trust` (it fails: nothing is trusted in a new HOME).
      { name: 'doctor', runs: SLOW_RUNS, once: async () => expectExit('pilothouse doctor', await timedRun([CLI, 'doctor', '--cwd', scratch], doctorEnv, scratch), [0, 1], /^ok {3}node: [\s\S]*\n(ok|fail) +trust: [^\n]*\n$/) },
      { name: 'hub → /healthz 200', runs: SLOW_RUNS, once: () => hubToHealthz(env, scratch, hubRuns++) },
    ];
    const all = [baseline, ...cases];
    line(`cli: cold start of the compiled CLI (node packages/cli/bin/pilothouse.js), ${RUNS} runs each (doctor and hub ${SLOW_RUNS}), in turns after one untimed round; baseline node -e '' in the same run`);
    for (const c of all) await c.once();
    const times = new Map<Case, number[]>(all.map((c) => [c, []]));
    for (let round = 0; round < RUNS; round++) {
      for (const c of all) if (round < c.runs) times.get(c)!.push(await c.once());
    }
    const baseMedian = percentile([...times.get(baseline)!].sort((a, b) => a - b), 50);
    const base = figures(times.get(baseline)!, baseMedian);
    const result: CliStart = { baseline: base, cases: {}, tarball: null };
    const pad = (s: string | number, n: number) => String(s).padStart(n);
    line(`  ${''.padEnd(20)} ${pad('median', 8)} ${pad('p90', 8)} ${pad("× node -e ''", 13)}  (ms)`);
    line(`  ${baseline.name.padEnd(20)} ${pad(base.medianMs, 8)} ${pad(base.p90Ms, 8)} ${pad('1', 13)}`);
    for (const c of cases) {
      const f = figures(times.get(c)!, baseMedian, c.target);
      result.cases[c.name] = f;
      const verdict = c.target === undefined ? '' : `  target ≤ ${c.target} ms: ${f.medianMs <= c.target ? 'met' : 'MISSED'}`;
      line(`  ${c.name.padEnd(20)} ${pad(f.medianMs, 8)} ${pad(f.p90Ms, 8)} ${pad(f.ratio, 13)}${verdict}`);
    }
    line('  (doctor: every check in a scratch HOME, exit 1 as nothing is signed in or trusted there; hub: spawn → first GET /healthz 200 on a new SQLite store, migrations included)');
    result.tarball = tarball();
    if (result.tarball === null) line('  tarball: scripts/pack.ts wrote no pilothouse-*.tgz');
    else line(`  tarball: ${result.tarball.file} ${result.tarball.kib} KiB, unpacked ${result.tarball.unpackedKib} KiB in ${result.tarball.files} files`);
    return result;
  } finally {
    await new Promise((resolve) => model.server.close(resolve));
    rmSync(scratch, { recursive: true, force: true });
  }
}
