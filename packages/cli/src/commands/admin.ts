// Admin commands against the hub's store: users, channels, members, tokens, the audit log.

import { createInterface } from 'node:readline';
import { Command, InvalidArgumentError, Option } from 'commander';
import { PilothouseError, parseChannelRef, type ChannelRef } from '@pilothouse/protocol/lite';
import type { Store, TokenInfo } from '@pilothouse/hub';
import { TOKEN_SCOPES, type TokenScope } from '@pilothouse/hub/options';
import { pilothouseHome } from '@pilothouse/runner/options';

// The store and its crypto load when a command runs, not when the CLI starts.
const loadHub = () => import('@pilothouse/hub');
import { addStoreOptions, storeConfig, type StoreFlags } from '../store-options.js';
import { UsageError } from '../errors.js';
import { loadConfig } from '../config/config.js';

async function withStore<T>(flags: StoreFlags, fn: (store: Store) => Promise<T>): Promise<T> {
  const { Store } = await loadHub();
  const store = await Store.open(storeConfig(flags));
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

function channelRef(text: string): ChannelRef {
  const ref = parseChannelRef(text);
  if (!ref) throw new UsageError(`"${text}" is not WORKSPACE/CHANNEL (lower-case letters, digits, - and _).`);
  return ref;
}

async function userNamed(store: Store, name: string) {
  const user = await store.userByName(name);
  if (!user) throw new PilothouseError('not_found', `No user named ${name}; add one with: pilothouse user add ${name}`);
  return user;
}

/** Reads a password: hidden prompt on a TTY, else the first line of stdin. */
async function readPassword(): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: process.stdin.isTTY });
  if (process.stdin.isTTY) {
    process.stderr.write('Password: ');
    // Hide what is typed: the readline echo goes through _writeToOutput.
    (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = () => {};
  }
  const line = await new Promise<string | undefined>((resolve) => {
    rl.once('line', resolve);
    rl.once('close', () => resolve(undefined));
  });
  rl.close();
  if (process.stdin.isTTY) process.stderr.write('\n');
  if (!line) throw new UsageError('a password is needed (type it at the prompt, or pipe it on stdin).');
  return line;
}

const minutes = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 24 * 60) throw new InvalidArgumentError('must be a whole number of minutes, 1-1440.');
  return n;
};

const DURATION_UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90d`, `12h`, `30m`: how long a token works from now. */
const duration = (value: string): number => {
  const m = /^([1-9][0-9]{0,5})([mhd])$/.exec(value);
  if (!m) throw new InvalidArgumentError('must be a number and a unit, e.g. 90d, 12h or 30m.');
  return Number(m[1]) * DURATION_UNITS[m[2]!]!;
};

const scope = (value: string): TokenScope => {
  const found = TOKEN_SCOPES.find((s) => s === value);
  if (!found) throw new InvalidArgumentError(`must be one of: ${TOKEN_SCOPES.join(', ')}.`);
  return found;
};

/** One line per token for people: never the secret (the store keeps only its digest). */
function tokenLine(t: TokenInfo, now: Date): string {
  const expired = t.expires_at !== null && t.expires_at <= now.toISOString();
  const state = t.revoked_at !== null ? `revoked ${t.revoked_at}` : expired ? 'expired' : 'active';
  return [t.id, t.user_name, t.scope, state, `label=${t.label ?? '-'}`, `created=${t.created_at}`, `expires=${t.expires_at ?? 'never'}`, `last-used=${t.last_used_at ?? 'never'}`].join('  ');
}

export function adminCommands(): Command[] {
  const user = new Command('user')
    .description('Manage users.')
    .addHelpText('after', '\nExamples:\n  pilothouse user add alice --admin\n  pilothouse user link alice');
  addStoreOptions(
    user
      .command('add <name>')
      .description('Add a user; the password is read from a prompt or stdin.')
      .option('--admin', 'make the user an admin', false)
      .addHelpText('after', '\nExamples:\n  pilothouse user add alice --admin\n  echo s3cret | pilothouse user add bob'),
  ).action(async (name: string, opts: StoreFlags & { admin: boolean }) => {
    const { UserName } = await import('@pilothouse/protocol');
    if (!UserName.safeParse(name).success) throw new UsageError(`"${name}" is not a valid user name (letters, digits, ".", "-", "_").`);
    const password = await readPassword();
    const hash = await (await loadHub()).hashPassword(password);
    const created = await withStore(opts, (store) => store.createUser({ name, passwordHash: hash, admin: opts.admin }));
    process.stdout.write(`added user ${created.name}${created.admin ? ' (admin)' : ''}\n`);
  });
  addStoreOptions(
    user
      .command('link <name>')
      .description('Print a one-time sign-in link for a user: it signs in once, within a few minutes (no password needed).')
      .addOption(new Option('--hub <url>', "the hub's address, as the user's browser reaches it (else PILOTHOUSE_HUB, then hub in config.toml)").env('PILOTHOUSE_HUB'))
      .option('--to <path>', 'the page to open after signing in, e.g. /c/acme/agents', '/')
      .option('--minutes <n>', 'how long the link works', minutes, 10)
      .addHelpText('after', '\nExamples:\n  pilothouse user link alice\n  pilothouse user link bob --hub https://hub.example.com --to /c/acme/agents --minutes 30'),
  ).action(async (name: string, opts: StoreFlags & { hub?: string; to: string; minutes: number }) => {
    const hub = (opts.hub ?? loadConfig(pilothouseHome()).hub ?? 'http://127.0.0.1:4860').replace(/\/+$/, '');
    if (!/^https?:\/\/[^\s/]+$/.test(hub)) throw new UsageError(`--hub "${hub}" is not a hub address; pass it like --hub http://127.0.0.1:4860.`);
    if (!/^\/(?![/\\])\S*$/.test(opts.to)) throw new UsageError(`--to "${opts.to}" is not a page on the hub; pass a path like --to /c/acme/agents.`);
    const { createSignInLink } = await loadHub();
    const link = await withStore(opts, async (store) => createSignInLink(store, { userId: (await userNamed(store, name)).id, next: opts.to, ttlMs: opts.minutes * 60_000 }));
    process.stdout.write(`${hub}${link.path}\n`);
  });

  const channel = new Command('channel').description('Manage channels.').addHelpText('after', '\nExamples:\n  pilothouse channel add acme/agents --member alice bob');
  addStoreOptions(
    channel
      .command('add <ws/ch>')
      .description('Create a channel (and its workspace).')
      .option('--member <name...>', 'users to add as members', [])
      .addHelpText('after', '\nExamples:\n  pilothouse channel add acme/agents --member alice bob\n  pilothouse channel add acme/ops --member alice --member bob'),
  ).action(async (text: string, opts: StoreFlags & { member: string[] }) => {
    const ref = channelRef(text);
    await withStore(opts, async (store) => {
      const users = await Promise.all(opts.member.map((n) => userNamed(store, n)));
      const ch = await store.createChannel(ref);
      for (const u of users) await store.addMember(ch.id, u.id);
    });
    process.stdout.write(`added channel ${text}${opts.member.length ? ` with ${opts.member.join(', ')}` : ''}\n`);
  });

  const member = new Command('member').description('Manage channel membership.').addHelpText('after', '\nExamples:\n  pilothouse member add acme/agents carol\n  pilothouse member remove acme/agents carol');
  addStoreOptions(
    member
      .command('add <ws/ch> <name>')
      .description('Add a user to a channel.')
      .addHelpText('after', '\nExamples:\n  pilothouse member add acme/agents carol\n  pilothouse member add acme/agents carol --database-url postgres://localhost/pilothouse'),
  ).action(
    async (text: string, name: string, opts: StoreFlags) => {
      const ref = channelRef(text);
      await withStore(opts, async (store) => {
        const ch = await store.channelByRef(ref);
        if (!ch) throw new PilothouseError('channel_not_found', `No channel ${text}; add it with: pilothouse channel add ${text}`);
        await store.addMember(ch.id, (await userNamed(store, name)).id);
      });
      process.stdout.write(`added ${name} to ${text}\n`);
    },
  );
  addStoreOptions(
    member
      .command('remove <ws/ch> <name>')
      .description('Remove a user from a channel: their joins, pushes, grants and previews are refused (joined sockets are closed within the hub --membership-check-ms).')
      .addHelpText('after', '\nExamples:\n  pilothouse member remove acme/agents carol'),
  ).action(
    async (text: string, name: string, opts: StoreFlags) => {
      const ref = channelRef(text);
      const removed = await withStore(opts, async (store) => {
        const ch = await store.channelByRef(ref);
        if (!ch) throw new PilothouseError('channel_not_found', `No channel ${text}.`);
        return store.removeMember(ch.id, (await userNamed(store, name)).id);
      });
      process.stdout.write(removed ? `removed ${name} from ${text}\n` : `${name} was not a member of ${text}\n`);
    },
  );

  const token = new Command('token')
    .description('Manage API tokens.')
    .addHelpText('after', '\nExamples:\n  pilothouse token create --user alice\n  pilothouse token list --user alice\n  pilothouse token revoke 6f1c…');
  addStoreOptions(
    token
      .command('create')
      .description('Create an API token for a user; it is printed once.')
      .requiredOption('--user <name>', 'the user the token acts as')
      .addOption(new Option('--scope <scope>', 'runner: may register runners (pilothouse run) and use the API; member: API use only').argParser(scope).default('runner'))
      .option('--expires-in <duration>', 'how long the token works, e.g. 90d, 12h, 30m (default: until revoked)', duration)
      .option('--label <text>', 'a note to recognise the token by')
      .addHelpText(
        'after',
        '\nExamples:\n  pilothouse token create --user alice\n  TOKEN=$(pilothouse token create --user alice --label laptop --expires-in 90d)\n  pilothouse token create --user bob --scope member --label scripts',
      ),
  ).action(async (opts: StoreFlags & { user: string; scope: TokenScope; expiresIn?: number; label?: string }) => {
    const { newToken, digest } = await loadHub();
    const secret = newToken();
    await withStore(opts, async (store) => {
      const u = await userNamed(store, opts.user);
      const expiresAt = opts.expiresIn === undefined ? null : new Date(Date.now() + opts.expiresIn);
      await store.createToken({ userId: u.id, tokenHash: digest(secret), label: opts.label ?? null, scope: opts.scope, expiresAt });
    });
    process.stdout.write(`${secret}\n`);
  });
  addStoreOptions(
    token
      .command('list')
      .description('List API tokens (id, user, scope, state, label, created, expires, last used); never their secrets.')
      .option('--user <name>', "only this user's tokens")
      .option('--json', 'one JSON object per line', false)
      .addHelpText('after', '\nExamples:\n  pilothouse token list\n  pilothouse token list --user alice --json'),
  ).action(async (opts: StoreFlags & { user?: string; json: boolean }) => {
    const tokens = await withStore(opts, async (store) => store.listTokens({ userId: opts.user === undefined ? undefined : (await userNamed(store, opts.user)).id }));
    const now = new Date();
    for (const t of tokens) process.stdout.write(opts.json ? `${JSON.stringify(t)}\n` : `${tokenLine(t, now)}\n`);
  });
  addStoreOptions(
    token
      .command('revoke <id>')
      .description('Revoke a token by its id (from token list): every later use is refused and open sockets lose their joins.')
      .addHelpText('after', '\nExamples:\n  pilothouse token revoke 6f1c2a7e-…'),
  ).action(async (id: string, opts: StoreFlags) => {
    const revoked = await withStore(opts, (store) => store.revokeToken(id));
    if (!revoked) throw new PilothouseError('not_found', `No active token ${id}; see pilothouse token list.`);
    process.stdout.write(`revoked token ${id}\n`);
  });

  const audit = addStoreOptions(
    new Command('audit')
      .description('Show the audit log (joins refused, controls, approvals), newest first.')
      .option('--limit <n>', 'how many entries', '50')
      .option('--action <name>', 'only this action')
      .option('--json', 'one JSON object per line', false)
      .addHelpText('after', '\nExamples:\n  pilothouse audit --limit 20\n  pilothouse audit --action control_refused --json'),
  ).action(async (opts: StoreFlags & { limit: string; action?: string; json: boolean }) => {
    const limit = Number(opts.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit must be a positive integer.');
    const entries = await withStore(opts, (store) => store.listAudit({ limit, action: opts.action }));
    for (const e of entries) {
      process.stdout.write(opts.json ? `${JSON.stringify(e)}\n` : `${e.at}  ${e.actor_name ?? '-'}  ${e.action}  ${e.channel ?? ''}  ${JSON.stringify(e.detail)}\n`);
    }
  });

  return [user, channel, member, token, audit];
}
