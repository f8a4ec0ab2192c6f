// Migrations in code, run at startup by kysely's Migrator; one list for SQLite and PostgreSQL.

import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';

export type Dialect = 'sqlite' | 'postgres';

function initial(dialect: Dialect): Migration {
  const autoId = (db: Kysely<unknown>) =>
    dialect === 'sqlite'
      ? db.schema.createTable('audit').addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      : db.schema.createTable('audit').addColumn('id', 'bigserial', (c) => c.primaryKey());
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('name_lower', 'text', (c) => c.notNull().unique())
        .addColumn('password_hash', 'text')
        .addColumn('admin', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('label', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('sessions')
        .addColumn('session_hash', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('workspaces')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('channels')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('head_seq', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('channels_ws_name', ['workspace_id', 'name'])
        .execute();
      await db.schema
        .createTable('members')
        .addColumn('channel_id', 'text', (c) => c.notNull().references('channels.id').onDelete('cascade'))
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('members_pk', ['channel_id', 'user_id'])
        .execute();
      await db.schema
        .createTable('messages')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('channel_id', 'text', (c) => c.notNull().references('channels.id'))
        .addColumn('thread_id', 'text', (c) => c.notNull())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('author_id', 'text', (c) => c.notNull())
        .addColumn('runner_id', 'text')
        .addColumn('client_id', 'text')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('item_key', 'text')
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('body_seq', 'bigint', (c) => c.notNull())
        .addColumn('length', 'bigint', (c) => c.notNull())
        .addColumn('meta', 'text')
        .addColumn('status', 'text')
        .addColumn('state', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('messages_thread').on('messages').columns(['channel_id', 'thread_id', 'seq']).execute();
      await db.schema
        .createIndex('messages_client')
        .unique()
        .on('messages')
        .columns(['channel_id', 'author_id', 'client_id'])
        .where(sql.ref('client_id'), 'is not', null)
        .execute();
      await db.schema
        .createIndex('messages_item')
        .unique()
        .on('messages')
        .columns(['channel_id', 'item_key'])
        .where(sql.ref('item_key'), 'is not', null)
        .execute();
      await db.schema
        .createTable('events')
        .addColumn('channel_id', 'text', (c) => c.notNull())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('message_id', 'text')
        .addColumn('item_offset', 'bigint')
        .addColumn('actor_id', 'text')
        .addColumn('client_id', 'text')
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('text', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('events_pk', ['channel_id', 'seq'])
        .execute();
      await db.schema
        .createIndex('events_append')
        .on('events')
        .columns(['message_id', 'item_offset'])
        .where(sql.ref('type'), '=', 'append')
        .execute();
      await db.schema
        .createIndex('events_client')
        .unique()
        .on('events')
        .columns(['channel_id', 'actor_id', 'client_id'])
        .where(sql.ref('client_id'), 'is not', null)
        .execute();
      await db.schema
        .createTable('runners')
        .addColumn('runner_id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('channel_id', 'text', (c) => c.notNull())
        .addColumn('info', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('thread_id', 'text')
        .addColumn('allowed', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await autoId(db)
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('actor_id', 'text')
        .addColumn('actor_name', 'text')
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('channel', 'text')
        .addColumn('detail', 'text', (c) => c.notNull())
        .execute();
    },
  };
}

/** One-time sign-in links (http/sign-in-link.ts): the code's digest, single use, short-lived. */
const signInCodes: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('sign_in_codes')
      .addColumn('code_hash', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('next_path', 'text')
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('used_at', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
  },
};

/** Token scopes, expiry, revocation and last use (issue 11): existing tokens keep working as runner tokens. */
const tokenScopes: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('tokens').addColumn('scope', 'text', (c) => c.notNull().defaultTo('runner')).execute();
    await db.schema.alterTable('tokens').addColumn('expires_at', 'text').execute();
    await db.schema.alterTable('tokens').addColumn('revoked_at', 'text').execute();
    await db.schema.alterTable('tokens').addColumn('last_used_at', 'text').execute();
  },
};

/**
 * Item keys belong to the runner that writes them (issue 11): unique per (channel, runner, key), no
 * longer per channel, so one runner cannot take the keys another will use (a runner's keys are
 * predictable: `port:pf-<instance>-r<n>`, `<turn>:<item>`) and make its rows fail.
 */
const itemKeysPerRunner: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.dropIndex('messages_item').execute();
    await db.schema
      .createIndex('messages_runner_item')
      .unique()
      .on('messages')
      .columns(['channel_id', 'runner_id', 'item_key'])
      .where(sql.ref('item_key'), 'is not', null)
      .execute();
  },
};

/** Thread titles set by people (set_title): one row per titled thread; the `title` events are the history. */
const threadTitles: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('thread_titles')
      .addColumn('channel_id', 'text', (c) => c.notNull().references('channels.id').onDelete('cascade'))
      .addColumn('thread_id', 'text', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('actor_id', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('thread_titles_pk', ['channel_id', 'thread_id'])
      .execute();
  },
};

/**
 * Notifications (issue 14): one row per event and person (the in-page centre), the deliveries it
 * causes per medium (push, email, webhook: the worker's queue, written in the event's
 * transaction), browsers' push subscriptions, preferences, channel webhooks, single-use decision
 * codes (their SHA-256) and the hub's own settings (its VAPID keys).
 */
const notifications: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('notifications')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('channel_id', 'text', (c) => c.notNull().references('channels.id').onDelete('cascade'))
      .addColumn('thread_id', 'text', (c) => c.notNull())
      .addColumn('message_id', 'text')
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('data', 'text', (c) => c.notNull())
      .addColumn('event_seq', 'bigint', (c) => c.notNull())
      .addColumn('in_page', 'integer', (c) => c.notNull())
      .addColumn('visible_at', 'text', (c) => c.notNull())
      .addColumn('read_at', 'text')
      .addColumn('resolved_at', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('notifications_user_key', ['user_id', 'key'])
      .execute();
    await db.schema.createIndex('notifications_user_time').on('notifications').columns(['user_id', 'visible_at']).execute();
    await db.schema.createIndex('notifications_message').on('notifications').columns(['message_id']).execute();
    await db.schema
      .createTable('deliveries')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('notification_id', 'text', (c) => c.references('notifications.id').onDelete('cascade'))
      .addColumn('user_id', 'text')
      .addColumn('channel_id', 'text', (c) => c.notNull().references('channels.id').onDelete('cascade'))
      .addColumn('medium', 'text', (c) => c.notNull())
      .addColumn('target', 'text', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('content', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('next_at', 'text', (c) => c.notNull())
      .addColumn('lease_until', 'text')
      .addColumn('last_code', 'text')
      .addColumn('last_error', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('sent_at', 'text')
      .addUniqueConstraint('deliveries_target_key', ['medium', 'target', 'key'])
      .execute();
    await db.schema.createIndex('deliveries_due').on('deliveries').columns(['status', 'next_at']).execute();
    await db.schema.createIndex('deliveries_notification').on('deliveries').columns(['notification_id']).execute();
    await db.schema
      .createTable('push_subscriptions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('endpoint', 'text', (c) => c.notNull().unique())
      .addColumn('p256dh', 'text', (c) => c.notNull())
      .addColumn('auth', 'text', (c) => c.notNull())
      .addColumn('user_agent', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('last_sent_at', 'text')
      .execute();
    await db.schema.createIndex('push_subscriptions_user').on('push_subscriptions').columns(['user_id']).execute();
    await db.schema
      .createTable('notification_prefs')
      .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
      .addColumn('prefs', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('webhooks')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('channel_id', 'text', (c) => c.notNull().references('channels.id').onDelete('cascade'))
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('secret', 'text', (c) => c.notNull())
      .addColumn('format', 'text', (c) => c.notNull())
      .addColumn('kinds', 'text', (c) => c.notNull())
      .addColumn('allow_private', 'integer', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('decision_codes')
      .addColumn('code_hash', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('channel_id', 'text', (c) => c.notNull().references('channels.id').onDelete('cascade'))
      .addColumn('thread_id', 'text', (c) => c.notNull())
      .addColumn('message_id', 'text', (c) => c.notNull())
      .addColumn('request_id', 'text', (c) => c.notNull())
      .addColumn('prompt', 'text', (c) => c.notNull())
      .addColumn('choice', 'text', (c) => c.notNull())
      .addColumn('medium', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('used_at', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('decision_codes_prompt').on('decision_codes').columns(['user_id', 'request_id']).execute();
    await db.schema
      .createTable('hub_settings')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute();
  },
};

/** A message's state events, found by message: which run of an instruction an outcome ends (a retry is a new run). */
const stateEventsByMessage: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createIndex('events_state')
      .on('events')
      .columns(['message_id', 'seq'])
      .where(sql.ref('type'), '=', 'state')
      .execute();
  },
};

/**
 * Retention of bulky event payloads (issue 17, store/retention.ts): when a row's output was pruned,
 * and the two lookups the pruner makes: rows not yet pruned by kind and age, and a row's updates.
 */
const payloadRetention: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('messages').addColumn('pruned_at', 'text').execute();
    await db.schema.createIndex('messages_unpruned').on('messages').columns(['kind', 'created_at']).where(sql.ref('pruned_at'), 'is', null).execute();
    await db.schema
      .createIndex('events_row_updated')
      .on('events')
      .columns(['message_id', 'seq'])
      .where(sql.ref('type'), '=', 'row_updated')
      .execute();
  },
};

export function migrationProvider(dialect: Dialect): MigrationProvider {
  return {
    getMigrations: async () => ({
      '0001_initial': initial(dialect),
      '0002_sign_in_codes': signInCodes,
      '0003_token_scopes': tokenScopes,
      '0004_item_keys_per_runner': itemKeysPerRunner,
      '0005_thread_titles': threadTitles,
      '0006_notifications': notifications,
      '0007_state_events_by_message': stateEventsByMessage,
      '0008_payload_retention': payloadRetention,
    }),
  };
}
