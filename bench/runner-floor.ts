// Child process: what one delta costs a bare Node process on this machine when every delta wakes
// it, the floor under figure 1's paced runner CPU. A writer child prints `n` Codex-shaped delta
// lines, one per setTimeout(1) (the scripted model's pacing at delayMs 1); this process reads them
// with readline and JSON.parse and nothing else. Prints `RESULT {json}`.
// Usage: runner-floor.ts N (reader) | runner-floor.ts write N (writer).

import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface FloorResult {
  lines: number;
  /** Characters of the deltas read (keeps the parse from being optimised away). */
  deltaChars: number;
  cpuMicrosPerLine: number;
  systemMicrosPerLine: number;
}

const LINE = `${JSON.stringify({
  method: 'item/agentMessage/delta',
  params: { threadId: '01a21251-d591-76c0-b4d9-1bd67530a2f2', turnId: '01a21251-d5a0-7a52-9d0b-7f3b2c1e4d5a', itemId: 'msg_2', delta: ' word' },
  emittedAtMs: 1764067200000,
})}\n`;

if (process.argv[2] === 'write') {
  const n = Number(process.argv[3]);
  let sent = 0;
  const tick = () => {
    process.stdout.write(LINE);
    if (++sent < n) setTimeout(tick, 1);
    else process.stdout.end();
  };
  tick();
} else {
  const n = Number(process.argv[2] ?? 2000);
  const child = spawn(process.execPath, [...process.execArgv, import.meta.filename, 'write', String(n)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let lines = 0;
  let bytes = 0;
  const c0 = process.cpuUsage();
  createInterface({ input: child.stdout }).on('line', (line) => {
    lines++;
    bytes += (JSON.parse(line) as { params: { delta: string } }).params.delta.length;
  });
  child.on('close', () => {
    const u = process.cpuUsage(c0);
    const result: FloorResult = {
      lines,
      deltaChars: bytes,
      cpuMicrosPerLine: Math.round(((u.user + u.system) / Math.max(1, lines)) * 10) / 10,
      systemMicrosPerLine: Math.round((u.system / Math.max(1, lines)) * 10) / 10,
    };
    process.stdout.write(`RESULT ${JSON.stringify(result)}\n`, () => process.exit(0));
  });
}
