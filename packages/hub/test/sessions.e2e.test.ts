// Telling sessions apart and seeing who is there, against a real hub process: set_title (who may,
// bounded, audited, a `title` event for every page) and the ephemeral presence pushes (watch,
// typing), each bad input with its own code.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Channel, Socket } from 'phoenix';
import { MAX_TITLE } from '@pilothouse/protocol';
import { EventLog, codeOf, connect, join, push } from './phx.js';
import { cleanupDir, seed, startHubProcess, type HubProcess, type Seeded } from './hub-process.js';

let seeded: Seeded;
let hub: HubProcess;
const sockets: Socket[] = [];
const open = async (who: string): Promise<Channel> => {
  const s = connect(hub.url, seeded.tokens[who]!);
  sockets.push(s);
  const ch = s.channel('channel:acme/agents', {});
  await join(ch);
  return ch;
};
const info = { runner_id: 'r-alice', instance_id: 'i-1', name: 'laptop', cwd: '/home/alice/src/shop', agent: { name: 'codex', version: '0.169.0' }, capabilities: [] };

/** Every thread_presence event a channel receives. */
function presenceLog(ch: Channel) {
  const seen: { thread_id: string; watching: { name: string }[]; typing: { name: string }[] }[] = [];
  let waiters: (() => void)[] = [];
  ch.on('thread_presence', (p) => {
    seen.push(p as (typeof seen)[number]);
    waiters.forEach((w) => w());
  });
  const names = (p: (typeof seen)[number]) => ({ watching: p.watching.map((a) => a.name), typing: p.typing.map((a) => a.name) });
  return {
    seen,
    /** Resolves once the newest presence of `threadId` is `want`. */
    until(threadId: string, want: { watching: string[]; typing: string[] }): Promise<void> {
      const ok = () => {
        const last = seen.filter((p) => p.thread_id === threadId).at(-1);
        return last !== undefined && JSON.stringify(names(last)) === JSON.stringify(want);
      };
      if (ok()) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no presence ${JSON.stringify(want)}; saw ${JSON.stringify(seen.map(names))}`)), 10_000);
        const check = () => {
          if (!ok()) return;
          clearTimeout(timer);
          waiters = waiters.filter((w) => w !== check);
          resolve();
        };
        waiters.push(check);
      });
    },
  };
}

let threadId: string;
let replyId: string;

beforeAll(async () => {
  seeded = await seed();
  hub = await startHubProcess(seeded.dataDir);
  const runner = await open('alice');
  await push(runner, 'runner_register', info);
  threadId = ((await push(runner, 'post_row', { client_id: 'root', kind: 'session', body: 'Codex session in `/home/alice/src/shop`.' })) as { thread_id: string }).thread_id;
  await push(runner, 'runner_status', { status: 'idle', thread_id: threadId, allowed: ['alice'] });
  replyId = ((await push(runner, 'post_message', { client_id: 'i1', body: 'Fix the login bug', thread_id: threadId })) as { message_id: string }).message_id;
});
afterEach(() => {
  for (const s of sockets.splice(0)) s.disconnect();
});
afterAll(async () => {
  await hub.stop();
  cleanupDir(seeded.dataDir);
});

describe('set_title', () => {
  it('a steerer renames a session; every member sees a title event; list_threads carries it with the first instruction', async () => {
    const alice = await open('alice');
    const bob = await open('bob');
    const log = new EventLog(bob, ['title']);
    const r = (await push(alice, 'set_title', { thread_id: threadId, title: 'Login bug' })) as { seq: number };
    await log.until(() => log.events.length === 1);
    expect(log.events[0]).toEqual({ event: 'title', payload: { seq: r.seq, thread_id: threadId, title: 'Login bug', actor: { user_id: seeded.users.alice, name: 'alice' } } });
    expect(await push(alice, 'set_title', { thread_id: threadId, title: 'Login bug' })).toEqual({ seq: null });
    const listed = (await push(bob, 'list_threads', {})) as { threads: { root: { id: string }; title: string | null; instruction: string | null; last_at: string }[] };
    expect(listed.threads.find((t) => t.root.id === threadId)).toMatchObject({ title: 'Login bug', instruction: 'Fix the login bug', last_at: expect.stringMatching(/^\d{4}-/) });
  });

  it('refuses others with sender_not_allowed (audited), and bad input each with its code', async () => {
    const alice = await open('alice');
    const bob = await open('bob');
    expect(await codeOf(push(bob, 'set_title', { thread_id: threadId, title: 'Mine now' }))).toBe('sender_not_allowed');
    expect(await codeOf(push(alice, 'set_title', { thread_id: threadId, title: 'x'.repeat(MAX_TITLE + 1) }))).toBe('invalid_payload');
    expect(await codeOf(push(alice, 'set_title', { thread_id: threadId, title: 'two\nlines' }))).toBe('invalid_payload');
    expect(await codeOf(push(alice, 'set_title', { thread_id: threadId, title: '   ' }))).toBe('invalid_payload');
    expect(await codeOf(push(alice, 'set_title', { thread_id: threadId, title: 'ok', actor: 'bob' }))).toBe('invalid_payload');
    expect(await codeOf(push(alice, 'set_title', { thread_id: replyId, title: 'A reply' }))).toBe('thread_not_found');
    expect(await codeOf(push(alice, 'set_title', { thread_id: 'nope', title: 'Nothing' }))).toBe('thread_not_found');
    const audit = (await (await fetch(`${hub.url}/api/audit?limit=50`, { headers: { authorization: `Bearer ${seeded.tokens.alice}` } })).json()) as {
      entries: { action: string; actor_name: string; detail: Record<string, unknown> }[];
    };
    expect(audit.entries.filter((e) => e.action.startsWith('title_')).map((e) => [e.action, e.actor_name, e.detail.thread_id, e.detail.code ?? e.detail.title])).toEqual([
      ['title_refused', 'bob', threadId, 'sender_not_allowed'],
      ['title_set', 'alice', threadId, 'Login bug'],
    ]);
  });
});

describe('presence: watch and typing', () => {
  it('fans out who watches and who types, for oneself only, and forgets a socket that leaves', async () => {
    const bob = await open('bob');
    const seen = presenceLog(bob);
    expect(await push(bob, 'watch', { thread_id: threadId })).toEqual({ presence: { thread_id: threadId, watching: [{ user_id: seeded.users.bob, name: 'bob' }], typing: [] } });
    const aliceSocket = connect(hub.url, seeded.tokens.alice!);
    const alice = aliceSocket.channel('channel:acme/agents', {});
    await join(alice);
    await push(alice, 'watch', { thread_id: threadId });
    await seen.until(threadId, { watching: ['bob', 'alice'], typing: [] });
    await push(alice, 'typing', { thread_id: threadId, typing: true });
    await seen.until(threadId, { watching: ['bob', 'alice'], typing: ['alice'] });
    await push(alice, 'typing', { thread_id: threadId, typing: false });
    await seen.until(threadId, { watching: ['bob', 'alice'], typing: [] });
    // Nothing of it is in the log.
    const events = new EventLog(bob);
    expect(events.events).toEqual([]);

    // Bad input: someone else named, an unknown or reply thread, a wrong type.
    expect(await codeOf(push(alice, 'watch', { thread_id: threadId, user: { user_id: seeded.users.bob, name: 'bob' } }))).toBe('invalid_payload');
    expect(await codeOf(push(alice, 'typing', { thread_id: threadId, typing: true, name: 'bob' }))).toBe('invalid_payload');
    expect(await codeOf(push(alice, 'typing', { thread_id: threadId, typing: 'yes' }))).toBe('invalid_payload');
    expect(await codeOf(push(alice, 'watch', { thread_id: 'nope' }))).toBe('thread_not_found');
    expect(await codeOf(push(alice, 'typing', { thread_id: replyId, typing: true }))).toBe('thread_not_found');

    aliceSocket.disconnect();
    await seen.until(threadId, { watching: ['bob'], typing: [] });
  });

  it('rate-limits one socket’s presence pushes', async () => {
    const bob = await open('bob');
    const codes = await Promise.all(Array.from({ length: 40 }, () => push(bob, 'typing', { thread_id: threadId, typing: true }).then(() => 'ok', (e: { code: string }) => e.code)));
    expect(codes.filter((c) => c === 'ok').length).toBeGreaterThanOrEqual(20);
    expect(codes.filter((c) => c === 'rate_limited').length).toBeGreaterThan(0);
    expect(new Set(codes)).toEqual(new Set(['ok', 'rate_limited']));
  });
});
