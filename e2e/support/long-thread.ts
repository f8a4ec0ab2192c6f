// A long session thread seeded through the protocol, as a runner writes one: a phoenix client that
// registers a runner, posts the session root and then the rows (post_row), a command's output
// streamed in with appends. Mostly assistant answers, every OUTPUT_EVERY-th row a command with a
// large output. Used by the long-thread e2e test and the web bench (bench/web-threads.ts).

import type { Channel, Socket } from 'phoenix';
import { connect, join as joinChannel, push } from '@pilothouse/hub/testing';

/** Every this many rows, a command whose output is OUTPUT_LINES lines long. */
const OUTPUT_EVERY = 25;
const OUTPUT_LINES = 200;
/** Pushes in flight at once while seeding. */
const WINDOW = 128;

/** The text that identifies row `i` (1-based) in the page: "row 00042". */
export const rowLabel = (i: number) => `row ${String(i).padStart(5, '0')}`;

export interface SeedingRunner {
  socket: Socket;
  channel: Channel;
  close(): void;
}

/** A phoenix client registered as runner `runnerId` in acme/agents, with `token`. */
export async function seedingRunner(hubUrl: string, token: string, runnerId: string): Promise<SeedingRunner> {
  const socket = connect(hubUrl, token);
  const channel = socket.channel('channel:acme/agents', {});
  await joinChannel(channel);
  await push(channel, 'runner_register', { runner_id: runnerId, instance_id: `${runnerId}-1`, name: 'seeder', cwd: '/bench', agent: { name: 'codex', version: '0' }, capabilities: [] });
  return { socket, channel, close: () => socket.disconnect() };
}

function output(i: number): string {
  const lines: string[] = [];
  for (let l = 0; l < OUTPUT_LINES; l++) lines.push(`${rowLabel(i)} out ${String(l).padStart(3, '0')}  \x1b[32mok\x1b[0m  src/module-${l % 17}/file-${l}.ts  ${'.'.repeat(40)}`);
  return `${lines.join('\n')}\n`;
}

/** Row i's post_row payload (and, for a command, its output, appended after). */
function rowOf(i: number, threadId: string, tag: string): { post: Record<string, unknown>; appends: string[] } {
  const item_key = `${tag}:${i}`;
  if (i % OUTPUT_EVERY === 0) {
    const out = output(i);
    const half = Math.floor(out.length / 2);
    return {
      post: { client_id: `${tag}-${i}`, thread_id: threadId, item_key, kind: 'command', body: '', meta: { command: `npm test -- ${rowLabel(i)}`, cwd: '/bench', exit_code: 0, duration_ms: 1234 }, status: 'streaming' },
      appends: [out.slice(0, half), out.slice(half)],
    };
  }
  const body = `**${rowLabel(i)}**: the agent explains step ${i}. ${'Some words about the change and why it is made. '.repeat(1 + (i % 4))}`;
  return { post: { client_id: `${tag}-${i}`, thread_id: threadId, item_key, kind: 'assistant', body, status: 'completed' }, appends: [] };
}

/** Posts a session root and `rows` rows after it; resolves with the root's id (the thread id) and the last row's. */
export async function seedLongThread(runner: SeedingRunner, rows: number, tag: string): Promise<{ threadId: string; lastId: string }> {
  const root = (await push(runner.channel, 'post_row', { client_id: `${tag}-root`, kind: 'session', body: `Long thread ${tag} (${rows} rows)` })) as { thread_id: string };
  let lastId = root.thread_id;
  const write = async (i: number) => {
    const { post, appends } = rowOf(i, root.thread_id, tag);
    const posted = (await push(runner.channel, 'post_row', post)) as { message_id: string };
    if (i === rows) lastId = posted.message_id;
    let offset = 0;
    for (const text of appends) {
      await push(runner.channel, 'append', { item_key: post.item_key, offset, text });
      offset += text.length;
    }
    // A streamed row is closed once its output is complete, as the runner closes a command's.
    if (appends.length > 0) await push(runner.channel, 'update_row', { item_key: post.item_key, status: 'completed' });
  };
  // The first and the last row alone, so they are first and last in seq order; the rest in a window.
  await write(1);
  let next = 2;
  const worker = async () => {
    while (next < rows) await write(next++);
  };
  await Promise.all(Array.from({ length: WINDOW }, worker));
  if (rows > 1) await write(rows);
  return { threadId: root.thread_id, lastId };
}
