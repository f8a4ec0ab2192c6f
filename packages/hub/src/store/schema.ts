// The store's tables as kysely sees them. Same shape on SQLite and PostgreSQL: ids are text,
// timestamps ISO-8601 text, JSON is text parsed at the edge (rows.ts), booleans 0/1.

import type { Generated } from 'kysely';

export interface UsersTable {
  id: string;
  name: string;
  name_lower: string;
  password_hash: string | null;
  admin: number;
  created_at: string;
}

export interface TokensTable {
  id: string;
  user_id: string;
  token_hash: string;
  label: string | null;
  /** `runner` or `member` (migration 0003; older tokens became `runner`, as they could register runners). */
  scope: string;
  expires_at: string | null;
  revoked_at: string | null;
  /** Written at most once a minute per token (identity.touchToken). */
  last_used_at: string | null;
  created_at: string;
}

export interface SessionsTable {
  session_hash: string;
  user_id: string;
  expires_at: string;
  created_at: string;
}

export interface WorkspacesTable {
  id: string;
  name: string;
  created_at: string;
}

export interface ChannelsTable {
  id: string;
  workspace_id: string;
  name: string;
  head_seq: number;
  created_at: string;
}

export interface MembersTable {
  channel_id: string;
  user_id: string;
  created_at: string;
}

export interface MessagesTable {
  id: string;
  channel_id: string;
  thread_id: string;
  seq: number;
  author_id: string;
  runner_id: string | null;
  client_id: string | null;
  kind: string;
  item_key: string | null;
  /** The body as of `body_seq`; later `append` events extend it. */
  body: string;
  body_seq: number;
  /** Current length of the full body in UTF-16 code units (the next append offset). */
  length: number;
  meta: string | null;
  status: string | null;
  state: string | null;
  created_at: string;
  /** When retention emptied this row's output (migration 0008, retention.ts); null while it is whole. */
  pruned_at: string | null;
}

/** The channel log. Append events keep their text raw in `text` (no JSON escaping: bytes stay ~1:1). */
export interface EventsTable {
  channel_id: string;
  seq: number;
  type: string;
  message_id: string | null;
  item_offset: number | null;
  actor_id: string | null;
  client_id: string | null;
  data: string;
  text: string | null;
  created_at: string;
}

export interface RunnersTable {
  runner_id: string;
  user_id: string;
  channel_id: string;
  info: string;
  status: string;
  thread_id: string | null;
  allowed: string;
  updated_at: string;
}

export interface AuditTable {
  id: Generated<number>;
  at: string;
  actor_id: string | null;
  actor_name: string | null;
  action: string;
  channel: string | null;
  detail: string;
}

/** A one-time sign-in link's code, stored as its SHA-256 digest; `used_at` set once exchanged. */
export interface SignInCodesTable {
  code_hash: string;
  user_id: string;
  /** Where the link leads after signing in: a path on the hub. */
  next_path: string | null;
  expires_at: string;
  used_at: string | null;
  created_at: string;
}

/** A thread's title as a person set it (migration 0005). */
export interface ThreadTitlesTable {
  channel_id: string;
  thread_id: string;
  title: string;
  actor_id: string;
  updated_at: string;
}

/** One event worth telling one person (migration 0006): the in-page centre lists these. */
export interface NotificationsTable {
  id: string;
  user_id: string;
  channel_id: string;
  thread_id: string;
  message_id: string | null;
  /** notifications/delivery.ts NotificationKind */
  kind: string;
  /** One notification per person per key (`approval:<request_id>`, `turn:<message_id>:<seq>`…). */
  key: string;
  title: string;
  body: string;
  /** JSON: request_id, choices, expires_at. */
  data: string;
  event_seq: number;
  /** 0 when the person turned the page medium off for this kind (the row still drives the others). */
  in_page: number;
  /** Shown from then on (an expiry warning is written with its prompt, shown before the deadline). */
  visible_at: string;
  read_at: string | null;
  /** Set once what it asks for is settled (the prompt was decided or withdrawn). */
  resolved_at: string | null;
  created_at: string;
}

/** One message to send through one medium to one target: the delivery worker's queue. */
export interface DeliveriesTable {
  id: string;
  notification_id: string | null;
  user_id: string | null;
  channel_id: string;
  /** push | email | webhook */
  medium: string;
  /** A push subscription id, an email address or a webhook id. */
  target: string;
  key: string;
  /** JSON NotificationContent without the decision codes (minted at send time). */
  content: string;
  /** pending | sending | sent | failed | skipped */
  status: string;
  attempts: number;
  next_at: string;
  lease_until: string | null;
  last_code: string | null;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
}

export interface PushSubscriptionsTable {
  id: string;
  user_id: string;
  endpoint: string;
  p256dh: string;
  auth: string;
  user_agent: string | null;
  created_at: string;
  last_sent_at: string | null;
}

export interface NotificationPrefsTable {
  user_id: string;
  /** JSON notifications/prefs.ts Prefs */
  prefs: string;
  updated_at: string;
}

export interface WebhooksTable {
  id: string;
  channel_id: string;
  url: string;
  secret: string;
  /** json | slack */
  format: string;
  /** JSON array of NotificationKind */
  kinds: string;
  allow_private: number;
  created_by: string;
  created_at: string;
}

/** A decision code's SHA-256: one prompt, one choice, one person, single use, short-lived. */
export interface DecisionCodesTable {
  code_hash: string;
  user_id: string;
  channel_id: string;
  thread_id: string;
  message_id: string;
  request_id: string;
  /** approval | port_forward */
  prompt: string;
  choice: string;
  /** push | email */
  medium: string;
  expires_at: string;
  used_at: string | null;
  created_at: string;
}

export interface HubSettingsTable {
  key: string;
  value: string;
}

export interface Database {
  users: UsersTable;
  tokens: TokensTable;
  sessions: SessionsTable;
  workspaces: WorkspacesTable;
  channels: ChannelsTable;
  members: MembersTable;
  messages: MessagesTable;
  events: EventsTable;
  runners: RunnersTable;
  audit: AuditTable;
  sign_in_codes: SignInCodesTable;
  thread_titles: ThreadTitlesTable;
  notifications: NotificationsTable;
  deliveries: DeliveriesTable;
  push_subscriptions: PushSubscriptionsTable;
  notification_prefs: NotificationPrefsTable;
  webhooks: WebhooksTable;
  decision_codes: DecisionCodesTable;
  hub_settings: HubSettingsTable;
}
