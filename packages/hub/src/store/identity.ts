// Users, tokens, sessions, workspaces, channels, memberships and the audit log: plain CRUD with
// no channel seq. Secrets arrive already hashed (auth/ owns hashing).

import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { PilothouseError, type ChannelRef } from '@pilothouse/protocol';
import type { Database } from './schema.js';
import { nowIso } from './rows.js';
import { TOKEN_SCOPES, type TokenScope } from '../auth/token-scopes.js';

export { TOKEN_SCOPES, type TokenScope };

type Db = Kysely<Database>;

export interface User {
  id: string;
  name: string;
  admin: boolean;
}

export interface UserWithSecret extends User {
  passwordHash: string | null;
}

export interface Channel {
  id: string;
  workspace: string;
  name: string;
}

export interface AuditEntry {
  id: number;
  at: string;
  actor_id: string | null;
  actor_name: string | null;
  action: string;
  channel: string | null;
  detail: unknown;
}

const toUser = (r: { id: string; name: string; admin: number; password_hash: string | null }): UserWithSecret => ({
  id: r.id,
  name: r.name,
  admin: r.admin === 1,
  passwordHash: r.password_hash,
});

const isUniqueViolation = (err: unknown): boolean =>
  err instanceof Error && /unique|duplicate key/i.test(err.message);

export async function createUser(db: Db, input: { name: string; passwordHash: string | null; admin: boolean }): Promise<User> {
  const user = { id: randomUUID(), name: input.name, admin: input.admin };
  try {
    await db
      .insertInto('users')
      .values({
        id: user.id,
        name: input.name,
        name_lower: input.name.toLowerCase(),
        password_hash: input.passwordHash,
        admin: input.admin ? 1 : 0,
        created_at: nowIso(),
      })
      .execute();
  } catch (err) {
    if (isUniqueViolation(err)) throw new PilothouseError('already_exists', `A user named ${input.name} exists.`);
    throw err;
  }
  return user;
}

export async function userByName(db: Db, name: string): Promise<UserWithSecret | undefined> {
  const row = await db.selectFrom('users').selectAll().where('name_lower', '=', name.toLowerCase()).executeTakeFirst();
  return row && toUser(row);
}

export async function userById(db: Db, id: string): Promise<UserWithSecret | undefined> {
  const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toUser(row);
}

export async function setPassword(db: Db, userId: string, passwordHash: string): Promise<void> {
  await db.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', userId).execute();
}

/** What an API token may do: `runner` registers runners and does what a member does; `member` is API use only. */

/** An API token as listed: never its secret (only its digest is stored). */
export interface TokenInfo {
  id: string;
  user_id: string;
  user_name: string;
  scope: TokenScope;
  label: string | null;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
}

/** How often a token's last use is written at most: a busy token does not write per request. */
export const TOKEN_TOUCH_MS = 60_000;

const toScope = (s: string): TokenScope => (s === 'member' ? 'member' : 'runner');

export async function createToken(
  db: Db,
  input: { userId: string; tokenHash: string; label: string | null; scope?: TokenScope; expiresAt?: Date | null },
): Promise<string> {
  const id = randomUUID();
  await db
    .insertInto('tokens')
    .values({
      id,
      user_id: input.userId,
      token_hash: input.tokenHash,
      label: input.label,
      // Runner by default: the runner quickstart's `token create --user NAME` keeps working.
      scope: input.scope ?? 'runner',
      expires_at: input.expiresAt ? input.expiresAt.toISOString() : null,
      revoked_at: null,
      last_used_at: null,
      created_at: nowIso(),
    })
    .execute();
  return id;
}

const tokensQuery = (db: Db) =>
  db
    .selectFrom('tokens')
    .innerJoin('users', 'users.id', 'tokens.user_id')
    .select([
      'tokens.id as id',
      'tokens.user_id as user_id',
      'users.name as user_name',
      'tokens.scope as scope',
      'tokens.label as label',
      'tokens.created_at as created_at',
      'tokens.expires_at as expires_at',
      'tokens.revoked_at as revoked_at',
      'tokens.last_used_at as last_used_at',
    ]);

/** The token with this digest and its user, whatever its state (the caller refuses expired and revoked ones). */
export async function tokenByHash(db: Db, tokenHash: string): Promise<{ token: TokenInfo; user: User } | undefined> {
  const row = await tokensQuery(db).select(['users.admin as admin']).where('tokens.token_hash', '=', tokenHash).executeTakeFirst();
  if (!row) return undefined;
  const { admin, ...token } = row;
  return { token: { ...token, scope: toScope(token.scope) }, user: { id: row.user_id, name: row.user_name, admin: admin === 1 } };
}

export async function listTokens(db: Db, opts: { userId?: string | undefined } = {}): Promise<TokenInfo[]> {
  let q = tokensQuery(db).orderBy('tokens.created_at').orderBy('tokens.id');
  if (opts.userId !== undefined) q = q.where('tokens.user_id', '=', opts.userId);
  return (await q.execute()).map((t) => ({ ...t, scope: toScope(t.scope) }));
}

export async function tokenById(db: Db, id: string): Promise<TokenInfo | undefined> {
  const row = await tokensQuery(db).where('tokens.id', '=', id).executeTakeFirst();
  return row && { ...row, scope: toScope(row.scope) };
}

/** Revokes a token (kept, so a later use is refused as revoked). False when no such token or already revoked. */
export async function revokeToken(db: Db, id: string, now: Date = new Date()): Promise<boolean> {
  const result = await db.updateTable('tokens').set({ revoked_at: now.toISOString() }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Records a use of the token, at most once per TOKEN_TOUCH_MS (the condition is in the write, so hubs sharing a store agree). */
export async function touchToken(db: Db, id: string, now: Date = new Date()): Promise<void> {
  const stale = new Date(now.getTime() - TOKEN_TOUCH_MS).toISOString();
  await db
    .updateTable('tokens')
    .set({ last_used_at: now.toISOString() })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<=', stale)]))
    .execute();
}

export async function createSession(db: Db, input: { userId: string; sessionHash: string; expiresAt: Date }): Promise<void> {
  await db
    .insertInto('sessions')
    .values({ session_hash: input.sessionHash, user_id: input.userId, expires_at: input.expiresAt.toISOString(), created_at: nowIso() })
    .execute();
}

export async function userBySessionHash(db: Db, sessionHash: string, now: Date): Promise<User | undefined> {
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .selectAll('users')
    .where('sessions.session_hash', '=', sessionHash)
    .where('sessions.expires_at', '>', now.toISOString())
    .executeTakeFirst();
  return row && toUser(row);
}

export async function deleteSession(db: Db, sessionHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('session_hash', '=', sessionHash).execute();
}

export async function createChannel(db: Db, ref: ChannelRef): Promise<Channel> {
  return db.transaction().execute(async (trx) => {
    let ws = await trx.selectFrom('workspaces').select('id').where('name', '=', ref.workspace).executeTakeFirst();
    if (!ws) {
      ws = { id: randomUUID() };
      await trx.insertInto('workspaces').values({ id: ws.id, name: ref.workspace, created_at: nowIso() }).execute();
    }
    const exists = await trx
      .selectFrom('channels')
      .select('id')
      .where('workspace_id', '=', ws.id)
      .where('name', '=', ref.channel)
      .executeTakeFirst();
    if (exists) throw new PilothouseError('already_exists', `Channel ${ref.workspace}/${ref.channel} exists.`);
    const id = randomUUID();
    await trx.insertInto('channels').values({ id, workspace_id: ws.id, name: ref.channel, head_seq: 0, created_at: nowIso() }).execute();
    return { id, workspace: ref.workspace, name: ref.channel };
  });
}

export async function channelByRef(db: Db, ref: ChannelRef): Promise<Channel | undefined> {
  const row = await db
    .selectFrom('channels')
    .innerJoin('workspaces', 'workspaces.id', 'channels.workspace_id')
    .select(['channels.id as id', 'workspaces.name as workspace', 'channels.name as name'])
    .where('workspaces.name', '=', ref.workspace)
    .where('channels.name', '=', ref.channel)
    .executeTakeFirst();
  return row;
}

export async function addMember(db: Db, channelId: string, userId: string): Promise<void> {
  await db
    .insertInto('members')
    .values({ channel_id: channelId, user_id: userId, created_at: nowIso() })
    .onConflict((oc) => oc.columns(['channel_id', 'user_id']).doNothing())
    .execute();
}

/** True when the user was a member (and no longer is). */
export async function removeMember(db: Db, channelId: string, userId: string): Promise<boolean> {
  const result = await db.deleteFrom('members').where('channel_id', '=', channelId).where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function isMember(db: Db, channelId: string, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('members')
    .select('user_id')
    .where('channel_id', '=', channelId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row !== undefined;
}

export async function channelsOf(db: Db, userId: string): Promise<Channel[]> {
  return db
    .selectFrom('members')
    .innerJoin('channels', 'channels.id', 'members.channel_id')
    .innerJoin('workspaces', 'workspaces.id', 'channels.workspace_id')
    .select(['channels.id as id', 'workspaces.name as workspace', 'channels.name as name'])
    .where('members.user_id', '=', userId)
    .orderBy('workspaces.name')
    .orderBy('channels.name')
    .execute();
}

export async function audit(
  db: Db,
  entry: { actor: { id: string; name: string } | null; action: string; channel?: string | null; detail?: unknown },
): Promise<void> {
  await db
    .insertInto('audit')
    .values({
      at: nowIso(),
      actor_id: entry.actor?.id ?? null,
      actor_name: entry.actor?.name ?? null,
      action: entry.action,
      channel: entry.channel ?? null,
      detail: JSON.stringify(entry.detail ?? {}),
    })
    .execute();
}

export async function listAudit(db: Db, opts: { limit: number; beforeId?: number | undefined; action?: string | undefined }): Promise<AuditEntry[]> {
  let q = db.selectFrom('audit').selectAll().orderBy('id', 'desc').limit(opts.limit);
  if (opts.beforeId !== undefined) q = q.where('id', '<', opts.beforeId);
  if (opts.action !== undefined) q = q.where('action', '=', opts.action);
  const rows = await q.execute();
  return rows.map((r) => ({ ...r, id: Number(r.id), detail: JSON.parse(r.detail) as unknown }));
}
