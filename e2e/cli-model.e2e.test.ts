// `pilothouse model` (issue: real use without an account): the command as a real process serves
// the scripted model and writes the Codex config it prints; the real Codex, driven by a real
// runner and hub, answers "hello" through it as the demo does.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pino from 'pino';
import { afterEach, expect, it } from 'vitest';
import type { Message } from '@pilothouse/protocol';
import { startHub } from '@pilothouse/hub';
import { connect, join as joinChannel, push, seedStore } from '@pilothouse/hub/testing';
import { TrustStore, startRunner } from '@pilothouse/runner';

const CLI = join(import.meta.dirname, '..', 'packages', 'cli', 'bin', 'pilothouse.js');
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

it('serves the scripted model and prints a Codex config that the real Codex answers through', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ph-model-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const codexHome = join(dir, 'codex');
  // The CLI as installed (bin/pilothouse.js): the scenarios it reads sit beside the scripted model's sources.
  const child = spawn(process.execPath, [CLI, 'model', '--port', '0', '--codex-home', codexHome], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  cleanups.push(async () => {
    if (child.exitCode === null) child.kill('SIGINT');
    expect(await exited).toBe(0);
  });
  const printed: string[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (l) => {
      printed.push(l);
      const m = /^Pilothouse scripted model on (http:\/\/\S+)$/.exec(l);
      if (m) resolve(m[1]!);
    });
    void exited.then((code) => reject(new Error(`pilothouse model exited ${String(code)}`)));
  });
  const config = readFileSync(join(codexHome, 'config.toml'), 'utf8');
  expect(config).toContain(`base_url = "${url}"`);
  const exportLine = printed.find((l) => l.trim().startsWith('export CODEX_HOME='))!;
  const keyVar = /\s(\w+)=not-a-real-key/.exec(exportLine)![1]!;

  const hub = await startHub({ host: '127.0.0.1', port: 0, store: { kind: 'sqlite', dataDir: join(dir, 'hub') }, logger: pino({ level: 'silent' }) });
  cleanups.push(() => hub.close());
  const { tokens } = await seedStore(hub.store, ['alice']);
  const home = join(dir, 'home');
  const workspace = mkdtempSync(join(dir, 'ws-'));
  new TrustStore(home).add(workspace);
  // Exactly what the printed lines say: CODEX_HOME and the key variable.
  const runner = await startRunner({
    hubUrl: hub.url,
    token: tokens.alice!,
    channel: 'acme/agents',
    cwd: workspace,
    home,
    logger: pino({ level: 'silent' }),
    allow: [],
    runtime: {},
    streamFlushMs: 50,
    approvalTimeoutMs: null,
    resume: false,
    agent: { name: 'codex' },
    env: { ...process.env, HOME: dir, CODEX_HOME: codexHome, [keyVar]: 'not-a-real-key' },
  });
  cleanups.push(() => runner.close());
  const socket = connect(hub.url, tokens.alice!);
  cleanups.push(() => socket.disconnect());
  const ch = socket.channel('channel:acme/agents', {});
  await joinChannel(ch);
  const answered = new Promise<void>((resolve) => ch.on('state', (p) => (p as { state: { state: string } }).state.state === 'processed' && resolve()));
  await push(ch, 'post_message', { client_id: 'hello', body: 'hello', thread_id: runner.threadId });
  await answered;
  const channelId = (await hub.store.channelByRef({ workspace: 'acme', channel: 'agents' }))!.id;
  const thread: Message[] = await hub.store.getThread(channelId, runner.threadId);
  const answer = thread.find((m) => m.kind === 'assistant');
  expect(answer?.body.length).toBeGreaterThan(20);
  expect(answer?.status).toBe('completed');
});
