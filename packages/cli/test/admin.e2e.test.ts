// The real `pilothouse` CLI as a child process: admin commands on a scratch store, and one clear
// line with a non-zero exit for bad input.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { startHub } from '@pilothouse/hub';

const CLI = resolve(import.meta.dirname, '../bin/pilothouse.js');
const dataDir = mkdtempSync(join(tmpdir(), 'ph-cli-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function run(args: string[], stdin = '', env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.end(stdin);
    child.on('exit', (code) => res({ code: code ?? -1, stdout, stderr }));
  });
}

describe('pilothouse admin commands', () => {
  it('adds users, a channel with members, and prints a token once', async () => {
    expect(await run(['user', 'add', 'alice', '--admin', '--data', dataDir], 's3cret\n')).toMatchObject({ code: 0, stdout: 'added user alice (admin)\n' });
    expect(await run(['user', 'add', 'bob', '--data', dataDir], 'pw\n')).toMatchObject({ code: 0 });
    expect(await run(['channel', 'add', 'acme/agents', '--member', 'alice', '--data', dataDir])).toMatchObject({ code: 0 });
    expect(await run(['member', 'add', 'acme/agents', 'bob', '--data', dataDir])).toMatchObject({ code: 0, stdout: 'added bob to acme/agents\n' });
    expect(await run(['member', 'remove', 'acme/agents', 'bob', '--data', dataDir])).toMatchObject({ code: 0, stdout: 'removed bob from acme/agents\n' });
    expect(await run(['member', 'remove', 'acme/agents', 'bob', '--data', dataDir])).toMatchObject({ code: 0, stdout: 'bob was not a member of acme/agents\n' });
    expect(await run(['member', 'add', 'acme/agents', 'bob', '--data', dataDir])).toMatchObject({ code: 0 });
    const token = await run(['token', 'create', '--user', 'alice', '--data', dataDir]);
    expect(token.code).toBe(0);
    expect(token.stdout).toMatch(/^ph_[A-Za-z0-9_-]{43}\n$/);
  });

  it('tokens: scope and expiry at creation, listed without their secret, revoked by id', async () => {
    const runnerToken = await run(['token', 'create', '--user', 'bob', '--label', 'laptop', '--expires-in', '90d', '--data', dataDir]);
    const memberToken = await run(['token', 'create', '--user', 'bob', '--scope', 'member', '--data', dataDir]);
    expect([runnerToken.code, memberToken.code]).toEqual([0, 0]);
    const listed = await run(['token', 'list', '--user', 'bob', '--json', '--data', dataDir]);
    const tokens = listed.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; scope: string; label: string | null; expires_at: string | null; last_used_at: string | null });
    expect(tokens.map((t) => [t.scope, t.label, t.expires_at === null, t.last_used_at])).toEqual([
      ['runner', 'laptop', false, null],
      ['member', null, true, null],
    ]);
    expect(Date.parse(tokens[0]!.expires_at!) - Date.now()).toBeGreaterThan(89 * 86_400_000);
    expect(listed.stdout).not.toContain(runnerToken.stdout.trim());
    expect(await run(['token', 'revoke', tokens[1]!.id, '--data', dataDir])).toMatchObject({ code: 0, stdout: `revoked token ${tokens[1]!.id}\n` });
    const text = await run(['token', 'list', '--user', 'bob', '--data', dataDir]);
    expect(text.stdout.split('\n')[0]).toMatch(new RegExp(`^${tokens[0]!.id}  bob  runner  active  label=laptop  created=\\S+  expires=\\S+  last-used=never$`));
    expect(text.stdout.split('\n')[1]).toMatch(new RegExp(`^${tokens[1]!.id}  bob  member  revoked \\S+  label=-  created=\\S+  expires=never  last-used=never$`));
    expect(await run(['token', 'revoke', tokens[1]!.id, '--data', dataDir])).toMatchObject({ code: 1, stderr: `pilothouse: No active token ${tokens[1]!.id}; see pilothouse token list.\n` });
  });

  it('bad input: one line on stderr and a non-zero exit', async () => {
    const cases: [string[], string, number, RegExp][] = [
      [['hub', '--bogus'], '', 2, /^pilothouse: unknown option '--bogus'\n$/],
      [['frobnicate'], '', 2, /^pilothouse: unknown command 'frobnicate'/],
      [['hub', '--port', 'http'], '', 2, /^pilothouse: .*port number/],
      [['hub', '--preview-origin', 'http://preview.example.com'], '', 2, /^pilothouse: .*must contain \{id\} exactly once/],
      [['hub', '--preview-origin', 'https://{id}'], '', 2, /^pilothouse: .*\{id\} must end a label followed by a domain/],
      [['hub', '--data', '/proc/pilothouse-nope'], '', 1, /^pilothouse: The data directory \/proc\/pilothouse-nope cannot be written/],
      [['channel', 'add', 'NoSlash', '--data', dataDir], '', 2, /^pilothouse: "NoSlash" is not WORKSPACE\/CHANNEL/],
      [['user', 'add', 'alice', '--data', dataDir], 'pw\n', 1, /^pilothouse: A user named alice exists\.\n$/],
      [['user', 'add', 'dave', '--data', dataDir], '', 2, /^pilothouse: a password is needed/],
      [['member', 'add', 'acme/agents', 'zed', '--data', dataDir], '', 1, /^pilothouse: No user named zed; add one with: pilothouse user add zed\n$/],
      [['member', 'add', 'acme/nope', 'bob', '--data', dataDir], '', 1, /^pilothouse: No channel acme\/nope/],
      [['token', 'create', '--data', dataDir], '', 2, /^pilothouse: required option '--user <name>' not specified\n$/],
      [['token', 'create', '--user', 'alice', '--scope', 'admin', '--data', dataDir], '', 2, /^pilothouse: .*'--scope <scope>' argument 'admin' is invalid\. must be one of: runner, member\.\n$/],
      [['token', 'create', '--user', 'alice', '--expires-in', '90', '--data', dataDir], '', 2, /^pilothouse: .*must be a number and a unit, e\.g\. 90d, 12h or 30m\.\n$/],
      [['token', 'list', '--user', 'zed', '--data', dataDir], '', 1, /^pilothouse: No user named zed/],
    ];
    for (const [args, stdin, code, message] of cases) {
      const r = await run(args, stdin);
      expect({ args, code: r.code, lines: r.stderr.trim().split('\n').length }).toEqual({ args, code, lines: 1 });
      expect(r.stderr).toMatch(message);
    }
  });

  it('hub refuses a metrics token anyone could guess, from the flag or the environment, in one line that does not repeat it', async () => {
    const fresh = join(dataDir, 'never-opened');
    const flag = (token: string) => run(['hub', '--port', '0', '--metrics-token', token, '--data', fresh]);
    const fromEnv = (token: string) => run(['hub', '--port', '0', '--data', fresh], '', { ...process.env, PILOTHOUSE_METRICS_TOKEN: token });
    const fix = 'use a random one of at least 16 characters (e.g. `openssl rand -hex 32`), or';
    const refused = (line: string) => ({ code: 2, stdout: '', stderr: `pilothouse: ${line}\n` });
    expect(await flag('')).toEqual(refused(`--metrics-token is empty, which would let anyone scrape /metrics; ${fix} leave it out to let only this machine scrape /metrics.`));
    expect(await fromEnv('')).toEqual(refused(`PILOTHOUSE_METRICS_TOKEN is empty, which would let anyone scrape /metrics; ${fix} unset it to let only this machine scrape /metrics.`));
    expect(await flag('s3cret-metrics')).toEqual(refused(`--metrics-token has 14 characters, too few to resist guessing; ${fix} leave it out to let only this machine scrape /metrics.`));
    expect(await fromEnv('s3cret-metrics-token\n')).toEqual(refused(`PILOTHOUSE_METRICS_TOKEN starts or ends with white space, which no Authorization header can carry; ${fix} unset it to let only this machine scrape /metrics.`));
    expect(existsSync(fresh)).toBe(false);
    // --help still answers with a bad variable set, and prints no secret from the environment as a default.
    const help = await run(['hub', '--help'], '', { ...process.env, PILOTHOUSE_METRICS_TOKEN: 's3cret-metrics', PILOTHOUSE_SMTP_URL: 'smtp://me:s3cret-smtp@mail.example.com' });
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toMatch(/\(env:\s+PILOTHOUSE_METRICS_TOKEN\)/);
    expect(help.stdout).not.toContain('s3cret');
  });

  it('user link prints a one-time sign-in link that the hub honours once', async () => {
    const hub = await startHub({ host: '127.0.0.1', port: 0, store: { kind: 'sqlite', dataDir }, logger: pino({ level: 'silent' }), webRoot: null });
    try {
      const r = await run(['user', 'link', 'bob', '--hub', `${hub.url}/`, '--to', '/c/acme/agents', '--minutes', '5', '--data', dataDir]);
      expect(r).toMatchObject({ code: 0, stderr: '' });
      expect(r.stdout).toMatch(new RegExp(`^${hub.url}/api/sign-in\\?code=[A-Za-z0-9_-]{43}\n$`));
      const first = await fetch(r.stdout.trim(), { redirect: 'manual' });
      expect(first.status).toBe(302);
      expect(first.headers.get('location')).toBe('/c/acme/agents');
      const me = await fetch(`${hub.url}/api/me`, { headers: { cookie: first.headers.get('set-cookie')!.split(';')[0]! } });
      expect(((await me.json()) as { user: { name: string } }).user.name).toBe('bob');
      expect((await fetch(r.stdout.trim(), { redirect: 'manual' })).status).toBe(401);
    } finally {
      await hub.close();
    }
    expect(await run(['user', 'link', 'zed', '--data', dataDir])).toMatchObject({ code: 1, stderr: 'pilothouse: No user named zed; add one with: pilothouse user add zed\n' });
    expect(await run(['user', 'link', 'bob', '--to', 'https://evil.example', '--data', dataDir])).toMatchObject({
      code: 2,
      stderr: 'pilothouse: --to "https://evil.example" is not a page on the hub; pass a path like --to /c/acme/agents.\n',
    });
  });

  it('prints help with examples and the version', async () => {
    const help = await run(['hub', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Examples:\n {2}pilothouse hub/);
    expect((await run(['--version'])).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});
