// Figure 2b: short turns through the real parts (runner-session.ts): the listen user posts an
// instruction, waits for it to be processed, and posts the next. The model answers most turns with
// a short assistant message, every 5th with a reasoning summary first, every 10th with a shell
// command (Codex runs it in its sandbox and asks again) before the answer. The runner process's
// RSS and heapUsed after two full GCs are sampled every 10 turns; Codex's RSS is read from /proc.

import { performance } from 'node:perf_hooks';
import type { Reply } from '@pilothouse/scripted-model';
import { round } from './procs.js';
import { MB, rssBytes } from './runner-procs.js';
import type { RunnerSession } from './runner-session.js';
import { chunks } from './runner-words.js';

export interface TurnsOptions {
  turns: number;
  sampleEvery: number;
  /** The turn the growth is measured from (after warm-up). */
  baseline: number;
  streamFlushMs: number;
}

export interface TurnSample {
  turn: number;
  rss: number;
  heapUsed: number;
  codexRss: number;
  runnerCpuMicros: number;
}

export interface TurnsResult {
  turns: number;
  failed: number;
  /** Mean post → processed, as the listen user saw it. */
  meanTurnMs: number;
  seconds: number;
  samples: TurnSample[];
  baseline: number;
  rssGrowthMB: number;
  heapGrowthMB: number;
  codexRssGrowthMB: number;
  runnerCpuMicrosPerTurn: number;
}

function replies(turn: number): Reply[] {
  const text = chunks(40, 1000 + turn);
  if (turn % 10 === 0) return [{ type: 'exec', cmd: 'echo bench' }, { type: 'text', chunks: text, delayMs: 0 }];
  if (turn % 5 === 0) return [{ type: 'reasoning', summary: chunks(15, 5000 + turn), text, delayMs: 0 }];
  return [{ type: 'text', chunks: text, delayMs: 0 }];
}

export async function runTurns(session: RunnerSession, opts: TurnsOptions): Promise<TurnsResult> {
  const runner = await session.startRunner(opts.streamFlushMs);
  try {
    const samples: TurnSample[] = [];
    let failed = 0;
    let turnMs = 0;
    // CPU the probes themselves cost the runner (the forced GCs), left out of the per-turn figure.
    let probeMicros = 0;
    const t0 = performance.now();
    for (let turn = 1; turn <= opts.turns; turn++) {
      await session.enqueue(...replies(turn));
      const sent = performance.now();
      const id = await session.listener.say(runner.threadId, `instruction ${turn}`);
      const done = await session.listener.settled(id, ['processed', 'failed'], 60_000);
      turnMs += done.at - sent;
      if (done.state !== 'processed') failed++;
      if (turn % opts.sampleEvery === 0 || turn === opts.baseline) {
        const cpu = await runner.peer.call<{ user: number; system: number }>('cpu');
        const mem = await runner.peer.call<{ rss: number; heapUsed: number }>('mem');
        const after = await runner.peer.call<{ user: number; system: number }>('cpu');
        samples.push({ turn, rss: mem.rss, heapUsed: mem.heapUsed, codexRss: rssBytes(runner.agentPid()), runnerCpuMicros: cpu.user + cpu.system - probeMicros });
        probeMicros += after.user + after.system - (cpu.user + cpu.system);
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    const base = samples.find((s) => s.turn === opts.baseline) ?? samples[0]!;
    const last = samples.at(-1)!;
    return {
      turns: opts.turns,
      failed,
      meanTurnMs: round(turnMs / opts.turns, 1),
      seconds: round(seconds, 2),
      samples,
      baseline: base.turn,
      rssGrowthMB: round((last.rss - base.rss) / MB, 2),
      heapGrowthMB: round((last.heapUsed - base.heapUsed) / MB, 2),
      codexRssGrowthMB: round((last.codexRss - base.codexRss) / MB, 2),
      runnerCpuMicrosPerTurn: round((last.runnerCpuMicros - base.runnerCpuMicros) / Math.max(1, last.turn - base.turn), 0),
    };
  } finally {
    await runner.close();
  }
}
