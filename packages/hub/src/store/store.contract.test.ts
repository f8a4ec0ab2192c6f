// One contract suite for every store implementation: SQLite and PostgreSQL must behave alike.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChannelEvent } from '@pilothouse/protocol';
import { PilothouseError } from '@pilothouse/protocol';
import { postgresFixture, sqliteFixture } from '../../test/stores.js';
import type { Author, Channel, Store, User } from './store.js';

const codeOf = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p;
  } catch (err) {
    if (err instanceof PilothouseError) return err.code;
    throw err;
  }
  throw new Error('expected a PilothouseError');
};

describe.each([sqliteFixture, postgresFixture])('store contract: $name', (fixture) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let alice: User;
  let channel: Channel;
  let published: { channelId: string; event: ChannelEvent }[];
  let human: Author;
  let runner: Author;

  beforeEach(async () => {
    ({ store, cleanup } = await fixture.open());
    published = [];
    store.onPublish((channelId, event) => published.push({ channelId, event }));
    alice = await store.createUser({ name: 'Alice', passwordHash: 'h', admin: false });
    channel = await store.createChannel({ workspace: 'acme', channel: 'agents' });
    await store.addMember(channel.id, alice.id);
    human = { userId: alice.id, name: 'Alice', runnerId: null };
    runner = { userId: alice.id, name: 'Alice', runnerId: 'r1' };
  });
  afterEach(async () => cleanup());

  it('users: names are unique case-insensitively; tokens and sessions resolve to users', async () => {
    expect(await codeOf(store.createUser({ name: 'alice', passwordHash: null, admin: false }))).toBe('already_exists');
    expect((await store.userByName('ALICE'))?.id).toBe(alice.id);
    await store.createToken({ userId: alice.id, tokenHash: 'th', label: null });
    expect((await store.tokenByHash('th'))?.user).toEqual({ id: alice.id, name: 'Alice', admin: false });
    expect(await store.tokenByHash('nope')).toBeUndefined();
    const now = new Date();
    await store.createSession({ userId: alice.id, sessionHash: 'sh', expiresAt: new Date(now.getTime() + 1000) });
    expect((await store.userBySessionHash('sh', now))?.id).toBe(alice.id);
    expect(await store.userBySessionHash('sh', new Date(now.getTime() + 2000))).toBeUndefined();
    await store.deleteSession('sh');
    expect(await store.userBySessionHash('sh', now)).toBeUndefined();
  });

  it('tokens: scope (runner by default), expiry, revocation and a last use written at most once a minute', async () => {
    const t0 = new Date('2026-12-01T10:00:00.000Z');
    const id = await store.createToken({ userId: alice.id, tokenHash: 'runner-h', label: 'laptop' });
    const memberId = await store.createToken({ userId: alice.id, tokenHash: 'member-h', label: null, scope: 'member', expiresAt: new Date('2027-03-01T00:00:00.000Z') });
    expect((await store.tokenByHash('runner-h'))?.token).toMatchObject({ id, scope: 'runner', label: 'laptop', expires_at: null, revoked_at: null, last_used_at: null });
    expect((await store.tokenByHash('member-h'))?.token).toMatchObject({ id: memberId, scope: 'member', expires_at: '2027-03-01T00:00:00.000Z' });
    await store.touchToken(id, t0);
    await store.touchToken(id, new Date(t0.getTime() + 30_000));
    expect((await store.tokenByHash('runner-h'))?.token.last_used_at).toBe(t0.toISOString());
    await store.touchToken(id, new Date(t0.getTime() + 60_000));
    expect((await store.tokenByHash('runner-h'))?.token.last_used_at).toBe('2026-12-01T10:01:00.000Z');
    expect(await store.revokeToken(id, t0)).toBe(true);
    expect(await store.revokeToken(id, t0)).toBe(false);
    expect(await store.revokeToken('nope')).toBe(false);
    const listed = await store.listTokens({ userId: alice.id });
    expect(listed.map((t) => [t.id, t.user_name, t.scope, t.revoked_at])).toEqual(
      expect.arrayContaining([
        [id, 'Alice', 'runner', t0.toISOString()],
        [memberId, 'Alice', 'member', null],
      ]),
    );
    expect(JSON.stringify(listed)).not.toContain('-h');
  });

  it('channels: duplicate refused, membership idempotent', async () => {
    expect(await codeOf(store.createChannel({ workspace: 'acme', channel: 'agents' }))).toBe('already_exists');
    await store.addMember(channel.id, alice.id);
    expect(await store.isMember(channel.id, alice.id)).toBe(true);
    const bob = await store.createUser({ name: 'bob', passwordHash: null, admin: false });
    expect(await store.isMember(channel.id, bob.id)).toBe(false);
    await store.addMember(channel.id, bob.id);
    expect(await store.removeMember(channel.id, bob.id)).toBe(true);
    expect(await store.removeMember(channel.id, bob.id)).toBe(false);
    expect(await store.isMember(channel.id, bob.id)).toBe(false);
    expect(await store.channelsOf(alice.id)).toEqual([{ id: channel.id, workspace: 'acme', name: 'agents' }]);
  });

  it('messages: seq increases by one per change; a repeated client id returns the original', async () => {
    const a = await store.postMessage(channel.id, human, { client_id: 'c1', body: 'hello', kind: 'text' });
    const b = await store.postMessage(channel.id, human, { client_id: 'c2', body: 'reply', kind: 'text', thread_id: a.message_id });
    expect(a.seq).toBe(1);
    expect(b).toMatchObject({ seq: 2, thread_id: a.message_id });
    expect(await store.postMessage(channel.id, human, { client_id: 'c1', body: 'hello', kind: 'text' })).toEqual(a);
    expect(await store.headSeq(channel.id)).toBe(2);
    expect(published.map((p) => p.event.payload.seq)).toEqual([1, 2]);
    expect(await codeOf(store.postMessage(channel.id, human, { client_id: 'c3', body: 'x', kind: 'text', thread_id: 'nope' }))).toBe(
      'thread_not_found',
    );
    const thread = await store.getThread(channel.id, a.message_id);
    expect(thread.map((m) => [m.body, m.seq, m.author.name])).toEqual([
      ['hello', 1, 'Alice'],
      ['reply', 2, 'Alice'],
    ]);
  });

  it('rows: appends reassemble, repeats are no-ops, gaps and strangers are refused', async () => {
    const root = await store.postMessage(channel.id, runner, { client_id: 'root', body: 'session', kind: 'session' });
    const row = await store.postMessage(channel.id, runner, { client_id: 'r', body: '', kind: 'assistant', item_key: 'k1', thread_id: root.thread_id });
    const r1 = await store.appendRow(channel.id, runner, { item_key: 'k1', offset: 0, text: 'Hel' });
    const r2 = await store.appendRow(channel.id, runner, { item_key: 'k1', offset: 3, text: 'lo ✓' });
    expect(r2.length).toBe(7);
    expect(await store.appendRow(channel.id, runner, { item_key: 'k1', offset: 0, text: 'Hel' })).toEqual(r1);
    expect(await store.appendRow(channel.id, runner, { item_key: 'k1', offset: 3, text: 'lo ✓' })).toEqual(r2);
    expect(await codeOf(store.appendRow(channel.id, runner, { item_key: 'k1', offset: 9, text: 'x' }))).toBe('offset_mismatch');
    expect(await codeOf(store.appendRow(channel.id, runner, { item_key: 'k1', offset: 3, text: 'zz' }))).toBe('offset_mismatch');
    expect(await codeOf(store.appendRow(channel.id, { ...runner, runnerId: 'r2' }, { item_key: 'k1', offset: 7, text: 'x' }))).toBe(
      'not_row_owner',
    );
    expect(await codeOf(store.appendRow(channel.id, runner, { item_key: 'nope', offset: 0, text: 'x' }))).toBe('row_not_found');
    expect((await store.getMessage(channel.id, row.message_id))?.body).toBe('Hello ✓');

    expect(await store.updateRow(channel.id, runner, { item_key: 'k1', body: 'Hello ✓' })).toEqual({ seq: null });
    const done = await store.updateRow(channel.id, runner, { item_key: 'k1', body: 'Hello!', status: 'completed', meta: { a: 1 } });
    expect(done.seq).toBeGreaterThan(r2.seq);
    expect(await store.updateRow(channel.id, runner, { item_key: 'k1', status: 'completed', meta: { a: 1 } })).toEqual({ seq: null });
    expect(await codeOf(store.appendRow(channel.id, runner, { item_key: 'k1', offset: 6, text: 'x' }))).toBe('row_closed');
    const msg = await store.getMessage(channel.id, row.message_id);
    expect(msg).toMatchObject({ body: 'Hello!', status: 'completed', meta: { a: 1 }, kind: 'assistant', runner_id: 'r1' });
  });

  it('replay: eventsSince returns every change after a seq, in order, equal to what was published', async () => {
    const root = await store.postMessage(channel.id, runner, { client_id: 'root', body: 'session', kind: 'session' });
    await store.postMessage(channel.id, runner, { client_id: 'r', body: '', kind: 'command', item_key: 'k', thread_id: root.thread_id });
    for (let i = 0; i < 20; i++) await store.appendRow(channel.id, runner, { item_key: 'k', offset: i, text: String.fromCharCode(97 + i) });
    await store.setState(channel.id, runner, { message_id: root.message_id, state: { state: 'queued' } });
    expect(await store.setState(channel.id, runner, { message_id: root.message_id, state: { state: 'queued' } })).toEqual({ seq: null });
    // another runner of the same user, which did not open this thread, may not touch it
    expect(await codeOf(store.setState(channel.id, { ...runner, runnerId: 'r9' }, { message_id: root.message_id, state: { state: 'failed' } }))).toBe('not_session_runner');
    const all = await store.eventsSince(channel.id, 0);
    expect(all).toEqual(published.map((p) => p.event));
    expect((await store.eventsSince(channel.id, 10)).map((e) => e.payload.seq)).toEqual(all.slice(10).map((e) => e.payload.seq));
    expect(await store.eventsSince(channel.id, 5, 3)).toEqual(all.slice(5, 8));
  });

  it('text: NUL, lone surrogates, 4-byte characters and the codec marker come back exactly, from reads and replay', async () => {
    const hard = ['before\0after', '\uD800', '\uDC00', 'x\uDBFFy\uDC00z', '😀 𝄞 \u{10FFFF}', '\uFFFF"marker"', '\0\uD83D'];
    const all = hard.join('|');
    const root = await store.postMessage(channel.id, runner, { client_id: 'root', body: all, kind: 'session' });
    const rows: { key: string; id: string; body: string }[] = [];
    for (const [i, text] of hard.entries()) {
      const key = `k${i}`;
      const posted = await store.postMessage(channel.id, runner, { client_id: key, body: text, kind: 'command', item_key: key, thread_id: root.thread_id, meta: { text } });
      // a repeat of the same post is the same write, not a conflict
      expect(await store.postMessage(channel.id, runner, { client_id: key, body: text, kind: 'command', item_key: key, thread_id: root.thread_id, meta: { text } })).toEqual(posted);
      const first = await store.appendRow(channel.id, runner, { item_key: key, offset: text.length, text });
      expect(await store.appendRow(channel.id, runner, { item_key: key, offset: text.length, text })).toEqual(first);
      await store.appendRow(channel.id, runner, { item_key: key, offset: 2 * text.length, text: '\uD83D' });
      await store.appendRow(channel.id, runner, { item_key: key, offset: 2 * text.length + 1, text: '\uDE00' });
      rows.push({ key, id: posted.message_id, body: `${text}${text}😀` });
    }
    const replaced = `${all}\0end`;
    await store.updateRow(channel.id, runner, { item_key: 'k0', body: replaced, status: 'completed', meta: { all, nested: [hard] } });
    expect(await store.updateRow(channel.id, runner, { item_key: 'k0', body: replaced })).toEqual({ seq: null });
    rows[0]!.body = replaced;
    await store.setState(channel.id, runner, { message_id: root.message_id, state: { state: 'failed', reason: all } });

    const thread = await store.getThread(channel.id, root.thread_id);
    expect(thread.map((m) => m.body)).toEqual([all, ...rows.map((r) => r.body)]);
    expect(thread[0]!.state).toEqual({ state: 'failed', reason: all });
    expect(thread[1]!.meta).toEqual({ all, nested: [hard] });
    expect(thread.slice(2).map((m) => m.meta)).toEqual(hard.slice(1).map((text) => ({ text })));
    for (const r of rows) expect((await store.getMessage(channel.id, r.id))?.body).toBe(r.body);
    expect((await store.listThreads(channel.id, { limit: 5 }))[0]?.root.body).toBe(all);
    const replay = await store.eventsSince(channel.id, 0);
    expect(replay).toEqual(published.map((p) => p.event));
    const appended = replay.flatMap((e) => (e.type === 'append' ? [e.payload.text] : []));
    expect(appended).toEqual(hard.flatMap((text) => [text, '\uD83D', '\uDE00']));
  });

  it('group commit: concurrent writes get distinct, gap-free seqs; one failing write does not undo the others', async () => {
    const posts = Array.from({ length: 50 }, (_, i) =>
      store.postMessage(channel.id, human, { client_id: `p${i}`, body: `m${i}`, kind: 'text', ...(i === 25 ? { thread_id: 'missing' } : {}) }),
    );
    const results = await Promise.allSettled(posts);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
    const seqs = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.seq] : []));
    expect(seqs).toEqual(Array.from({ length: 49 }, (_, i) => i + 1));
    expect(published.map((p) => p.event.payload.seq)).toEqual(seqs);
    expect(store.writeStats.batches).toBeLessThan(50);
  });

  it('controls are deduplicated by client id; runners are bound to their user', async () => {
    const root = await store.postMessage(channel.id, runner, { client_id: 'c1', body: 'hi', kind: 'session' });
    const actor = { user_id: alice.id, name: 'Alice' };
    const c = await store.recordControl(channel.id, actor, { client_id: 'k', thread_id: root.thread_id, action: { type: 'interrupt' } });
    expect(await store.recordControl(channel.id, actor, { client_id: 'k', thread_id: root.thread_id, action: { type: 'interrupt' } })).toEqual(c);
    const info = { runner_id: 'r1', instance_id: 'i1', name: 'laptop', cwd: '/w', agent: { name: 'codex', version: '0.169.0' }, capabilities: [] };
    const reg = await store.registerRunner(channel.id, actor, info);
    expect(reg.runner).toMatchObject({ runner_id: 'r1', status: 'online', user: actor });
    const bob = await store.createUser({ name: 'bob', passwordHash: null, admin: false });
    expect(await codeOf(store.registerRunner(channel.id, { user_id: bob.id, name: 'bob' }, info))).toBe('runner_conflict');
    await store.setRunnerStatus(channel.id, actor, 'r1', { status: 'working', thread_id: root.thread_id, allowed: ['alice'] });
    expect(await store.setRunnerStatus(channel.id, actor, 'r1', { status: 'offline', instanceId: 'old' })).toEqual({ seq: null });
    expect((await store.runnersOf(channel.id))[0]).toMatchObject({ status: 'working', thread_id: root.thread_id, allowed: ['alice'] });
  });

  it('a session thread belongs to the runner that opened it: rows, states and status from another runner are refused', async () => {
    const bob = await store.createUser({ name: 'bob', passwordHash: null, admin: false });
    const bobRunner: Author = { userId: bob.id, name: 'bob', runnerId: 'bob-fake' };
    const info = (id: string) => ({ runner_id: id, instance_id: `${id}-1`, name: 'laptop', cwd: '/w', agent: { name: 'codex', version: '0.169.0' }, capabilities: [] });
    await store.registerRunner(channel.id, { user_id: alice.id, name: 'Alice' }, info('r1'));
    await store.registerRunner(channel.id, { user_id: bob.id, name: 'bob' }, info('bob-fake'));
    const root = await store.postMessage(channel.id, runner, { client_id: 'root', body: 'session', kind: 'session' });
    const ask = await store.postMessage(channel.id, human, { client_id: 'ask', body: 'do it', kind: 'text', thread_id: root.thread_id });
    const chat = await store.postMessage(channel.id, human, { client_id: 'chat', body: 'a people thread', kind: 'text' });

    expect(await codeOf(store.postMessage(channel.id, bobRunner, { client_id: 'x', body: 'fake', kind: 'assistant', thread_id: root.thread_id }))).toBe('not_session_runner');
    expect(await codeOf(store.postMessage(channel.id, bobRunner, { client_id: 'y', body: 'fake', kind: 'assistant', thread_id: ask.message_id }))).toBe('not_session_runner');
    expect(await codeOf(store.postMessage(channel.id, runner, { client_id: 'z', body: 'fake', kind: 'assistant', thread_id: chat.message_id }))).toBe('not_session_runner');
    expect(await codeOf(store.setState(channel.id, bobRunner, { message_id: ask.message_id, state: { state: 'processed' } }))).toBe('not_session_runner');
    const bobActor = { user_id: bob.id, name: 'bob' };
    expect(await codeOf(store.setRunnerStatus(channel.id, bobActor, 'bob-fake', { status: 'idle', thread_id: root.thread_id, allowed: ['bob'] }))).toBe('not_session_runner');
    expect(await codeOf(store.setRunnerStatus(channel.id, bobActor, 'bob-fake', { status: 'idle', thread_id: ask.message_id }))).toBe('not_session_runner');
    expect(await codeOf(store.setRunnerStatus(channel.id, bobActor, 'bob-fake', { status: 'idle', thread_id: 'nope' }))).toBe('thread_not_found');

    // The opener writes, sets states and reports its thread; a restarted runner (same id) re-binds it.
    const actor = { user_id: alice.id, name: 'Alice' };
    await store.postMessage(channel.id, runner, { client_id: 'a', body: 'ok', kind: 'assistant', thread_id: ask.message_id });
    expect((await store.setState(channel.id, runner, { message_id: ask.message_id, state: { state: 'processed' } })).seq).toEqual(expect.any(Number));
    await store.setRunnerStatus(channel.id, actor, 'r1', { status: 'idle', thread_id: root.thread_id, allowed: ['alice'] });
    await store.setRunnerStatus(channel.id, actor, 'r1', { status: 'offline' });
    await store.registerRunner(channel.id, actor, { ...info('r1'), instance_id: 'r1-2' });
    expect(await store.setRunnerStatus(channel.id, actor, 'r1', { status: 'idle', thread_id: root.thread_id })).toEqual({ seq: expect.any(Number) });
  });

  it('thread titles: set, repeated, cleared; listed with the first instruction and the last activity; replayed as title events', async () => {
    const actor = { user_id: alice.id, name: 'Alice' };
    const root = await store.postMessage(channel.id, runner, { client_id: 'root', body: 'Codex session in `/w`.', kind: 'session' });
    await store.postMessage(channel.id, human, { client_id: 'cmd', body: '/pilothouse status', kind: 'text', thread_id: root.thread_id });
    await store.postMessage(channel.id, runner, { client_id: 'a', body: 'status: idle', kind: 'notice', thread_id: root.thread_id });
    await store.postMessage(channel.id, human, { client_id: 'i1', body: '\n  Fix the   login bug\nthen run the tests', kind: 'text', thread_id: root.thread_id });
    const last = await store.postMessage(channel.id, human, { client_id: 'i2', body: 'and the docs', kind: 'text', thread_id: root.thread_id });
    const people = await store.postMessage(channel.id, human, { client_id: 'p', body: 'A people thread', kind: 'text' });
    const listed = async () => Object.fromEntries((await store.listThreads(channel.id, { limit: 10 })).map((t) => [t.root.id, t]));
    let threads = await listed();
    expect(threads[root.thread_id]).toMatchObject({ title: null, instruction: 'Fix the login bug', reply_count: 4, last_seq: last.seq });
    expect(threads[root.thread_id]!.last_at).toBe((await store.getMessage(channel.id, last.message_id))!.created_at);
    expect(threads[people.thread_id]).toMatchObject({ title: null, instruction: 'A people thread' });

    const set = await store.setTitle(channel.id, actor, { thread_id: root.thread_id, title: 'Login bug' });
    expect(set.seq).toBe(last.seq + 2);
    expect(await store.setTitle(channel.id, actor, { thread_id: root.thread_id, title: 'Login bug' })).toEqual({ seq: null });
    const renamed = await store.setTitle(channel.id, actor, { thread_id: root.thread_id, title: 'Login bug, again' });
    threads = await listed();
    expect(threads[root.thread_id]).toMatchObject({ title: 'Login bug, again', instruction: 'Fix the login bug' });
    expect(threads[people.thread_id]!.title).toBeNull();
    const cleared = await store.setTitle(channel.id, actor, { thread_id: root.thread_id, title: null });
    expect((await listed())[root.thread_id]!.title).toBeNull();
    expect(await store.setTitle(channel.id, actor, { thread_id: root.thread_id, title: null })).toEqual({ seq: null });
    // Only a thread's root names it.
    expect(await codeOf(store.setTitle(channel.id, actor, { thread_id: last.message_id, title: 'x' }))).toBe('thread_not_found');
    expect(await codeOf(store.setTitle(channel.id, actor, { thread_id: 'nope', title: 'x' }))).toBe('thread_not_found');

    const titles = (await store.eventsSince(channel.id, 0)).filter((e) => e.type === 'title');
    expect(titles).toEqual([
      { type: 'title', payload: { seq: set.seq, thread_id: root.thread_id, title: 'Login bug', actor } },
      { type: 'title', payload: { seq: renamed.seq, thread_id: root.thread_id, title: 'Login bug, again', actor } },
      { type: 'title', payload: { seq: cleared.seq, thread_id: root.thread_id, title: null, actor } },
    ]);
    expect(published.filter((p) => p.event.type === 'title').map((p) => p.event)).toEqual(titles);
  });

  it('audit entries are listed newest first', async () => {
    await store.audit({ actor: { id: alice.id, name: 'Alice' }, action: 'join_refused', channel: 'acme/agents', detail: { code: 'not_member' } });
    await store.audit({ actor: null, action: 'control', detail: { type: 'interrupt' } });
    const entries = await store.listAudit({ limit: 10 });
    expect(entries.map((e) => e.action)).toEqual(['control', 'join_refused']);
    expect(entries[1]).toMatchObject({ actor_name: 'Alice', channel: 'acme/agents', detail: { code: 'not_member' } });
    expect(await store.listAudit({ limit: 10, action: 'control' })).toHaveLength(1);
  });
});
