import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { logTail } from './log-tail.js';

const dir = mkdtempSync(join(tmpdir(), 'ph-log-tail-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('keeps the last warnings and errors, with the part and the error message', () => {
  const file = join(dir, 'demo.log');
  const lines = [
    { level: 30, part: 'hub', msg: 'listening' },
    { level: 40, part: 'runner', msg: 'the hub refused a row', err: 'row_closed' },
    'not json',
    { level: 50, part: 'runner', msg: 'codex app-server exited', err: { message: 'exit code 1' } },
    { level: 60, msg: 'fatal' },
    [1, 2],
  ];
  writeFileSync(file, `${lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')}\n{"level":50,"msg":"cut off`);
  expect(logTail(file)).toEqual(['runner: the hub refused a row (row_closed)', 'runner: codex app-server exited (exit code 1)', 'fatal']);
  expect(logTail(file, 1)).toEqual(['fatal']);
  expect(logTail(join(dir, 'missing.log'))).toEqual([]);
});
