// `pilothouse hub` and its retention of event payloads, as a child process: a bad number of days
// (flag, environment variable or config.toml) stops it with one line and exit 2 before anything
// starts; `[server] retain_event_payloads_days` in $PILOTHOUSE_HOME/config.toml is used, and the flag
// wins over it. The hub says in its log which retention it runs with.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';

const CLI = resolve(import.meta.dirname, '../bin/pilothouse.js');
const home = mkdtempSync(join(tmpdir(), 'ph-retain-home-'));
const data = mkdtempSync(join(tmpdir(), 'ph-retain-data-'));
const config = join(home, 'config.toml');
afterAll(() => {
  rmSync(home, { recursive: true, force: true });
  rmSync(data, { recursive: true, force: true });
});

const RULE = 'must be a whole number of days from 1 to 36500, e.g. 90 (leave it out to keep payloads forever).';

/** A clean environment: none of the caller's PILOTHOUSE_* settings leak in. */
const env = (extra: Record<string, string> = {}) => ({ PATH: process.env.PATH ?? '', HOME: home, PILOTHOUSE_HOME: home, ...extra });

function refused(args: string[], extra: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [CLI, 'hub', '--port', '0', '--data', data, ...args], { env: env(extra), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => res({ code: code ?? -1, stdout, stderr }));
  });
}

/** Starts the hub, stops it once it listens, and reads its log for the `retention_started` line. */
async function retentionOf(args: string[]): Promise<{ after_days: number; every_ms: number } | null> {
  const child = spawn(process.execPath, [CLI, 'hub', '--port', '0', '--data', data, '--log-level', 'info', ...args], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
  // 'close': the process exited and its stdout and stderr were read to the end.
  const closed = new Promise<number | null>((res) => child.once('close', res));
  const lines: Record<string, unknown>[] = [];
  createInterface({ input: child.stderr }).on('line', (l) => {
    if (l.startsWith('{')) lines.push(JSON.parse(l) as Record<string, unknown>);
  });
  await new Promise<void>((res, rej) => {
    createInterface({ input: child.stdout }).on('line', (l) => l.includes('listening on') && res());
    child.once('exit', (code) => rej(new Error(`the hub exited with ${code}`)));
  });
  child.kill('SIGTERM');
  expect(await closed).toBe(0);
  const started = lines.find((l) => l.event === 'retention_started');
  return started ? { after_days: started.after_days as number, every_ms: started.every_ms as number } : null;
}

describe('pilothouse hub --retain-event-payloads', () => {
  it.each([['0'], ['-3'], ['2.5'], ['36501'], ['forever']])('refuses %j in one line, exit 2', async (days) => {
    expect(await refused(['--retain-event-payloads', days])).toEqual({ code: 2, stdout: '', stderr: `pilothouse: option '--retain-event-payloads <days>' argument '${days}' is invalid. ${RULE}\n` });
  });

  it('refuses a bad PILOTHOUSE_RETAIN_EVENT_PAYLOADS_DAYS, naming it', async () => {
    expect(await refused([], { PILOTHOUSE_RETAIN_EVENT_PAYLOADS_DAYS: '90 days' })).toEqual({
      code: 2,
      stdout: '',
      stderr: `pilothouse: option '--retain-event-payloads <days>' value '90 days' from env 'PILOTHOUSE_RETAIN_EVENT_PAYLOADS_DAYS' is invalid. ${RULE}\n`,
    });
  });

  it('refuses a bad [server] retain_event_payloads_days with the file, the line and the fix', async () => {
    writeFileSync(config, '[server]\nretain_event_payloads_days = 0\n');
    expect(await refused([])).toEqual({
      code: 2,
      stdout: '',
      stderr: `pilothouse: ${config}, line 2: retain_event_payloads_days must be a whole number from 1 to 36500; fix: write it without quotes, e.g. retain_event_payloads_days = 90.\n`,
    });
  });

  it('keeps payloads forever by default; takes the retention from config.toml; the flag wins', async () => {
    rmSync(config, { force: true });
    expect(await retentionOf([])).toBeNull();
    writeFileSync(config, '[server]\nretain_event_payloads_days = 45\n');
    expect(await retentionOf([])).toEqual({ after_days: 45, every_ms: 3_600_000 });
    expect(await retentionOf(['--retain-event-payloads', '30'])).toEqual({ after_days: 30, every_ms: 3_600_000 });
  });
});
