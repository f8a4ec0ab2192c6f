// The Docker recipe without a container runtime (none can run on this machine: see docs/deploy.md):
// deploy/docker/entrypoint.sh runs with the environment compose.yaml gives the hub, PostgreSQL on
// 127.0.0.1:5432 in a fresh database, and `pilothouse` on PATH being this checkout's CLI. It waits
// for the database, becomes the hub (exec), answers /healthz and /readyz, and SIGTERM stops it with
// exit 0. compose.yaml is parsed (Debian's yq) for its services, healthcheck and start order.

import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cleanupDir, PG_URL } from '@pilothouse/hub/testing';

const ROOT = join(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'ph-entrypoint-'));
const database = `ph_entrypoint_${randomBytes(5).toString('hex')}`;

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  await admin(`create database ${database}`);
  symlinkSync(join(ROOT, 'packages', 'cli', 'bin', 'pilothouse.js'), join(dir, 'pilothouse'));
});

afterAll(async () => {
  await admin(`drop database if exists ${database} with (force)`);
  cleanupDir(dir);
});

it('compose.yaml: the hub starts after PostgreSQL is healthy, with the store URL and public URL', () => {
  // Debian's yq (PyYAML underneath) turns the YAML into JSON.
  const compose = JSON.parse(execFileSync('yq', ['.', join(ROOT, 'compose.yaml')], { encoding: 'utf8' })) as {
    services: Record<string, { healthcheck?: { test: string[] }; depends_on?: Record<string, { condition: string }>; environment?: Record<string, string>; volumes?: string[] }>;
  };
  expect(Object.keys(compose.services).sort()).toEqual(['db', 'hub']);
  expect(compose.services.db!.healthcheck!.test.join(' ')).toContain('pg_isready');
  expect(compose.services.hub!.depends_on).toEqual({ db: { condition: 'service_healthy' } });
  expect(Object.keys(compose.services.hub!.environment!)).toEqual(expect.arrayContaining(['PILOTHOUSE_DATABASE_URL', 'PILOTHOUSE_PUBLIC_URL']));
  expect(compose.services.hub!.volumes).toEqual(['hub-data:/data']);
});

it('waits for PostgreSQL, execs the hub, answers /healthz and /readyz, and stops cleanly on SIGTERM', async () => {
  const url = new URL(PG_URL);
  url.pathname = `/${database}`;
  const child = spawn('/bin/sh', [join(ROOT, 'deploy', 'docker', 'entrypoint.sh')], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PATH: `${dir}:${process.env.PATH ?? ''}`,
      PILOTHOUSE_DATABASE_URL: url.href,
      PILOTHOUSE_PUBLIC_URL: 'https://pilothouse.example.com',
      PILOTHOUSE_PREVIEW_ORIGIN: 'https://{id}.preview.example.net',
      PILOTHOUSE_TRUST_PROXY: '1',
      PILOTHOUSE_HOST: '127.0.0.1',
      PILOTHOUSE_PORT: '0',
      PILOTHOUSE_DATA: dir,
    },
  });
  const stderr: string[] = [];
  createInterface({ input: child.stderr }).on('line', (l) => stderr.push(l));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const hubUrl = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (l) => {
      const m = /listening on (\S+)/.exec(l);
      if (m) resolve(m[1]!);
    });
    void exited.then((code) => reject(new Error(`exited with ${code}: ${stderr.join('\n')}`)));
  });
  for (const path of ['/healthz', '/readyz']) {
    const res = await fetch(`${hubUrl}${path}`);
    expect([path, res.status, await res.json()]).toEqual([path, 200, { ok: true }]);
  }
  // The hub's tables are in the fresh database: the store URL reached the hub.
  const client = new pg.Client({ connectionString: url.href });
  await client.connect();
  const tables = await client.query<{ n: string }>(`select count(*) as n from information_schema.tables where table_name = 'users'`);
  await client.end();
  expect(Number(tables.rows[0]!.n)).toBe(1);
  // exec: the shell is gone, the signal reaches the hub itself.
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
});
