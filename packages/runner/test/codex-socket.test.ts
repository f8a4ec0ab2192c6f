// Real `codex app-server --listen unix://…`: the runner's connection over the socket, and a second
// client on the same thread, as the owner's TUI joins it (docs/decisions/tui-mirror.md).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startScriptedModel, type ScriptedModel } from '@pilothouse/scripted-model';
import { startCodex, type CodexAppServer } from '../src/index.js';
import { RpcConnection } from '../src/codex/rpc.js';
import { connectUnixSocket, type SocketLink } from '../src/codex/ws-transport.js';
import { createCodexHome, type CodexHome } from './codex-home.js';
import { EventRecorder } from './harness.js';

const clientInfo = { name: 'pilothouse-test', title: null, version: '0.0.0' };

let model: ScriptedModel | undefined;
let home: CodexHome | undefined;
let codex: CodexAppServer | undefined;
let other: SocketLink | undefined;
const dirs: string[] = [];
afterEach(async () => {
  other?.close();
  await codex?.close();
  await model?.close();
  await home?.remove();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  other = codex = model = home = undefined;
});

function scratch(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

/** A bare second client: initialize, then requests; notifications are ignored. */
async function secondClient(path: string): Promise<RpcConnection> {
  other = await connectUnixSocket(path, { timeoutMs: 5_000 });
  const rpc = new RpcConnection(other.input, other.output, { onNotification: () => {}, onRequest: async () => ({ result: {} }), onProtocolError: () => {} });
  await rpc.request('initialize', { clientInfo: { name: 'second', title: null, version: '0' }, capabilities: { experimentalApi: true, requestAttestation: false } });
  rpc.notify('initialized');
  return rpc;
}

describe('codex app-server over its Unix socket', () => {
  it('serves the runner, and mirrors to it a turn that a second client starts on its thread', async () => {
    model = await startScriptedModel();
    home = await createCodexHome({ modelUrl: model.url });
    const socketPath = join(scratch('ph-sock-'), 'app-server.sock');
    const workspace = scratch('ph-ws-');
    codex = await startCodex({ cwd: workspace, env: home.env, clientInfo, socketPath });
    expect(codex.remoteAddress).toBe(`unix://${socketPath}`);
    const recorder = new EventRecorder(codex);

    const { thread } = await codex.threadStart({ cwd: workspace });
    // A running thread can be resumed by another client only once its rollout exists; naming it writes it.
    expect(await codex.request('thread/name/set', { threadId: thread.id, name: 'Pilothouse test' })).toEqual({});

    const tui = await secondClient(socketPath);
    await tui.request('thread/resume', { threadId: thread.id, excludeTurns: true });
    model.enqueue({ type: 'text', chunks: ['From ', 'the TUI.'], delayMs: 5 });
    const started = (await tui.request('turn/start', {
      threadId: thread.id,
      clientUserMessageId: 'tui-input-1',
      input: [{ type: 'text', text: 'typed in the TUI', text_elements: [] }],
    })) as { turn: { id: string } };
    const turnId = started.turn.id;

    await recorder.waitFor('turn/completed', (p) => p.turn.id === turnId);
    expect(recorder.all('turn/started').map((p) => p.turn.id)).toEqual([turnId]);
    const user = recorder.all('item/started').find((p) => p.item.type === 'userMessage');
    expect(user).toMatchObject({ turnId, item: { type: 'userMessage', clientId: 'tui-input-1', content: [{ type: 'text', text: 'typed in the TUI' }] } });
    expect(recorder.all('item/agentMessage/delta').map((d) => d.delta)).toEqual(['From ', 'the TUI.']);

    // And the runner's own turns still work on the same connection.
    model.enqueue({ type: 'text', chunks: ['Mine.'] });
    const mine = await codex.turnStart({ threadId: thread.id, clientUserMessageId: 'msg-1', input: [{ type: 'text', text: 'from the thread', text_elements: [] }] });
    await recorder.waitFor('turn/completed', (p) => p.turn.id === mine.turn.id);

    const exit = await codex.close();
    expect(exit).toMatchObject({ expected: true, code: 0 });
    expect(existsSync(socketPath)).toBe(false);
  });

  it('reports an app-server that exits before its socket accepts, with its stderr', async () => {
    model = await startScriptedModel();
    home = await createCodexHome({ modelUrl: model.url });
    // 0.169.0 refuses `untrusted` in config.toml and exits before listening.
    const config = join(home.dir, 'config.toml');
    writeFileSync(config, readFileSync(config, 'utf8').replace('approval_policy = "on-request"', 'approval_policy = "untrusted"'));
    const socketPath = join(scratch('ph-sock-'), 'app-server.sock');
    await expect(startCodex({ cwd: scratch('ph-ws-'), env: home.env, clientInfo, socketPath })).rejects.toMatchObject({
      code: 'codex_exited',
      message: expect.stringContaining('"untrusted" is no longer supported') as unknown,
    });
  });
});
