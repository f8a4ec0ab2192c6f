// The hub as a real process, driven by the official phoenix client: membership, posting, streaming
// rows, idempotent repeats, resume with `since`, control authorization and the audit log.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'phoenix';
import { EventLog, codeOf, connect, join, push } from './phx.js';
import { cleanupDir, seed, startHubProcess, type HubProcess, type Seeded } from './hub-process.js';

let seeded: Seeded;
let hub: HubProcess;
const sockets: Socket[] = [];
const open = (who: string) => {
  const s = connect(hub.url, seeded.tokens[who]!);
  sockets.push(s);
  return s;
};
const runnerInfo = (id: string) => ({ runner_id: id, instance_id: `${id}-1`, name: 'laptop', cwd: '/work', agent: { name: 'codex', version: '0.169.0' }, capabilities: ['stream'] });

beforeAll(async () => {
  seeded = await seed();
  hub = await startHubProcess(seeded.dataDir);
});
afterEach(() => {
  for (const s of sockets.splice(0)) s.disconnect();
});
afterAll(async () => {
  await hub.stop();
  cleanupDir(seeded.dataDir);
});

describe('hub channels over the phoenix client', () => {
  it('joins a channel it is a member of; refuses non-members and unknown channels', async () => {
    const reply = (await join(open('alice').channel('channel:acme/agents', {}))) as Record<string, unknown>;
    expect(reply).toMatchObject({ channel: { workspace: 'acme', name: 'agents' }, user: { name: 'alice' }, runners: [] });
    expect(await codeOf(join(open('bob').channel('channel:acme/private', {})))).toBe('not_member');
    expect(await codeOf(join(open('alice').channel('channel:acme/nope', {})))).toBe('channel_not_found');
    expect(await codeOf(join(open('alice').channel('rooms:lobby', {})))).toBe('unknown_topic');
    expect(await codeOf(join(open('alice').channel('channel:acme/agents', { since: -1 })))).toBe('invalid_payload');
  });

  it('a post is acknowledged with its seq and broadcast to a second client', async () => {
    const a = open('alice').channel('channel:acme/agents', {});
    const b = open('bob').channel('channel:acme/agents', {});
    await join(a);
    await join(b);
    const log = new EventLog(b);
    const r = (await push(a, 'post_message', { client_id: 'hello-1', body: 'hello team' })) as { seq: number; message_id: string; thread_id: string };
    expect(r.thread_id).toBe(r.message_id);
    await log.until(() => log.events.length === 1);
    expect(log.events[0]).toMatchObject({ event: 'message', payload: { seq: r.seq, message: { id: r.message_id, body: 'hello team', author: { name: 'alice' }, kind: 'text' } } });
    // a repeat is the same write: same reply, no second broadcast
    expect(await push(a, 'post_message', { client_id: 'hello-1', body: 'hello team' })).toEqual(r);
    const reply = (await push(b, 'post_message', { client_id: 'b-1', body: 'in thread', thread_id: r.message_id })) as { seq: number; thread_id: string };
    expect(reply.thread_id).toBe(r.message_id);
    await log.until(() => log.events.length === 2);
    expect(log.seqs()).toEqual([r.seq, reply.seq]);
  });

  it('streaming rows: appends reassemble exactly, repeats change nothing, strangers cannot write', async () => {
    const runner = open('alice').channel('channel:acme/agents', {});
    const watcher = open('bob').channel('channel:acme/agents', {});
    await join(runner);
    await join(watcher);
    const log = new EventLog(watcher);
    expect(await codeOf(push(runner, 'append', { item_key: 'x', offset: 0, text: 'a' }))).toBe('not_runner');
    await push(runner, 'runner_register', runnerInfo('runner-a'));
    const root = (await push(runner, 'post_row', { client_id: 'root', kind: 'session', body: 'Session in /work' })) as { thread_id: string };
    await push(runner, 'post_row', { client_id: 'row-1', kind: 'assistant', body: '', item_key: 't1:msg_1', thread_id: root.thread_id });
    const pieces = Array.from({ length: 200 }, (_, i) => `chunk ${i} ✓ `);
    let offset = 0;
    const acks = await Promise.all(
      pieces.map((text) => {
        const p = push(runner, 'append', { item_key: 't1:msg_1', offset, text });
        offset += text.length;
        return p;
      }),
    );
    expect((acks.at(-1) as { length: number }).length).toBe(pieces.join('').length);
    // a repeated append (a retry) returns the original reply
    expect(await push(runner, 'append', { item_key: 't1:msg_1', offset: 0, text: pieces[0]! })).toEqual(acks[0]);
    expect(await codeOf(push(runner, 'append', { item_key: 't1:msg_1', offset: 3, text: 'zz' }))).toBe('offset_mismatch');
    const bobRunner = open('bob').channel('channel:acme/agents', {});
    await join(bobRunner);
    await push(bobRunner, 'runner_register', runnerInfo('runner-b'));
    expect(await codeOf(push(bobRunner, 'append', { item_key: 't1:msg_1', offset, text: 'x' }))).toBe('not_row_owner');

    await log.until(() => log.events.filter((e) => e.event === 'append').length === 200);
    const appended = log.events.filter((e) => e.event === 'append').map((e) => e.payload.text as string).join('');
    expect(appended).toBe(pieces.join(''));
    const thread = (await push(watcher, 'get_thread', { thread_id: root.thread_id })) as { messages: { body: string; kind: string }[] };
    expect(thread.messages.map((m) => m.kind)).toEqual(['session', 'assistant']);
    expect(thread.messages[1]!.body).toBe(pieces.join(''));
  });

  it('get_thread reads a thread backwards from before_seq: the newest page first, then older ones', async () => {
    const ch = open('alice').channel('channel:acme/agents', {});
    await join(ch);
    const root = (await push(ch, 'post_message', { client_id: 'back-root', body: 'back root' })) as { thread_id: string };
    for (let i = 0; i < 5; i++) await push(ch, 'post_message', { client_id: `back-${i}`, body: `back ${i}`, thread_id: root.thread_id });
    type Page = { messages: { body: string }[]; next: number | null; complete: boolean };
    const newest = (await push(ch, 'get_thread', { thread_id: root.thread_id, before_seq: Number.MAX_SAFE_INTEGER, limit: 4 })) as Page;
    expect(newest.messages.map((m) => m.body)).toEqual(['back 1', 'back 2', 'back 3', 'back 4']);
    expect(newest.complete).toBe(false);
    const older = (await push(ch, 'get_thread', { thread_id: root.thread_id, before_seq: newest.next!, limit: 4 })) as Page;
    expect(older).toMatchObject({ messages: [{ body: 'back root' }, { body: 'back 0' }], next: null, complete: true });
    expect(await codeOf(push(ch, 'get_thread', { thread_id: 'no-such-thread', before_seq: Number.MAX_SAFE_INTEGER }))).toBe('thread_not_found');
    expect(await codeOf(push(ch, 'get_thread', { thread_id: root.thread_id, after_seq: 1, before_seq: 9 }))).toBe('invalid_payload');
  });

  it('resume: a client that rejoins with since receives every change it missed, once, in order, then live ones', async () => {
    const writer = open('alice').channel('channel:acme/agents', {});
    await join(writer);
    const first = (await push(writer, 'post_message', { client_id: 'resume-0', body: 'before' })) as { seq: number };
    for (let i = 1; i <= 60; i++) await push(writer, 'post_message', { client_id: `resume-${i}`, body: `missed ${i}` });
    const reader = open('bob').channel('channel:acme/agents', { since: first.seq });
    const log = new EventLog(reader);
    const reply = (await join(reader)) as { head_seq: number };
    const live = (await push(writer, 'post_message', { client_id: 'resume-live', body: 'live' })) as { seq: number };
    await log.until(() => log.events.some((e) => e.payload.seq === live.seq));
    const expected = Array.from({ length: reply.head_seq - first.seq }, (_, i) => first.seq + 1 + i).concat(live.seq);
    expect(log.seqs()).toEqual(expected);
  });

  it('controls: only the users the runner allows may steer; every decision is audited', async () => {
    const runner = open('alice').channel('channel:acme/agents', {});
    await join(runner);
    await push(runner, 'runner_register', runnerInfo('runner-c'));
    const root = (await push(runner, 'post_row', { client_id: 'root-c', kind: 'session', body: 'Session' })) as { thread_id: string };
    const bob = open('bob').channel('channel:acme/agents', {});
    await join(bob);
    expect(await codeOf(push(bob, 'control', { client_id: 'c0', thread_id: root.thread_id, action: { type: 'interrupt' } }))).toBe('no_runner');
    await push(runner, 'runner_status', { status: 'idle', thread_id: root.thread_id, allowed: ['Alice'] });
    const log = new EventLog(runner);
    expect(await codeOf(push(bob, 'control', { client_id: 'c1', thread_id: root.thread_id, action: { type: 'interrupt' } }))).toBe('sender_not_allowed');
    const aliceCh = open('alice').channel('channel:acme/agents', {});
    await join(aliceCh);
    const ok = (await push(aliceCh, 'control', { client_id: 'c2', thread_id: root.thread_id, action: { type: 'resolve_approval', request_id: '0', choice: 'accept' } })) as { seq: number };
    await log.until(() => log.events.some((e) => e.event === 'control'));
    expect(log.events.find((e) => e.event === 'control')).toMatchObject({ payload: { seq: ok.seq, actor: { name: 'alice' }, action: { type: 'resolve_approval', choice: 'accept' } } });
    expect(await codeOf(push(bob, 'control', { client_id: 'c3', thread_id: root.thread_id, action: { type: 'explode' } }))).toBe('invalid_payload');

    const audit = (await (await fetch(`${hub.url}/api/audit?limit=50`, { headers: { authorization: `Bearer ${seeded.tokens.alice}` } })).json()) as {
      entries: { action: string; actor_name: string; detail: Record<string, unknown> }[];
    };
    const actions = audit.entries.map((e) => `${e.action}:${e.actor_name}`);
    expect(actions).toContain('control_refused:bob');
    expect(actions).toContain('approval_decided:alice');
    expect(actions).toContain('join_refused:bob');
    const forbidden = await fetch(`${hub.url}/api/audit`, { headers: { authorization: `Bearer ${seeded.tokens.bob}` } });
    expect(forbidden.status).toBe(403);
  });

  it('presence: a runner shows online on register and offline when its socket goes away', async () => {
    const watcher = open('bob').channel('channel:acme/agents', {});
    await join(watcher);
    const log = new EventLog(watcher, ['presence']);
    const runnerSocket = open('alice');
    const runner = runnerSocket.channel('channel:acme/agents', {});
    await join(runner);
    await push(runner, 'runner_register', runnerInfo('runner-d'));
    await log.until(() => log.events.some((e) => (e.payload.runner as { status: string }).status === 'online'));
    runnerSocket.disconnect();
    const mine = () => log.events.map((e) => e.payload.runner as { runner_id: string; status: string }).filter((r) => r.runner_id === 'runner-d');
    await log.until(() => mine().some((r) => r.status === 'offline'));
    expect(mine().map((r) => r.status)).toEqual(['online', 'offline']);
  });
});
