// `pilothouse machine` (the daemon that starts sessions from the web), in the e2e world of
// e2e/support/machine-world.ts: the real hub with the web UI, the daemon as a process from the CLI
// bundle, its `pilothouse run` processes, real Codex against the scripted model, real git.
// 1) "New session" submitted in Chromium → the new session's first agent row visible on the page,
//    warm (one start first, not counted), N starts (target ≤ 3000 ms); against it, in the same run,
//    a plain `pilothouse run` spawn → its session line (the runner's own start).
// 2) The daemon idle (online, no sessions): CPU over 10 s, RSS.
// 3) 10 sessions at once on the machine (10 socket pushes `session_start` at once), all processed: RSS of each
//    runner and of its agent (the runner's descendants, Codex), and the daemon's RSS and CPU while
//    the 10 sit idle against its idle baseline.

import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Page } from 'playwright-core';
import type { MachineSession, Message } from '@pilothouse/protocol';
import { PushError } from '@pilothouse/hub/testing';
import { ensureWebBuild, launchBrowser, openPerson, setPasswords, signIn } from '../e2e/support/browser.js';
import { machineWorld, type MachineWorld } from '../e2e/support/machine-world.js';
import { startRunnerProcess } from '../e2e/support/runner-process.js';
import { cpuSeconds, percentile, round } from './procs.js';
import { descendants, MB, rssBytes } from './runner-procs.js';

const STARTS = 5;
const PARALLEL = 10;
const SAMPLE_MS = 10_000;
const TARGET_MS = 3000;
const PASSWORD = 'correct horse battery';

export interface MachinesResult {
  webStart: { n: number; ms: number[]; p50Ms: number; maxMs: number; targetMs: number; firstRowKinds: string[] };
  runnerSpawn: { n: number; ms: number[]; p50Ms: number; maxMs: number };
  idle: { cpuPct: number; cpuSeconds: number; rssMiB: number; seconds: number };
  parallel: {
    sessions: number;
    /** Each session_start push → its reply (the runner's thread live), one after another. */
    startMs: { p50: number; max: number };
    /** First push → every instruction processed. */
    allProcessedMs: number;
    runnerRssMiB: { p50: number; max: number; sum: number };
    agentRssMiB: { p50: number; max: number; sum: number };
    daemon: { rssMiB: number; rssBeforeMiB: number; rssDeltaMiB: number; cpuPct: number; cpuSeconds: number; idleCpuPct: number };
  };
}

const mib = (bytes: number) => round(bytes / MB, 1);
const stats = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), max: sorted[sorted.length - 1] ?? Number.NaN, sum: xs.reduce((a, b) => a + b, 0) };
};

/** CPU of `pid` over `ms` of wall time: seconds used (utime+stime, clock-tick resolution) and % of one core. */
async function cpuOver(pid: number, ms: number): Promise<{ cpuSeconds: number; cpuPct: number }> {
  const c0 = cpuSeconds(pid);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, ms));
  const used = cpuSeconds(pid) - c0;
  return { cpuSeconds: round(used, 2), cpuPct: round((used / ((performance.now() - t0) / 1000)) * 100, 2) };
}

const machineRow = (page: Page) => page.locator('[data-testid=machine][data-machine=devbox]');

/** Fills "New session" (the default folder, the repository, in a new worktree) and times submit → first agent row of the new thread. */
async function timedStart(page: Page, instruction: string, marker: string): Promise<{ ms: number; threadId: string; kind: string }> {
  await machineRow(page).waitFor();
  await machineRow(page).locator('[data-testid=new-session]').click();
  const dialog = page.locator('[data-testid=new-session-dialog]');
  await dialog.waitFor();
  await dialog.getByLabel('First instruction').fill(instruction);
  const submit = dialog.locator('[data-testid=new-session-submit]');
  await submit.waitFor();
  const before = page.url();
  const t0 = performance.now();
  await submit.click();
  await page.waitForURL((url) => url.href !== before && /\/t\/[^/]+$/.test(url.pathname), { timeout: 60_000 });
  // The first row the agent streamed into this thread: its command (which names the file) or its answer.
  const row = page.locator('article.row.by-runner:not([data-kind=session])', { hasText: marker }).first();
  await row.waitFor({ state: 'visible', timeout: 90_000 });
  const ms = performance.now() - t0;
  return { ms: Math.round(ms), threadId: /\/t\/([^/]+)$/.exec(page.url())![1]!, kind: (await row.getAttribute('data-kind')) ?? '?' };
}

/** The daemon's environment (what its runners get too), read back from /proc. */
function environOf(pid: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const kv of readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
    const i = kv.indexOf('=');
    if (i > 0) env[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return env;
}

let clientIds = 0;
const endSession = (w: MachineWorld, sessionId: string) => w.alice.push('session_end', { ...w.ref(), session_id: sessionId, how: 'discard', confirm: true });

/** Until the first instruction in the session thread was processed (its agent's turn ended). */
const processed = (w: MachineWorld, s: MachineSession) =>
  w.waitUntil(async () => {
    const t: Message[] = await w.thread(s.thread_id!);
    const instr = t.find((m) => m.runner_id === null && m.kind === 'text');
    return instr?.state?.state === 'processed' ? t : null;
  }, `the first instruction of ${s.session_id} to be processed`, 120_000);

export async function machinesBench(line: (s: string) => void): Promise<MachinesResult> {
  ensureWebBuild();
  const [w, browser] = await Promise.all([machineWorld({ maxSessions: PARALLEL + 2 }), launchBrowser()]);
  try {
    await setPasswords(w.hub, { alice: PASSWORD });
    const daemon = await w.startDaemon();
    const daemonPid = daemon.child.pid!;
    await w.waitUntil(() => w.machine()?.online, 'the machine online');
    const { page } = await openPerson(browser);
    await page.goto(w.hub.url);
    await signIn(page, 'alice', PASSWORD);
    await page.locator('nav.sidebar').waitFor({ state: 'attached' });
    await page.goto(`${w.hub.url}/c/acme/agents`);
    await machineRow(page).waitFor();
    line(`machines: the daemon (pid ${daemonPid}) online; sampling it idle for ${SAMPLE_MS / 1000} s`);

    // 2) Idle daemon.
    const idleCpu = await cpuOver(daemonPid, SAMPLE_MS);
    const idleRss = rssBytes(daemonPid);
    const idle = { ...idleCpu, rssMiB: mib(idleRss), seconds: SAMPLE_MS / 1000 };

    // 1) New session from the page → first agent row, warm.
    const ms: number[] = [];
    const kinds: string[] = [];
    for (let i = 0; i <= STARTS; i++) {
      const file = `web${i}.txt`;
      const r = await timedStart(page, `write ${file} run${i}`, file);
      if (i > 0) {
        ms.push(r.ms);
        kinds.push(r.kind);
      }
      const s = await w.waitUntil(() => w.machine()?.sessions.find((x) => x.thread_id === r.threadId), 'the session listed');
      await processed(w, s);
      await endSession(w, s.session_id);
    }
    const web = stats(ms);
    const webStart = { n: STARTS, ms, p50Ms: web.p50, maxMs: web.max, targetMs: TARGET_MS, firstRowKinds: [...new Set(kinds)] };

    // Baseline: a plain `pilothouse run` (the same bundle, the daemon's environment) → its session line.
    const env = environOf(daemonPid);
    const spawnMs: number[] = [];
    for (let i = 0; i <= STARTS; i++) {
      const t0 = performance.now();
      const runner = await startRunnerProcess(['--channel', 'acme/agents', '--cwd', w.plain, '--agent', 'codex', '--name', `bench-baseline-${i}`, '--sandbox', 'workspace-write', '--approval-policy', 'on-request'], env);
      const took = Math.round(performance.now() - t0);
      if (i > 0) spawnMs.push(took);
      await runner.stop();
    }
    const sp = stats(spawnMs);
    const runnerSpawn = { n: STARTS, ms: spawnMs, p50Ms: sp.p50, maxMs: sp.max };
    line(`  New session submit → first agent row in the browser, warm, n=${STARTS}: p50 ${webStart.p50Ms} ms, max ${webStart.maxMs} ms (target ≤ ${TARGET_MS}) [${ms.join(', ')}] (first row: ${webStart.firstRowKinds.join('/')})`);
    line(`  baseline, plain \`pilothouse run\` spawn → session line, n=${STARTS}: p50 ${runnerSpawn.p50Ms} ms, max ${runnerSpawn.maxMs} ms [${spawnMs.join(', ')}]`);
    line(`  daemon idle (online, no sessions): CPU ${idle.cpuPct}% of a core (${idle.cpuSeconds} CPU-s over ${idle.seconds} s), RSS ${idle.rssMiB} MiB`);

    // 3) 10 sessions at once.
    const rssBefore = rssBytes(daemonPid);
    const t0 = performance.now();
    // All pushed at once, as ten people clicking together (the daemon makes their worktrees one at a time per repository).
    const startMs: number[] = [];
    const started: MachineSession[] = await Promise.all(
      Array.from({ length: PARALLEL }, async (_, i) => {
        const payload = { ...w.ref(), client_id: `bench-par-${++clientIds}`, folder: w.repo, agent: 'codex', worktree: true, instruction: `write par${i}.txt p${i}`, slug: `bench-par-${i}` };
        const s0 = performance.now();
        const res = (await w.alice.push('session_start', payload).catch((err: unknown) => {
          throw new Error(`session_start ${i} refused: ${JSON.stringify(err instanceof PushError ? err.response : String(err))}`);
        })) as { session: MachineSession };
        startMs.push(Math.round(performance.now() - s0));
        return res.session;
      }),
    );
    await Promise.all(started.map((s) => processed(w, s)));
    const allProcessedMs = Math.round(performance.now() - t0);
    const pids = w.runnerPids();
    if (pids.length !== PARALLEL) throw new Error(`expected ${PARALLEL} runners, found ${pids.length}`);
    const busyCpu = await cpuOver(daemonPid, SAMPLE_MS);
    const daemonRss = rssBytes(daemonPid);
    const runnerRss = pids.map(rssBytes);
    const agentRss = pids.map((pid) => descendants(pid).reduce((sum, p) => sum + (rssBytes(p.pid) || 0), 0));
    const agentComms = [...new Set(pids.flatMap((pid) => descendants(pid).map((p) => p.comm)))];
    const r = stats(runnerRss);
    const a = stats(agentRss);
    const parallel = {
      sessions: PARALLEL,
      startMs: { p50: stats(startMs).p50, max: stats(startMs).max },
      allProcessedMs,
      runnerRssMiB: { p50: mib(r.p50), max: mib(r.max), sum: mib(r.sum) },
      agentRssMiB: { p50: mib(a.p50), max: mib(a.max), sum: mib(a.sum) },
      daemon: { rssMiB: mib(daemonRss), rssBeforeMiB: mib(rssBefore), rssDeltaMiB: mib(daemonRss - idleRss), cpuPct: busyCpu.cpuPct, cpuSeconds: busyCpu.cpuSeconds, idleCpuPct: idle.cpuPct },
    };
    line(`  ${PARALLEL} sessions at once (10 session_start pushes together, push → reply p50 ${parallel.startMs.p50} ms, max ${parallel.startMs.max} ms; first push → all processed ${allProcessedMs} ms):`);
    line(`    per session: runner RSS p50 ${parallel.runnerRssMiB.p50} MiB, max ${parallel.runnerRssMiB.max} MiB; its agent (${agentComms.join(', ')}) RSS p50 ${parallel.agentRssMiB.p50} MiB, max ${parallel.agentRssMiB.max} MiB; all ${PARALLEL}: runners ${parallel.runnerRssMiB.sum} + agents ${parallel.agentRssMiB.sum} MiB`);
    line(`    daemon overhead: RSS ${parallel.daemon.rssMiB} MiB, ${parallel.daemon.rssDeltaMiB >= 0 ? '+' : ''}${parallel.daemon.rssDeltaMiB} MiB over idle ${idle.rssMiB} (${parallel.daemon.rssBeforeMiB} just before the ${PARALLEL}); CPU ${busyCpu.cpuPct}% (${busyCpu.cpuSeconds} CPU-s over ${SAMPLE_MS / 1000} s) with the ${PARALLEL} idle vs ${idle.cpuPct}% (${idle.cpuSeconds} CPU-s) with none`);
    return { webStart, runnerSpawn, idle, parallel };
  } finally {
    await browser.close();
    await w.close();
  }
}
