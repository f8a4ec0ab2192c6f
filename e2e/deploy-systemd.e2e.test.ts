// The systemd recipe (deploy/systemd/pilothouse-hub.service), checked offline: PID 1 here is not
// systemd, so the unit cannot be started. `systemd-analyze verify` parses it (an unknown key or a
// bad value is a warning on stderr, which fails the test) with ExecStart's binary pointed at this
// checkout's CLI (verify requires the path to exist); `systemd-analyze security --offline` rates
// its hardening; and its ExecStart, expanded with hub.env.example as systemd would, starts a real hub.

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, expect, it } from 'vitest';
import { cleanupDir } from '@pilothouse/hub/testing';

const DEPLOY = join(import.meta.dirname, '..', 'deploy', 'systemd');
const UNIT = readFileSync(join(DEPLOY, 'pilothouse-hub.service'), 'utf8');
const CLI = join(import.meta.dirname, '..', 'packages', 'cli', 'bin', 'pilothouse.js');
const INSTALLED = '/usr/local/bin/pilothouse';
const dir = mkdtempSync(join(tmpdir(), 'ph-systemd-'));

afterAll(() => cleanupDir(dir));

/** `[Service]` keys → values (repeated keys kept in order; `\` continues a line). */
function section(unit: string, name: string): Map<string, string[]> {
  const keys = new Map<string, string[]>();
  let inside = false;
  for (const line of unit.replace(/\\\n\s*/g, ' ').split('\n')) {
    if (/^\[.*\]$/.test(line.trim())) inside = line.trim() === `[${name}]`;
    else if (inside && /^[A-Za-z]+=/.test(line)) {
      const at = line.indexOf('=');
      keys.set(line.slice(0, at), [...(keys.get(line.slice(0, at)) ?? []), line.slice(at + 1).trim()]);
    }
  }
  return keys;
}

it('passes systemd-analyze verify without a warning', () => {
  expect(UNIT).toContain(`ExecStart=${INSTALLED} hub`);
  const copy = join(dir, 'pilothouse-hub.service');
  writeFileSync(copy, UNIT.replace(`ExecStart=${INSTALLED} `, `ExecStart=${CLI} `));
  const r = spawnSync('/usr/bin/systemd-analyze', ['verify', '--man=no', copy], { encoding: 'utf8' });
  expect([r.status, r.stderr]).toEqual([0, '']);
});

it('is hardened: systemd-analyze security rates it OK', () => {
  const copy = join(dir, 'pilothouse-hub.service');
  const out = execFileSync('/usr/bin/systemd-analyze', ['security', '--offline=yes', copy], { encoding: 'utf8' });
  const exposure = Number(/Overall exposure level for pilothouse-hub\.service: ([\d.]+)/.exec(out)?.[1]);
  expect(exposure).toBeLessThanOrEqual(2);
  const service = section(UNIT, 'Service');
  expect(Object.fromEntries([...service].filter(([k]) => ['User', 'StateDirectory', 'ReadWritePaths', 'NoNewPrivileges', 'ProtectSystem', 'Restart', 'EnvironmentFile'].includes(k)))).toEqual({
    User: ['pilothouse'],
    StateDirectory: ['pilothouse'],
    ReadWritePaths: ['/var/lib/pilothouse'],
    NoNewPrivileges: ['yes'],
    ProtectSystem: ['strict'],
    Restart: ['on-failure'],
    EnvironmentFile: ['/etc/pilothouse/hub.env'],
  });
});

it('its ExecStart, with the example environment file, starts a hub that answers its names and stops on SIGTERM', async () => {
  const env = Object.fromEntries(
    readFileSync(join(DEPLOY, 'hub.env.example'), 'utf8')
      .split('\n')
      .filter((l) => /^[A-Z_]+=/.test(l))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  const exec = section(UNIT, 'Service').get('ExecStart')![0]!;
  // systemd's ${VAR} expansion (each one word); then this machine's paths and a free port.
  const words = exec.split(/\s+/).map((w) => w.replace(/^\$\{(\w+)\}$/, (_, k: string) => env[k] ?? ''));
  expect(words.slice(0, 2)).toEqual([INSTALLED, 'hub']);
  const args = words.slice(1).map((w) => (w === '/var/lib/pilothouse' ? dir : w === '4860' ? '0' : w));
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (l) => {
      const m = /listening on (\S+)/.exec(l);
      if (m) resolve(m[1]!);
    });
    void exited.then((code) => reject(new Error(`the hub exited with ${code}`)));
  });
  const status = (host: string, path: string) =>
    new Promise<number>((resolve, reject) => {
      const u = new URL(url);
      const req = request({ host: u.hostname, port: u.port, path, agent: false, headers: { Host: host } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.once('error', reject);
      req.end();
    });
  // The public URL's name is answered (401: no session), another is not (421).
  expect(await status('pilothouse.example.com', '/api/me')).toBe(401);
  expect(await status('evil.example', '/api/me')).toBe(421);
  expect(await status('x', '/healthz')).toBe(200);
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
});
