// Test support for the upgrade test (src/store/migrations.contract.test.ts): for each migration, the
// rows a store at exactly that schema version held, written in that version's columns with raw
// SQL, and what the current store must read back from them. A new migration needs an entry here:
// the test fails while one is missing.

import { sql, type Kysely } from 'kysely';
import { expect } from 'vitest';
import { PrunedRowMeta, type Message } from '@pilothouse/protocol';
import type { Store } from '../src/store/store.js';

const AT = '2026-01-05T10:00:00.000Z';
const FUTURE = '2999-01-01T00:00:00.000Z';
export const IDS = { alice: 'u-alice', bob: 'u-bob', workspace: 'w-acme', channel: 'c-agents', root: 'm-root', root2: 'm-root2' } as const;
type Actor = { user_id: string; name: string };
const ALICE: Actor = { user_id: IDS.alice, name: 'alice' };
const BOB: Actor = { user_id: IDS.bob, name: 'bob' };

/** Writes rows in whatever columns the schema has at this version. */
export class SchemaWriter {
  constructor(readonly db: Kysely<unknown>) {}

  async insert(table: string, row: Record<string, unknown>): Promise<void> {
    const cols = Object.keys(row);
    await sql`insert into ${sql.table(table)} (${sql.join(cols.map((c) => sql.ref(c)))}) values (${sql.join(cols.map((c) => row[c]))})`.execute(this.db);
  }

  async update(table: string, id: { column: string; value: string }, set: Record<string, unknown>): Promise<void> {
    const sets = Object.entries(set).map(([c, v]) => sql`${sql.ref(c)} = ${v}`);
    await sql`update ${sql.table(table)} set ${sql.join(sets)} where ${sql.ref(id.column)} = ${id.value}`.execute(this.db);
  }

  /** The channel's next seq, as every write takes it. */
  async nextSeq(): Promise<number> {
    const r = await sql<{ head_seq: number | string }>`update channels set head_seq = head_seq + 1 where id = ${IDS.channel} returning head_seq`.execute(this.db);
    return Number(r.rows[0]!.head_seq);
  }

  /** One event in its stored form: `data` the payload without seq; an append's text raw in `text`. */
  async event(type: string, payload: Record<string, unknown>, extra: { message_id?: string; item_offset?: number; actor_id?: string; client_id?: string; text?: string } = {}): Promise<number> {
    const seq = await this.nextSeq();
    await this.insert('events', {
      channel_id: IDS.channel, seq, type, message_id: extra.message_id ?? null, item_offset: extra.item_offset ?? null, actor_id: extra.actor_id ?? null,
      client_id: extra.client_id ?? null, data: JSON.stringify(payload), text: extra.text ?? null, created_at: AT,
    });
    return seq;
  }

  /** A message or row and its `message` event. */
  async post(m: { id: string; thread?: string; author: Actor; runner?: string; kind: Message['kind']; body: string; item_key?: string; meta?: Record<string, unknown>; status?: string; extra?: Record<string, unknown> }): Promise<number> {
    const seq = await this.nextSeq();
    const message = {
      id: m.id, thread_id: m.thread ?? m.id, seq, author: m.author, runner_id: m.runner ?? null, client_id: `c-${m.id}`, kind: m.kind,
      item_key: m.item_key ?? null, body: m.body, meta: m.meta ?? null, status: m.status ?? null, state: null, created_at: AT,
    };
    await this.insert('messages', {
      id: m.id, channel_id: IDS.channel, thread_id: message.thread_id, seq, author_id: m.author.user_id, runner_id: message.runner_id, client_id: message.client_id,
      kind: m.kind, item_key: message.item_key, body: m.body, body_seq: seq, length: m.body.length, meta: m.meta ? JSON.stringify(m.meta) : null,
      status: message.status, state: null, created_at: AT, ...m.extra,
    });
    await sql`insert into events (channel_id, seq, type, message_id, data, created_at) values (${IDS.channel}, ${seq}, 'message', ${m.id}, ${JSON.stringify({ message })}, ${AT})`.execute(this.db);
    return seq;
  }

  async append(id: string, thread: string, itemKey: string, offset: number, text: string): Promise<void> {
    await this.event('append', {}, { message_id: id, item_offset: offset, text });
    await this.update('messages', { column: 'id', value: id }, { length: offset + text.length });
  }

  async rowUpdated(id: string, thread: string, itemKey: string, changes: { body?: string; meta?: Record<string, unknown>; status?: string }): Promise<void> {
    const seq = await this.event('row_updated', { message_id: id, thread_id: thread, item_key: itemKey, ...changes }, { message_id: id });
    await this.update('messages', { column: 'id', value: id }, {
      ...(changes.body !== undefined ? { body: changes.body, body_seq: seq, length: changes.body.length } : {}),
      ...(changes.meta !== undefined ? { meta: JSON.stringify(changes.meta) } : {}),
      ...(changes.status !== undefined ? { status: changes.status } : {}),
    });
  }

  async state(id: string, thread: string, state: Record<string, unknown>): Promise<void> {
    await this.event('state', { message_id: id, thread_id: thread, state }, { message_id: id });
    await this.update('messages', { column: 'id', value: id }, { state: JSON.stringify(state) });
  }
}

export interface MigrationFixture {
  /** Rows written right after this migration, before any later one. */
  write(w: SchemaWriter): Promise<void>;
  /** What the store, opened (and migrated to the latest), must read back. */
  check(store: Store, now: Date): Promise<void>;
}

const bodies = async (store: Store, thread: string) => (await store.getThread(IDS.channel, thread)).map((m) => [m.id, m.kind, m.body, m.status]);
const runnerInfo = (id: string, user: Actor) =>
  JSON.stringify({ runner_id: id, instance_id: `i-${id}`, name: `${user.name}'s laptop`, cwd: '/src/app', agent: { name: 'codex', version: '0.50.0' }, capabilities: ['previews'] });

/** One entry per migration in migrations.ts, in order. */
export const MIGRATION_FIXTURES: Record<string, MigrationFixture> = {
  '0001_initial': {
    async write(w) {
      await w.insert('users', { id: IDS.alice, name: 'alice', name_lower: 'alice', password_hash: 'hash-a', admin: 1, created_at: AT });
      await w.insert('users', { id: IDS.bob, name: 'bob', name_lower: 'bob', password_hash: null, admin: 0, created_at: AT });
      await w.insert('tokens', { id: 't-1', user_id: IDS.alice, token_hash: 'th-1', label: 'laptop', created_at: AT });
      await w.insert('sessions', { session_hash: 'sh-1', user_id: IDS.alice, expires_at: FUTURE, created_at: AT });
      await w.insert('workspaces', { id: IDS.workspace, name: 'acme', created_at: AT });
      await w.insert('channels', { id: IDS.channel, workspace_id: IDS.workspace, name: 'agents', head_seq: 0, created_at: AT });
      await w.insert('members', { channel_id: IDS.channel, user_id: IDS.alice, created_at: AT });
      await w.insert('members', { channel_id: IDS.channel, user_id: IDS.bob, created_at: AT });
      await w.insert('audit', { at: AT, actor_id: IDS.alice, actor_name: 'alice', action: 'member.add', channel: 'acme/agents', detail: '{"user":"bob"}' });
      await w.insert('runners', { runner_id: 'r1', user_id: IDS.alice, channel_id: IDS.channel, info: runnerInfo('r1', ALICE), status: 'idle', thread_id: IDS.root, allowed: '["alice","bob"]', updated_at: AT });
      await w.event('presence', { runner: { ...(JSON.parse(runnerInfo('r1', ALICE)) as object), user: ALICE, status: 'idle', thread_id: null, allowed: ['alice'], updated_at: AT } });
      await w.post({ id: IDS.root, author: ALICE, runner: 'r1', kind: 'session', body: 'Codex session', meta: { agent: 'codex', cwd: '/src/app' } });
      await w.post({ id: 'm-hello', thread: IDS.root, author: BOB, kind: 'text', body: 'fix the greeting 😀' });
      await w.state('m-hello', IDS.root, { state: 'processing' });
      await w.post({ id: 'm-answer', thread: IDS.root, author: ALICE, runner: 'r1', kind: 'assistant', body: '', item_key: 't1:a', status: 'streaming' });
      await w.append('m-answer', IDS.root, 't1:a', 0, 'Hel');
      await w.append('m-answer', IDS.root, 't1:a', 3, 'lo ✓');
      await w.rowUpdated('m-answer', IDS.root, 't1:a', { status: 'completed' });
      await w.post({ id: 'm-cmd', thread: IDS.root, author: ALICE, runner: 'r1', kind: 'command', body: '$ ls\n', item_key: 't1:c', meta: { command: 'ls' }, status: 'streaming' });
      await w.rowUpdated('m-cmd', IDS.root, 't1:c', { body: '$ ls\nREADME.md\n', meta: { command: 'ls', exit_code: 0 }, status: 'completed' });
      await w.state('m-hello', IDS.root, { state: 'processed' });
      await w.event('control', { control_id: 'ctl-1', thread_id: IDS.root, actor: BOB, action: { type: 'interrupt' } }, { actor_id: IDS.bob, client_id: 'c-ctl-1' });
    },
    async check(store, now) {
      expect(await store.userByName('ALICE')).toMatchObject({ id: IDS.alice, name: 'alice', admin: true });
      expect(await store.userByName('bob')).toMatchObject({ id: IDS.bob, admin: false });
      expect(await store.tokenByHash('th-1')).toMatchObject({ token: { id: 't-1', scope: 'runner', label: 'laptop', expires_at: null, revoked_at: null }, user: { id: IDS.alice } });
      expect((await store.userBySessionHash('sh-1', now))?.id).toBe(IDS.alice);
      expect((await store.channelByRef({ workspace: 'acme', channel: 'agents' }))?.id).toBe(IDS.channel);
      expect(await store.isMember(IDS.channel, IDS.bob)).toBe(true);
      expect(await store.listAudit({ limit: 10, action: 'member.add' })).toMatchObject([{ actor_name: 'alice', channel: 'acme/agents', detail: { user: 'bob' } }]);
      expect((await store.runnersOf(IDS.channel)).find((r) => r.runner_id === 'r1')).toMatchObject({ status: 'idle', thread_id: IDS.root, allowed: ['alice', 'bob'], user: ALICE });
      expect((await bodies(store, IDS.root)).slice(0, 4)).toEqual([
        [IDS.root, 'session', 'Codex session', null],
        ['m-hello', 'text', 'fix the greeting 😀', null],
        ['m-answer', 'assistant', 'Hello ✓', 'completed'],
        ['m-cmd', 'command', '$ ls\nREADME.md\n', 'completed'],
      ]);
      expect(await store.getMessage(IDS.channel, 'm-hello')).toMatchObject({ author: BOB, state: { state: 'processed' } });
      expect((await store.getMessage(IDS.channel, 'm-cmd'))?.meta).toEqual({ command: 'ls', exit_code: 0 });
      const [summary] = (await store.listThreads(IDS.channel, { limit: 10 })).filter((t) => t.root.id === IDS.root);
      expect(summary).toMatchObject({ root: { body: 'Codex session' }, instruction: 'fix the greeting 😀' });
    },
  },
  '0002_sign_in_codes': {
    async write(w) {
      await w.insert('sign_in_codes', { code_hash: 'code-1', user_id: IDS.bob, next_path: '/c/acme/agents', expires_at: FUTURE, used_at: null, created_at: AT });
    },
    async check(store, now) {
      expect(await store.exchangeSignInCode('code-1', now)).toEqual({ ok: true, userId: IDS.bob, next: '/c/acme/agents' });
    },
  },
  '0003_token_scopes': {
    async write(w) {
      await w.insert('tokens', { id: 't-2', user_id: IDS.bob, token_hash: 'th-2', label: null, scope: 'member', expires_at: FUTURE, revoked_at: null, last_used_at: AT, created_at: AT });
      await w.insert('tokens', { id: 't-3', user_id: IDS.bob, token_hash: 'th-3', label: 'old', scope: 'runner', expires_at: null, revoked_at: AT, last_used_at: null, created_at: AT });
    },
    async check(store) {
      expect(await store.tokenByHash('th-2')).toMatchObject({ token: { scope: 'member', expires_at: FUTURE, last_used_at: AT }, user: { id: IDS.bob } });
      expect(await store.tokenById('t-3')).toMatchObject({ label: 'old', revoked_at: AT });
    },
  },
  '0004_item_keys_per_runner': {
    async write(w) {
      // Another runner's row under the key r1 used (refused by 0001's index, allowed since 0004).
      await w.insert('runners', { runner_id: 'r2', user_id: IDS.bob, channel_id: IDS.channel, info: runnerInfo('r2', BOB), status: 'offline', thread_id: null, allowed: '["bob"]', updated_at: AT });
      await w.post({ id: IDS.root2, author: BOB, runner: 'r2', kind: 'session', body: 'second session' });
      await w.post({ id: 'm-answer2', thread: IDS.root2, author: BOB, runner: 'r2', kind: 'assistant', body: 'from r2', item_key: 't1:a', status: 'completed' });
    },
    async check(store) {
      expect(await bodies(store, IDS.root2)).toEqual([
        [IDS.root2, 'session', 'second session', null],
        ['m-answer2', 'assistant', 'from r2', 'completed'],
      ]);
      expect((await store.getMessage(IDS.channel, 'm-answer'))?.body).toBe('Hello ✓');
    },
  },
  '0005_thread_titles': {
    async write(w) {
      await w.insert('thread_titles', { channel_id: IDS.channel, thread_id: IDS.root, title: 'Greeting fix', actor_id: IDS.alice, updated_at: AT });
      await w.event('title', { thread_id: IDS.root, title: 'Greeting fix', actor: ALICE });
    },
    async check(store) {
      const threads = await store.listThreads(IDS.channel, { limit: 10 });
      expect(threads.find((t) => t.root.id === IDS.root)?.title).toBe('Greeting fix');
    },
  },
  '0006_notifications': {
    async write(w) {
      await w.insert('notifications', {
        id: 'n-1', user_id: IDS.bob, channel_id: IDS.channel, thread_id: IDS.root, message_id: 'm-hello', kind: 'turn_finished', key: 'k-1', title: 'Turn finished',
        body: 'fix the greeting', data: '{}', event_seq: 3, in_page: 1, visible_at: AT, read_at: null, resolved_at: null, created_at: AT,
      });
      await w.insert('deliveries', {
        id: 'd-1', notification_id: 'n-1', user_id: IDS.bob, channel_id: IDS.channel, medium: 'email', target: 'bob@example.com', key: 'k-1', content: '{}',
        status: 'pending', attempts: 0, next_at: AT, lease_until: null, last_code: null, last_error: null, created_at: AT, sent_at: null,
      });
      await w.insert('notification_prefs', { user_id: IDS.bob, prefs: '{"email":true}', updated_at: AT });
      await w.insert('hub_settings', { key: 'fixture', value: '{"v":1}' });
    },
    async check(store) {
      expect(await store.deliveriesQueued()).toBe(1);
      // No read of the store's own serves these (notifications/ reads them): the rows as written.
      expect(await store.db.selectFrom('notifications').select(['id', 'kind', 'message_id', 'event_seq']).execute()).toEqual([{ id: 'n-1', kind: 'turn_finished', message_id: 'm-hello', event_seq: 3 }]);
      expect(await store.db.selectFrom('hub_settings').selectAll().where('key', '=', 'fixture').execute()).toEqual([{ key: 'fixture', value: '{"v":1}' }]);
    },
  },
  '0007_state_events_by_message': {
    async write(w) {
      await w.post({ id: 'm-steer', thread: IDS.root, author: ALICE, kind: 'text', body: 'now run the tests' });
      await w.state('m-steer', IDS.root, { state: 'queued' });
      await w.state('m-steer', IDS.root, { state: 'failed', reason: 'runner restarted' });
    },
    async check(store) {
      expect(await store.getMessage(IDS.channel, 'm-steer')).toMatchObject({ body: 'now run the tests', state: { state: 'failed', reason: 'runner restarted' } });
    },
  },
  '0008_payload_retention': {
    async write(w) {
      const marker = { at: AT, after_days: 30, length: 120 };
      await w.post({ id: 'm-pruned', thread: IDS.root, author: ALICE, runner: 'r1', kind: 'command', body: '', item_key: 't2:c', meta: { command: 'make', pruned: marker }, status: 'completed', extra: { pruned_at: AT } });
      await w.event('append', {}, { message_id: 'm-pruned', item_offset: 0, text: '' });
    },
    async check(store) {
      const row = await store.getMessage(IDS.channel, 'm-pruned');
      expect(row).toMatchObject({ body: '', status: 'completed', meta: { command: 'make' } });
      expect(PrunedRowMeta.parse(row?.meta).pruned).toEqual({ at: AT, after_days: 30, length: 120 });
    },
  },
};
