// Issue 11, finding 1 and tokens: the attacks on identity against a real hub process, driven by
// the official phoenix client. bob (a member who may not steer) registers a runner of his own and
// tries to take over alice's session thread; browser sessions and member tokens try to act as
// runners; expired and revoked tokens try to get in.

import { execFile } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Socket } from 'phoenix';
import { WebSocket } from 'ws';
import { Store } from '../src/store/store.js';
import { digest, newToken } from '../src/auth/secrets.js';
import { EventLog, PushError, codeOf, connect, join, push } from './phx.js';
import { CLI, cleanupDir, seed, startHubProcess, type HubProcess, type Seeded } from './hub-process.js';

let seeded: Seeded;
let hub: HubProcess;
const sockets: Socket[] = [];
const track = (s: Socket) => (sockets.push(s), s);
const open = (token: string) => track(connect(hub.url, token));
const info = (id: string, instance = `${id}-1`) => ({ runner_id: id, instance_id: instance, name: 'laptop', cwd: '/work', agent: { name: 'codex', version: '0.169.0' }, capabilities: ['stream'] });

function cli(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CLI, ...args, '--data', seeded.dataDir], (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)));
  });
}

/** A phoenix socket signed in the way the web app is: the session cookie, from the hub's own origin. */
function openWithCookie(cookie: string): Socket {
  class CookieSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { headers: { cookie, origin: hub.url } });
    }
  }
  const s = new Socket(`${hub.url.replace(/^http/, 'ws')}/socket`, { transport: CookieSocket, timeout: 5000, reconnectAfterMs: () => 50, rejoinAfterMs: () => 50 });
  s.connect();
  return track(s);
}

/** The HTTP status and error body of a socket upgrade the hub refuses. */
function upgradeRefusal(token: string): Promise<{ status: number; body: { code: string; message: string } }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${hub.url.replace(/^http/, 'ws')}/socket/websocket?vsn=2.0.0&token=${token}`);
    ws.once('open', () => {
      ws.close();
      reject(new Error('the upgrade was accepted'));
    });
    ws.once('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as { code: string; message: string } }));
    });
    ws.once('error', () => undefined);
  });
}

/** The `{code, message}` of a push the hub refuses. */
async function refusal(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (err) {
    if (err instanceof PushError) return err.response as { code: string; message: string };
    throw err;
  }
  throw new Error('expected an error reply');
}

const me = (token: string) => fetch(`${hub.url}/api/me`, { headers: { authorization: `Bearer ${token}` } });

/** alice's runner: registered, its session thread opened and reported, one message of hers queued in it. */
async function aliceSession(runnerId: string) {
  const socket = open(seeded.tokens.alice!);
  const runner = socket.channel('channel:acme/agents', {});
  await join(runner);
  await push(runner, 'runner_register', info(runnerId));
  const root = (await push(runner, 'post_row', { client_id: `root-${runnerId}`, kind: 'session', body: 'Session in /work' })) as { thread_id: string };
  await push(runner, 'runner_status', { status: 'idle', thread_id: root.thread_id, allowed: ['alice'] });
  const alice = open(seeded.tokens.alice!).channel('channel:acme/agents', {});
  await join(alice);
  const ask = (await push(alice, 'post_message', { client_id: `ask-${runnerId}`, body: 'run the tests', thread_id: root.thread_id })) as { message_id: string };
  await push(runner, 'set_state', { message_id: ask.message_id, state: { state: 'processing', reason: 'awaiting approval' } });
  return { socket, runner, alice, threadId: root.thread_id, askId: ask.message_id };
}

beforeAll(async () => {
  seeded = await seed(['alice', 'bob', 'carol']);
  hub = await startHubProcess(seeded.dataDir, { args: ['--membership-check-ms', '200'] });
});
afterEach(() => {
  for (const s of sockets.splice(0)) s.disconnect();
});
afterAll(async () => {
  await hub.stop();
  cleanupDir(seeded.dataDir);
});

describe('a session thread belongs to the runner that opened it', () => {
  it("bob's own runner cannot claim, write to, set states in or serve alice's thread; alice still steers hers", async () => {
    const { runner, alice, threadId, askId } = await aliceSession('alice-laptop');
    const bob = open(seeded.tokens.bob!).channel('channel:acme/agents', {});
    await join(bob);
    // bob may run runners of his own (his token is runner-scoped) ...
    await push(bob, 'runner_register', info('bob-fake'));
    // ... but none of them may touch alice's thread.
    expect(await codeOf(push(bob, 'runner_status', { status: 'idle', thread_id: threadId, allowed: ['bob'] }))).toBe('not_session_runner');
    expect(await codeOf(push(bob, 'set_state', { message_id: askId, state: { state: 'processed' } }))).toBe('not_session_runner');
    expect(await codeOf(push(bob, 'post_row', { client_id: 'fake-1', kind: 'assistant', body: 'All tests pass.', thread_id: threadId }))).toBe('not_session_runner');
    expect(await codeOf(push(bob, 'post_row', { client_id: 'fake-2', kind: 'assistant', body: 'All tests pass.', thread_id: askId }))).toBe('not_session_runner');
    expect(await codeOf(push(bob, 'preview_open', { preview_id: 'bobfake0000', port: 5173, thread_id: threadId }))).toBe('not_session_runner');
    // The refusal is specific: it names the thread and says why.
    const refused = await refusal(push(bob, 'runner_status', { status: 'working', thread_id: threadId }));
    expect(refused.message).toMatch(new RegExp(`Thread ${threadId} belongs to the runner that opened it`));

    // alice's runner finishes a turn (its presence is now the newest); her control still reaches it.
    await push(runner, 'runner_status', { status: 'working' });
    await push(runner, 'runner_status', { status: 'idle' });
    const log = new EventLog(runner, ['control']);
    const ok = (await push(alice, 'control', { client_id: 'int-1', thread_id: threadId, action: { type: 'interrupt' } })) as { seq: number };
    await log.until(() => log.events.some((e) => e.payload.seq === ok.seq));
    expect(await codeOf(push(bob, 'control', { client_id: 'int-2', thread_id: threadId, action: { type: 'interrupt' } }))).toBe('sender_not_allowed');

    // Everyone sees the thread as alice's: her message's state stands, no row of bob's in it.
    const thread = (await push(bob, 'get_thread', { thread_id: threadId })) as { messages: { id: string; runner_id: string | null; state: { state: string } | null }[] };
    expect(thread.messages.map((m) => m.runner_id ?? 'human')).toEqual(['alice-laptop', 'human']);
    expect(thread.messages.find((m) => m.id === askId)?.state).toMatchObject({ state: 'processing' });
    const joined = (await join(open(seeded.tokens.alice!).channel('channel:acme/agents', {}))) as { runners: { runner_id: string; thread_id: string | null }[] };
    expect(joined.runners.filter((r) => r.thread_id === threadId).map((r) => r.runner_id)).toEqual(['alice-laptop']);
  });

  it("bob's runner cannot squat the item keys alice's runner will use (they are predictable: port rows are port:pf-<instance>-r<n>)", async () => {
    const { runner, threadId } = await aliceSession('alice-squat');
    const bob = open(seeded.tokens.bob!).channel('channel:acme/agents', {});
    await join(bob);
    await push(bob, 'runner_register', info('bob-squatter'));
    const own = (await push(bob, 'post_row', { client_id: 'bob-root', kind: 'session', body: 'Session of bob' })) as { thread_id: string };
    // bob reads alice's instance id from her presence and takes the keys of her next port rows first.
    for (const key of ['port:pf-alic-r1', 'turn-1:item-0']) {
      await push(bob, 'post_row', { client_id: `squat-${key}`, kind: 'assistant', body: 'squatted', item_key: key, thread_id: own.thread_id });
    }
    // alice's runner still posts, appends to and completes its rows under those keys, in her thread.
    for (const key of ['port:pf-alic-r1', 'turn-1:item-0']) {
      const row = (await push(runner, 'post_row', { client_id: `row-${key}`, kind: 'assistant', body: '', item_key: key, thread_id: threadId })) as { thread_id: string };
      expect(row.thread_id).toBe(threadId);
      await push(runner, 'append', { item_key: key, offset: 0, text: 'hers' });
      await push(runner, 'update_row', { item_key: key, status: 'completed' });
    }
    // Each runner sees and changes only its own row under a key.
    await push(bob, 'update_row', { item_key: 'turn-1:item-0', body: 'his own' });
    const bodies = async (thread: string) => ((await push(bob, 'get_thread', { thread_id: thread })) as { messages: { item_key: string | null; body: string; runner_id: string | null }[] }).messages.filter((m) => m.item_key !== null).map((m) => [m.runner_id, m.item_key, m.body]);
    expect(await bodies(threadId)).toEqual([
      ['alice-squat', 'port:pf-alic-r1', 'hers'],
      ['alice-squat', 'turn-1:item-0', 'hers'],
    ]);
    expect(await bodies(own.thread_id)).toEqual([
      ['bob-squatter', 'port:pf-alic-r1', 'squatted'],
      ['bob-squatter', 'turn-1:item-0', 'his own'],
    ]);
  });

  it('a runner restarted with the same id re-binds and writes to its own older thread', async () => {
    const first = await aliceSession('alice-desktop');
    first.socket.disconnect();
    const again = open(seeded.tokens.alice!).channel('channel:acme/agents', {});
    await join(again);
    await push(again, 'runner_register', info('alice-desktop', 'alice-desktop-2'));
    expect(await push(again, 'runner_status', { status: 'idle', thread_id: first.threadId, allowed: ['alice'] })).toEqual({ seq: expect.any(Number) });
    expect(await push(again, 'post_row', { client_id: 'resumed', kind: 'assistant', body: 'Resumed.', thread_id: first.threadId })).toMatchObject({ thread_id: first.threadId });
    expect(await push(again, 'set_state', { message_id: first.askId, state: { state: 'processed' } })).toEqual({ seq: expect.any(Number) });
    expect(await push(first.alice, 'control', { client_id: 'after-restart', thread_id: first.threadId, action: { type: 'interrupt' } })).toMatchObject({ seq: expect.any(Number) });
  });
});

describe("people's logins are not runner credentials", () => {
  it('a browser session can watch and post but cannot register a runner', async () => {
    const login = await fetch(`${hub.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: hub.url }, body: JSON.stringify({ name: 'bob', password: 'pw' }) });
    expect(login.status).toBe(200);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const ch = openWithCookie(cookie).channel('channel:acme/agents', {});
    await join(ch);
    await push(ch, 'post_message', { client_id: 'from-browser', body: 'hello from the page' });
    expect(await codeOf(push(ch, 'runner_register', info('bob-browser')))).toBe('runner_token_required');
    expect(await codeOf(push(ch, 'runner_status', { status: 'idle' }))).toBe('not_runner');
  });

  it('a member-scoped token uses the API as its user but cannot register a runner', async () => {
    const token = (await cli(['token', 'create', '--user', 'bob', '--scope', 'member', '--label', 'scripts'])).trim();
    expect((await me(token)).status).toBe(200);
    const ch = open(token).channel('channel:acme/agents', {});
    await join(ch);
    await push(ch, 'post_message', { client_id: 'from-script', body: 'hello from a script' });
    expect(await refusal(push(ch, 'runner_register', info('bob-script')))).toEqual({ code: 'runner_token_required', message: expect.stringMatching(/scoped member/) });
  });
});

describe('tokens expire, can be revoked, and show their last use', () => {
  it('an expired token is refused on the socket and on HTTP, saying it expired', async () => {
    const store = await Store.open({ kind: 'sqlite', dataDir: seeded.dataDir });
    const token = newToken();
    try {
      const alice = await store.userByName('alice');
      await store.createToken({ userId: alice!.id, tokenHash: digest(token), label: 'old', expiresAt: new Date(Date.now() - 1000) });
    } finally {
      await store.close();
    }
    const http = await me(token);
    expect(http.status).toBe(401);
    expect(await http.json()).toEqual({ code: 'unauthorized', message: expect.stringMatching(/expired at/) });
    expect(await upgradeRefusal(token)).toEqual({ status: 401, body: { code: 'unauthorized', message: expect.stringMatching(/expired at/) } });
  });

  it('token list shows last use (never the secret); a revoked token is refused on the socket and on HTTP, saying it was revoked, and its open joins are closed', async () => {
    const token = (await cli(['token', 'create', '--user', 'bob', '--label', 'ci', '--expires-in', '90d'])).trim();
    const ciToken = async () => (await cli(['token', 'list', '--user', 'bob', '--json'])).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>).find((t) => t.label === 'ci')!;
    const before = await ciToken();
    expect(before).toMatchObject({ user_name: 'bob', scope: 'runner', label: 'ci', last_used_at: null, revoked_at: null, expires_at: expect.any(String) });
    expect((await me(token)).status).toBe(200);
    expect((await me(token)).status).toBe(200);
    expect((await ciToken()).last_used_at).toEqual(expect.stringMatching(/^\d{4}-/));
    const listed = await cli(['token', 'list', '--user', 'bob']);
    expect(listed).toMatch(new RegExp(`^${String(before.id)}  bob  runner  active  label=ci  created=\\S+  expires=\\S+  last-used=\\d{4}-\\S+$`, 'm'));
    expect(listed).not.toContain(token);
    expect(listed).not.toContain(digest(token));

    const joined = open(token).channel('channel:acme/agents', {});
    await join(joined);
    const closed = new Promise<void>((resolve) => joined.onClose(() => resolve()));
    expect(await cli(['token', 'revoke', String(before.id)])).toBe(`revoked token ${String(before.id)}\n`);
    const http = await me(token);
    expect(http.status).toBe(401);
    expect(await http.json()).toEqual({ code: 'unauthorized', message: expect.stringMatching(/revoked at/) });
    expect(await upgradeRefusal(token)).toEqual({ status: 401, body: { code: 'unauthorized', message: expect.stringMatching(/revoked at/) } });
    await closed; // the hub re-checks every --membership-check-ms (200 ms here)
    expect(await cli(['token', 'list', '--user', 'bob'])).toMatch(/ bob {2}runner {2}revoked \S+ /);
  });

  it('a socket whose token was revoked cannot join again on the same connection, nor push', async () => {
    const token = (await cli(['token', 'create', '--user', 'bob', '--label', 'rejoin'])).trim();
    const id = (await cli(['token', 'list', '--user', 'bob', '--json'])).trim().split('\n').map((l) => JSON.parse(l) as { id: string; label: string }).find((t) => t.label === 'rejoin')!.id;
    const socket = open(token);
    const first = socket.channel('channel:acme/agents', {});
    await join(first);
    const closed = new Promise<void>((resolve) => first.onClose(() => resolve()));
    await cli(['token', 'revoke', id]);
    await closed;
    // The connection is still open: a fresh join on it must meet the same refusal as a new upgrade.
    const again = socket.channel('channel:acme/agents', {});
    expect(await refusal(join(again))).toEqual({ code: 'unauthorized', message: expect.stringMatching(/revoked at/) });
    expect(await codeOf(push(again, 'runner_register', info('bob-revoked')))).not.toBe('ok');
  });

  it('a browser socket loses its joins once its session is signed out, and cannot join again', async () => {
    const login = await fetch(`${hub.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: hub.url }, body: JSON.stringify({ name: 'bob', password: 'pw' }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const socket = openWithCookie(cookie);
    const first = socket.channel('channel:acme/agents', {});
    await join(first);
    const closed = new Promise<void>((resolve) => first.onClose(() => resolve()));
    const out = await fetch(`${hub.url}/api/logout`, { method: 'POST', headers: { cookie, origin: hub.url } });
    expect(out.status).toBe(200);
    await closed;
    const again = socket.channel('channel:acme/agents', {});
    expect(await refusal(join(again))).toEqual({ code: 'unauthorized', message: expect.stringMatching(/session/) });
  }, 10_000);
});
