// The runner's figures for `npm run bench` (issue 4, "Benchmark"), printed as human-readable lines
// and returned for BENCH_JSON:
// 1. 10,000 deltas into one item, end to end with real parts (runner-stream.ts), the model paced
//    at 1 ms per delta (each delta reaches the runner on its own, as from a real model) and as one
//    burst; with the floor under the paced CPU (runner-floor.ts) and the core's share (runner-core.ts).
// 2. Runner memory over many short turns: (a) 1,000 turns through the pure session core
//    (runner-core.ts); (b) BENCH_RUNNER_TURNS (default 100) real turns (runner-turns.ts).
// Every part runs in processes of its own; this process only orchestrates and listens.

import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PINNED_CODEX_VERSION } from '@pilothouse/runner';
import { round, startChild } from './procs.js';
import type { CoreOptions, CoreResult } from './runner-core.js';
import type { FloorResult } from './runner-floor.js';
import { MB } from './runner-procs.js';
import { startRunnerSession } from './runner-session.js';
import { runStream, storeBytes, type StreamResult } from './runner-stream.js';
import { runTurns, type TurnsResult } from './runner-turns.js';
import { chunks } from './runner-words.js';

const ROOT = join(import.meta.dirname, '..');
const TSX = ['--conditions=source', '--import', 'tsx'];
const FLUSH_MS = 150;
const DELTAS = 10_000;
/** A real model's pace (~50 deltas/s): few deltas per flush window. */
const SLOW = { deltas: 250, delayMs: 20 };

export interface RunnerFigures {
  stream: { paced: StreamResult; burst: StreamResult; slow: StreamResult; floor: FloorResult; attribution: Attribution };
  coreTurns: Omit<CoreResult, 'micro'>;
  realTurns: TurnsResult | null;
  seconds: number;
}

/** Figure 1's paced runner CPU per delta, split into what was measured apart. */
interface Attribution {
  total: number;
  bareNodeWakeup: number;
  parseInbound: number;
  step: number;
  timerRearm: number;
  rest: number;
}

const pad = (s: string | number, n: number) => String(s).padStart(n);

async function childResult<T>(args: string[], timeoutMs: number): Promise<T> {
  const { child, match } = await startChild(args, /RESULT (.*)\n/, timeoutMs);
  await child.exited;
  return JSON.parse(match[1]!) as T;
}

function streamLine(name: string, r: StreamResult): string {
  const s = r.store!;
  return (
    `  ${name.padEnd(18)} ${pad(r.deltasForwarded, 7)} ${pad(`${r.appends}/${s.appendRows}`, 9)} ${pad(r.streamSeconds.toFixed(2), 8)} ${pad(r.flushWindows, 7)}` +
    ` ${pad(r.appendsPerWindow.toFixed(2), 8)} ${pad(r.earlyAppends, 6)} ${pad(s.storeOverOutput.toFixed(3), 9)} ${pad(s.storeWithEventDataOverOutput.toFixed(3), 9)}` +
    ` ${pad(r.runnerCpuMicrosPerDelta.toFixed(1), 9)} ${pad((r.runnerSystemMicros / r.deltasSent).toFixed(1), 6)} ${pad(`${r.othersPct}%`, 7)}` +
    `${s.rowMatchesOutput ? '' : '  ROW DIFFERS FROM OUTPUT'}${r.bodyReplaced ? '  (body replaced at completion)' : ''}`
  );
}

export async function runRunnerBench(line: (s?: string) => void): Promise<RunnerFigures> {
  const started = performance.now();
  const realTurnCount = Math.max(0, Math.min(1000, Number(process.env.BENCH_RUNNER_TURNS ?? 100)));

  const floor = await childResult<FloorResult>([...TSX, join(ROOT, 'bench/runner-floor.ts'), '3000'], 30_000);
  const coreOpts: CoreOptions = { turns: 1000, sampleEvery: 100, agentDeltas: 100, reasoningDeltas: 20, commandLines: 30, microDeltas: DELTAS };
  const core = await childResult<CoreResult>(['--expose-gc', ...TSX, join(ROOT, 'bench/runner-core.ts'), JSON.stringify(coreOpts)], 60_000);

  const session = await startRunnerSession();
  let paced: StreamResult;
  let burst: StreamResult;
  let slow: StreamResult;
  let real: TurnsResult | null = null;
  try {
    paced = await runStream(session, { deltas: DELTAS, delayMs: 1, streamFlushMs: FLUSH_MS });
    burst = await runStream(session, { deltas: DELTAS, delayMs: 0, streamFlushMs: FLUSH_MS });
    slow = await runStream(session, { ...SLOW, streamFlushMs: FLUSH_MS });
    if (realTurnCount >= 20) real = await runTurns(session, { turns: realTurnCount, sampleEvery: 10, baseline: 10, streamFlushMs: FLUSH_MS });
  } finally {
    await session.stop();
  }
  try {
    const output = (n: number) => {
      const text = chunks(n).join('');
      return { bytes: Buffer.byteLength(text, 'utf8'), text };
    };
    paced.store = storeBytes(session.dataDir, paced.itemKey, output(DELTAS));
    burst.store = storeBytes(session.dataDir, burst.itemKey, output(DELTAS));
    slow.store = storeBytes(session.dataDir, slow.itemKey, output(SLOW.deltas));
  } finally {
    session.remove();
  }

  const { micro, ...coreTurns } = core;
  const attribution: Attribution = {
    total: paced.runnerCpuMicrosPerDelta,
    bareNodeWakeup: floor.cpuMicrosPerLine,
    parseInbound: micro.parseMicrosPerLine,
    step: micro.stepMicrosPerDelta,
    timerRearm: micro.timerRearmMicros,
    rest: round(paced.runnerCpuMicrosPerDelta - floor.cpuMicrosPerLine - micro.parseMicrosPerLine - micro.stepMicrosPerDelta - micro.timerRearmMicros, 1),
  };

  line(`runner: ${DELTAS} deltas into one item, end to end: hub, scripted model, Codex ${PINNED_CODEX_VERSION} and the runner each in a process of its own; --stream-flush-ms ${FLUSH_MS}`);
  line(`  (targets: appends per flush window <= 1, store/output <= 1.1; runner CPU from the runner process's own process.cpuUsage, Codex/hub/model excluded)`);
  line(
    `  ${'model pacing'.padEnd(18)} ${pad('deltas', 7)} ${pad('appends', 9)} ${pad('stream s', 8)} ${pad('windows', 7)} ${pad('app/win', 8)} ${pad('early', 6)} ${pad('store/out', 9)} ${pad('+evt data', 9)} ${pad('CPU µs/d', 9)} ${pad('sys', 6)} ${pad('others', 7)}`,
  );
  line(streamLine('1 ms per delta', paced));
  line(streamLine('one burst', burst));
  line(streamLine(`${SLOW.deltas} at ${SLOW.delayMs} ms`, slow));
  const perAppendData = Math.round(paced.store.appendDataBytes / Math.max(1, paced.store.appendRows));
  line(
    `  (deltas: item/agentMessage/delta lines Codex wrote to the runner, of those the model sent; appends: received by the listen user / stored for the row;` +
      ` windows: ceil(stream time / ${FLUSH_MS} ms); early: appends < ${FLUSH_MS / 2} ms after the row's previous write; others: CPU of processes outside the bench, % of a core)`,
  );
  line(
    `  (store/out: (messages.body + the appends' events.text) / output UTF-8 bytes (${paced.outputBytes} B, ${slow.outputBytes} B for ${SLOW.deltas});` +
      ` +evt data also counts the events.data JSON of the row's events, ${perAppendData} B per append; the ${SLOW.deltas}-delta CPU includes the turn's fixed cost)`,
  );
  line(
    `  paced: first append ${paced.firstAppendAfterMs} ms after the row was posted, smallest gap between appends ${paced.minAppendGapMs} ms (steady ${paced.minSteadyGapMs} ms);` +
      ` turn ${paced.turnSeconds} s; CPU meanwhile: codex ${paced.otherCpuSeconds.agent} s, hub ${paced.otherCpuSeconds.hub} s, model ${paced.otherCpuSeconds.model} s`,
  );
  line(
    `  paced runner CPU per delta ${attribution.total} µs: a bare Node process woken once per line (readline + JSON.parse, same pacing) pays ${attribution.bareNodeWakeup};` +
      ` measured hot in a loop: parseInbound ${attribution.parseInbound}, step ${attribution.step}, timer re-arm ${attribution.timerRearm}; remainder ${attribution.rest} (the shell's path per delta run cold, GC)`,
  );

  const rss = (b: number) => (b / MB).toFixed(1);
  const c100 = core.samples.find((s) => s.turn === 100)!;
  const cLast = core.samples.at(-1)!;
  line(
    `runner: ${core.turns} short turns through the pure session core (step + a sink playing the hub, virtual clock; ${core.deltas} deltas, ${core.inputs} inputs, ${core.microsPerInput} CPU µs/input incl. the sampling GCs):`,
  );
  line(
    `  after GC, turn 100 -> ${cLast.turn}: RSS ${rss(c100.rss)} -> ${rss(cLast.rss)} MB (${core.rssGrowthMB >= 0 ? '+' : ''}${core.rssGrowthMB} MB, target <= 10), heapUsed ${rss(c100.heapUsed)} -> ${rss(cLast.heapUsed)} MB (${core.heapGrowthMB >= 0 ? '+' : ''}${core.heapGrowthMB} MB);` +
      ` ${core.processed} processed, warnings ${JSON.stringify(core.warnings)}`,
  );
  if (real) {
    const b = real.samples.find((s) => s.turn === real.baseline)!;
    const l = real.samples.at(-1)!;
    line(
      `runner: ${real.turns} real short turns (hub + Codex + runner; every 5th with reasoning, every 10th runs a command), ${real.meanTurnMs} ms per turn, ${real.failed} failed:`,
    );
    line(
      `  runner process after GC, turn ${b.turn} -> ${l.turn}: RSS ${rss(b.rss)} -> ${rss(l.rss)} MB (${real.rssGrowthMB >= 0 ? '+' : ''}${real.rssGrowthMB} MB, target <= 10), heapUsed ${rss(b.heapUsed)} -> ${rss(l.heapUsed)} MB (${real.heapGrowthMB >= 0 ? '+' : ''}${real.heapGrowthMB} MB);` +
        ` codex RSS ${rss(b.codexRss)} -> ${rss(l.codexRss)} MB; runner CPU ${real.runnerCpuMicrosPerTurn} µs per turn`,
    );
  } else {
    line(`runner: real turns skipped (BENCH_RUNNER_TURNS=${realTurnCount}; at least 20 are needed)`);
  }
  const seconds = round((performance.now() - started) / 1000, 1);
  line(`runner total ${seconds} s`);
  return { stream: { paced, burst, slow, floor, attribution }, coreTurns, realTurns: real, seconds };
}
