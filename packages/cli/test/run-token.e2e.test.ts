// `pilothouse run`'s token, as a child process against a stand-in hub (issue 11, finding 7): a token
// passed with --token is gone from the process's command line (ps, /proc/PID/cmdline) once the
// runner starts, and a warning recommends PILOTHOUSE_TOKEN or config.toml; the token from
// PILOTHOUSE_TOKEN is the one sent; no log line carries the token.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CLI = resolve(import.meta.dirname, '../bin/pilothouse.js');
const home = mkdtempSync(join(tmpdir(), 'ph-token-home-'));
const project = realpathSync(mkdtempSync(join(tmpdir(), 'ph-token-project-')));
const SECRET = `ph_${'s3cr3t-T0k3n_'.repeat(4)}`;
const env = { PATH: process.env.PATH ?? '', HOME: home, PILOTHOUSE_HOME: home };

/** The stand-in hub: hands out each GET /api/me as it arrives, answered later by the test. */
let hub: Server;
let hubUrl: string;
let arrivals: ((r: [IncomingMessage, ServerResponse]) => void)[] = [];
const nextRequest = () => new Promise<[IncomingMessage, ServerResponse]>((resolve) => arrivals.push(resolve));

beforeAll(async () => {
  expect(spawnSync(process.execPath, [CLI, 'trust', project], { env }).status).toBe(0);
  hub = createServer((req, res) => arrivals.shift()?.([req, res]));
  await new Promise<void>((r) => hub.listen(0, '127.0.0.1', r));
  hubUrl = `http://127.0.0.1:${(hub.address() as AddressInfo).port}`;
});
afterAll(async () => {
  hub.closeAllConnections();
  await new Promise((r) => hub.close(r));
  arrivals = [];
  rmSync(home, { recursive: true, force: true });
  rmSync(project, { recursive: true, force: true });
});

function run(args: string[], extraEnv: Record<string, string> = {}) {
  const child = spawn(process.execPath, [CLI, 'run', '--cwd', project, '--hub', hubUrl, '--channel', 'acme/agents', ...args], { env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; stderr: string }>((r) => child.once('exit', (code) => r({ code, stderr })));
  return { child, exited };
}

const refuse = (res: ServerResponse) => res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 'unauthorized', message: 'The token is not valid.' }));

describe('pilothouse run and its token', () => {
  it('--token: hidden from the command line once running, a warning names the safer ways, and no log line carries it', async () => {
    const arrived = nextRequest();
    const { child, exited } = run(['--token', SECRET]);
    const [req, res] = await arrived;
    expect(req.headers.authorization).toBe(`Bearer ${SECRET}`);
    const cmdline = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8');
    expect(cmdline).not.toContain(SECRET);
    expect(cmdline).toContain('--token [redacted]');
    refuse(res);
    const { code, stderr } = await exited;
    expect(code).toBe(1);
    expect(stderr).toContain('prefer PILOTHOUSE_TOKEN');
    expect(stderr).toContain('refused the token');
    expect(stderr).not.toContain(SECRET);
  });

  it('PILOTHOUSE_TOKEN: sent to the hub, no warning, never printed', async () => {
    const arrived = nextRequest();
    const { exited } = run([], { PILOTHOUSE_TOKEN: SECRET });
    const [req, res] = await arrived;
    expect(req.headers.authorization).toBe(`Bearer ${SECRET}`);
    refuse(res);
    const { code, stderr } = await exited;
    expect(code).toBe(1);
    expect(stderr).not.toContain('prefer PILOTHOUSE_TOKEN');
    expect(stderr).not.toContain(SECRET);
  });
});
