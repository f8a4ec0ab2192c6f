// `pilothouse demo --agent …`: the demo with another real agent on the scripted model, as a
// newcomer runs it: the agent found and named in the progress, the session row signed by it,
// "hello" answered in the thread through the agent's own protocol, then Ctrl-C leaves no process,
// port or scratch folder behind. Waits are channel events or process conditions, never sleeps.

import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Socket } from 'phoenix';
import { connect, join, push } from '@pilothouse/hub/testing';
import type { Message } from '@pilothouse/protocol';
import { allListeningPorts, descendantsOf, isAlive, listeningPorts, processesIn, spawnDemo, until, type DemoProcess } from './support/demo-process.js';

let demo: DemoProcess | null = null;
let socket: Socket | null = null;
afterEach(async () => {
  socket?.disconnect();
  socket = null;
  if (demo && demo.child.exitCode === null && demo.child.signalCode === null) {
    demo.child.kill('SIGKILL');
    await demo.exited;
  }
  demo = null;
});

const AGENTS = [
  { agent: 'claude', title: 'Claude Code' },
  { agent: 'gemini', title: 'Gemini CLI' },
] as const;

describe.each(AGENTS)('pilothouse demo --agent $agent', ({ agent, title }) => {
  it('runs the real agent on the scripted model: hello is answered in the thread; Ctrl-C leaves nothing behind', async () => {
    demo = spawnDemo(['--json', '--port', '0', '--agent', agent]);
    const { info } = await demo.ready;
    expect(demo.stderr()).toMatch(new RegExp(`✓ ${title} and the runner: ${agent} \\d+\\.\\d+\\.\\d+\\S*, session thread ${info.threadId}`));
    const scratch = /Starting the Pilothouse demo in (\S+)/.exec(demo.stderr())![1]!;

    // The demo user steers the session: hello, answered by the agent through the scripted model.
    socket = connect(info.url, info.token);
    const ch = socket.channel(`channel:${info.channel}`, {});
    await join(ch);
    let answered: () => void = () => {};
    const done = new Promise<void>((resolve) => (answered = resolve));
    ch.on('state', (s) => {
      if ((s as { state: { state: string } }).state.state === 'processed') answered();
    });
    const root = (await push(ch, 'get_thread', { thread_id: info.threadId })) as { messages: Message[] };
    expect(root.messages[0]).toMatchObject({ kind: 'session', meta: expect.objectContaining({ agent }) as unknown });
    await push(ch, 'post_message', { client_id: 'hello-1', body: 'hello', thread_id: info.threadId });
    await done;
    const thread = (await push(ch, 'get_thread', { thread_id: info.threadId })) as { messages: Message[] };
    const answer = thread.messages.find((m) => m.kind === 'assistant');
    expect(answer?.body).toContain('What is in the repository');
    expect(answer?.status).toBe('completed');
    expect(thread.messages.some((m) => m.kind === 'reasoning')).toBe(true);

    const procs = descendantsOf(demo.child.pid!);
    const ports = listeningPorts([demo.child.pid!, ...procs.map((p) => p.pid)]);
    expect(ports).toContain(Number(new URL(info.url).port));
    demo.child.kill('SIGINT');
    expect(await demo.exited).toBe(0);
    await until('every process the demo started is gone', () => procs.every((p) => !isAlive(p)) && processesIn(scratch).length === 0);
    const listening = allListeningPorts();
    expect(ports.filter((p) => listening.has(p))).toEqual([]);
    expect(existsSync(scratch)).toBe(false);
  });
});
